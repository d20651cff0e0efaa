"""L1 (ромб) и L2 (круг) ограничения и линии уровня квадратичной потери."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

W0 = np.array([2.0, 0.6])                      # решение без регуляризации (МНК)
A = np.array([[2.0, 0.5], [0.5, 1.0]])         # гессиан квадратичной потери
T = 1.0                                        # радиус ограничения


def loss(w):
    d = w - W0
    return np.einsum("...i,ij,...j->...", d, A, d)


def boundary(kind, m=20001):
    phi = np.linspace(0, 2 * np.pi, m)
    c, s = np.cos(phi), np.sin(phi)
    if kind == "l1":
        r = T / (np.abs(c) + np.abs(s))
    else:
        r = np.full_like(phi, T)
    return np.stack([r * c, r * s], axis=1)


g = np.linspace(-1.6, 3.2, 400)
G1, G2 = np.meshgrid(g, g)
L = loss(np.stack([G1, G2], axis=-1))

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.5))
for ax, kind, title in zip(axes, ["l1", "l2"], ["L1: $|w_1| + |w_2| \\leq t$",
                                                "L2: $w_1^2 + w_2^2 \\leq t^2$"]):
    pts = boundary(kind)
    best = pts[np.argmin(loss(pts))]           # минимум потери на границе области
    # рисуется граница из немногих точек (у ромба хватает вершин): 20 001 точка — это 1 МБ SVG
    shape = boundary(kind, 5 if kind == "l1" else 361)
    ax.fill(shape[:, 0], shape[:, 1], color="#9ecae1", alpha=0.7, lw=1.5, ec="#2171b5")
    lev = loss(best)
    ax.contour(G1, G2, L, levels=[lev * f for f in (0.25, 0.6, 1.0, 1.7, 2.6)],
               colors="#d95f0e", linewidths=1)
    ax.plot(*W0, "o", color="#d95f0e")
    ax.annotate("МНК", W0, xytext=(5, 5), textcoords="offset points", fontsize=9)
    ax.plot(*best, "o", color="black")
    ax.annotate(f"w* = ({best[0]:.2f}, {best[1]:.2f})", best, xytext=(-10, -22),
                textcoords="offset points", fontsize=9)
    ax.axhline(0, color="grey", lw=0.6)
    ax.axvline(0, color="grey", lw=0.6)
    ax.set_aspect("equal")
    ax.set_xlim(-1.5, 3.0)
    ax.set_ylim(-1.5, 2.5)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
