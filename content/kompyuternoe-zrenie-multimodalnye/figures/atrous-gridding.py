"""Какие пиксели входа влияют на один выход стека dilated-свёрток 3×3."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"


def convolve_full(image, kernel):
    """Полная двумерная свёртка (как scipy.signal.convolve2d с mode="full")."""
    out = np.zeros((image.shape[0] + kernel.shape[0] - 1, image.shape[1] + kernel.shape[1] - 1))
    for (i, j), weight in np.ndenumerate(kernel):
        out[i:i + image.shape[0], j:j + image.shape[1]] += weight * image
    return out


def footprint(dilations):
    """Число путей от каждого пикселя входа к центральному выходу."""
    total = np.ones((1, 1))
    for d in dilations:
        kernel = np.zeros((2 * d + 1, 2 * d + 1))
        kernel[::d, ::d] = 1
        total = convolve_full(total, kernel)
    return total


fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.5))
for ax, dil, title in [(axes[0], (2, 2, 2), "dilation 2, 2, 2: gridding"),
                       (axes[1], (1, 2, 5), "dilation 1, 2, 5 (HDC)")]:
    f = footprint(dil)
    pad = (17 - f.shape[0]) // 2
    f = np.pad(f, pad)
    ax.imshow(f > 0, cmap="Blues", vmin=0, vmax=1.3)
    ax.set_xticks(np.arange(-0.5, 17, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, 17, 1), minor=True)
    ax.grid(which="minor", color="0.8", linewidth=0.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    used = int((f > 0).sum())
    side = 2 * sum(dil) + 1
    ax.set_title(f"{title}\nиспользовано {used} из {side}×{side}", fontsize=9)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
