"""RoI Pooling (квантизация) против RoI Align (билинейные точки) на сетке карты признаков."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

# RoI в координатах карты признаков (после деления на stride)
x1, y1, x2, y2 = 1.3, 1.6, 5.8, 4.7
out = 2

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.5))
for ax, title in zip(axes, ["RoI Pooling", "RoI Align"]):
    for k in range(8):
        ax.axhline(k, color="0.85", lw=0.8, zorder=0)
        ax.axvline(k, color="0.85", lw=0.8, zorder=0)
    ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec="tab:blue",
                           lw=2, ls="--", label="точная RoI"))
    ax.set_xlim(0, 7)
    ax.set_ylim(6.5, 0)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=11)

# RoI Pooling: округлённая рамка и неравные целочисленные ячейки
ax = axes[0]
qx1, qy1, qx2, qy2 = round(x1), round(y1), round(x2), round(y2)
ax.add_patch(Rectangle((qx1, qy1), qx2 - qx1, qy2 - qy1, fill=True, fc="tab:red",
                       alpha=0.15, ec="tab:red", lw=2, label="после округления"))
w, h = qx2 - qx1, qy2 - qy1
for i in range(1, out):
    ax.plot([qx1 + (i * w) // out] * 2, [qy1, qy2], color="tab:red", lw=1.5)
    ax.plot([qx1, qx2], [qy1 + (i * h) // out] * 2, color="tab:red", lw=1.5)
ax.legend(loc="lower center", fontsize=8, bbox_to_anchor=(0.5, -0.2), ncol=2)

# RoI Align: равные дробные ячейки, по 2x2 точки, билинейная интерполяция
ax = axes[1]
bw, bh = (x2 - x1) / out, (y2 - y1) / out
for i in range(1, out):
    ax.plot([x1 + i * bw] * 2, [y1, y2], color="tab:blue", lw=1.2)
    ax.plot([x1, x2], [y1 + i * bh] * 2, color="tab:blue", lw=1.2)
pts = [(x1 + bw * (j + (a + 0.5) / 2), y1 + bh * (i + (b + 0.5) / 2))
       for i in range(out) for j in range(out) for a in range(2) for b in range(2)]
ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, color="tab:green", zorder=3,
           label="точки выборки")
ax.legend(loc="lower center", fontsize=8, bbox_to_anchor=(0.5, -0.2), ncol=2)

fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
