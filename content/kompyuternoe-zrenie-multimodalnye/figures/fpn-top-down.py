"""Схема FPN: bottom-up backbone, lateral 1x1, top-down апсемплинг x2 и сложение."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, Rectangle

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

fig, ax = plt.subplots(figsize=(6.4, 3.8))
ax.set_xlim(0, 10)
ax.set_ylim(0, 6.2)
ax.axis("off")

levels = [2, 3, 4, 5]
ys = [0.4, 1.8, 3.2, 4.6]
sizes = [1.2, 0.95, 0.7, 0.45]                    # условная ширина = разрешение карты


def arrow(p, q, color="0.3", style="-|>", ls="-"):
    ax.add_patch(FancyArrowPatch(p, q, arrowstyle=style, mutation_scale=10,
                                 color=color, lw=1.3, ls=ls))


for lvl, y, s in zip(levels, ys, sizes):
    # backbone C_l
    ax.add_patch(Rectangle((1.5 - s / 2, y), s, 0.9, fc="#c6dbef", ec="tab:blue"))
    ax.text(1.5, y + 0.45, f"C{lvl}", ha="center", va="center", fontsize=10)
    ax.text(0.05, y + 0.45, f"stride {2 ** lvl}", va="center", fontsize=8, color="0.3")
    # сумматор и P_l
    if lvl < 5:                                   # у верхнего уровня складывать не с чем
        ax.add_patch(plt.Circle((5.6, y + 0.45), 0.2, fc="white", ec="0.2"))
        ax.text(5.6, y + 0.45, "+", ha="center", va="center", fontsize=11)
    else:
        ax.add_patch(plt.Circle((5.6, y + 0.45), 0.06, fc="0.2", ec="0.2"))
    ax.add_patch(Rectangle((8.0 - s / 2, y), s, 0.9, fc="#fdd0a2", ec="tab:orange"))
    ax.text(8.0, y + 0.45, f"P{lvl}", ha="center", va="center", fontsize=10)
    arrow((1.5 + s / 2, y + 0.45), (5.4, y + 0.45), color="tab:blue")
    ax.text(3.4, y + 0.55, "1×1 conv → 256", ha="center", fontsize=8, color="tab:blue")
    arrow((5.8, y + 0.45), (8.0 - s / 2, y + 0.45), color="tab:orange")
    ax.text(6.85, y + 0.55, "3×3 conv", ha="center", fontsize=8, color="tab:orange")

for y_lo, y_hi in zip(ys[:-1], ys[1:]):
    arrow((1.5, y_lo + 0.9), (1.5, y_hi), color="0.5")                    # bottom-up
    arrow((5.6, y_hi + 0.25), (5.6, y_lo + 0.65), color="tab:red")        # top-down
    ax.text(5.75, (y_lo + y_hi) / 2 + 0.45, "×2 nearest", fontsize=8, color="tab:red")

ax.text(1.5, 5.85, "backbone (bottom-up)", ha="center", fontsize=9)
ax.text(5.6, 5.85, "top-down", ha="center", fontsize=9, color="tab:red")
ax.text(8.0, 5.85, "выходы на головы", ha="center", fontsize=9)

fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
