"""Рост теоретического receptive field с глубиной и профиль эффективного RF."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"


def rf_curve(layers):
    r, j, out = 1, 1, []
    for k, s, d in layers:
        r += (k - 1) * d * j
        j *= s
        out.append(r)
    return out


depth = 12
plain = rf_curve([(3, 1, 1)] * depth)
strided = rf_curve([(3, 2 if i % 2 == 0 else 1, 1) for i in range(depth)])
dilated = rf_curve([(3, 1, 2 ** i) for i in range(depth)])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(6.4, 3.5))
layers = np.arange(1, depth + 1)
ax1.plot(layers, plain, "o-", label="3×3, stride 1")
ax1.plot(layers, strided, "s-", label="3×3, stride 2 через слой")
ax1.plot(layers, dilated, "^-", label="3×3, dilation 1, 2, 4, …")
ax1.set_yscale("log")
ax1.set_xticks([2, 4, 6, 8, 10, 12])
ax1.set_xlabel("номер слоя")
ax1.set_ylabel("теоретический RF, пикселей")
ax1.set_title("Рост receptive field", fontsize=10)
ax1.legend(fontsize=7)
ax1.grid(alpha=0.3)

# профиль эффективного RF: n слоёв 3×3 с равными весами -> свёртка n ядер [1,1,1]/3
n = 10
prof = np.array([1.0])
for _ in range(n):
    prof = np.convolve(prof, np.ones(3) / 3)
pos = np.arange(len(prof)) - n
ax2.bar(pos, prof, color="tab:blue", alpha=0.8, label="вклад пикселя (ERF)")
ax2.axvspan(-n - 0.5, n + 0.5, color="tab:orange", alpha=0.15, label="теоретический RF")
ax2.set_xlabel("смещение от центра, пикселей")
ax2.set_ylabel("доля градиента")
ax2.set_title("10 слоёв 3×3: ERF ≪ TRF", fontsize=10)
ax2.set_ylim(0, 0.2)
ax2.legend(fontsize=7, loc="upper left")

fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
