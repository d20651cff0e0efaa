"""ᾱ_t и log SNR: линейное (DDPM), scaled linear (SD v1/v2) и косинусное расписания."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

T = 1000
t = np.arange(1, T + 1)
beta_lin = np.linspace(1e-4, 0.02, T)                          # DDPM
beta_sd = np.linspace(0.00085 ** 0.5, 0.012 ** 0.5, T) ** 2    # SD: scaled linear
s = 0.008                                                      # Nichol & Dhariwal
f = np.cos((np.arange(T + 1) / T + s) / (1 + s) * np.pi / 2) ** 2
beta_cos = np.minimum(1 - f[1:] / f[:-1], 0.999)  # клиппинг, как в статье
ab_cos = np.cumprod(1 - beta_cos)
schedules = [
    ("линейное (DDPM)", np.cumprod(1 - beta_lin), "tab:blue", "-"),
    ("scaled linear (SD)", np.cumprod(1 - beta_sd), "tab:red", "--"),
    ("косинусное", ab_cos, "tab:green", ":"),
]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(7, 3.5))
for name, ab, color, style in schedules:
    ax1.plot(t, ab, style, color=color, label=name)
    snr = ab / (1 - ab)
    ax2.plot(t, np.log10(snr), style, color=color, label=name)
ax1.set(xlabel="шаг t", ylabel=r"$\bar\alpha_t$", title="Доля сигнала")
ax2.set(xlabel="шаг t", ylabel=r"$\log_{10}\,\mathrm{SNR}(t)$",
        title="Отношение сигнал/шум")
ax2.axhline(0, color="gray", lw=0.8)
ax2.set_ylim(-6, 4.5)
ax1.legend(fontsize=8)
for ax in (ax1, ax2):
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
