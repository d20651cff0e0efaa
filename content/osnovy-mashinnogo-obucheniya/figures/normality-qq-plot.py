"""Q-Q графики: нормальная выборка и выборка из экспоненциального распределения."""
import sys
from statistics import NormalDist

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

rng = np.random.default_rng(0)
n = 200
samples = [
    ("Нормальная выборка", rng.normal(5, 2, size=n)),
    ("Экспоненциальная выборка", rng.exponential(2, size=n)),
]

fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.5))
probs = (np.arange(1, n + 1) - 0.5) / n
theory = np.array([NormalDist().inv_cdf(p) for p in probs])  # квантили N(0, 1)
for ax, (title, x) in zip(axes, samples):
    z = (np.sort(x) - x.mean()) / x.std(ddof=1)       # стандартизуем выборку
    ax.plot(theory, z, "o", ms=3, color="#1f77b4", alpha=0.7, label="квантили выборки")
    ax.plot([-3, 3], [-3, 3], "-", color="#d62728", lw=1.5, label="y = x")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("квантили N(0, 1)")
    ax.set_xlim(-3.2, 3.2)
    ax.set_ylim(-3.2, 4.5)
    ax.grid(alpha=0.3)
axes[0].set_ylabel("стандартизованные значения")
axes[0].legend(loc="upper left", fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
