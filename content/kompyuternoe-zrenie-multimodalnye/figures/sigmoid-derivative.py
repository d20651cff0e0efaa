"""Сигмоида, её производная и tanh: насыщение и максимум производной 0.25."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

x = np.linspace(-8, 8, 801)
s = 1 / (1 + np.exp(-x))
ds = s * (1 - s)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.axvspan(-8, -4, color="0.92")
ax.axvspan(4, 8, color="0.92")
ax.plot(x, s, color="C0", lw=2, label=r"$\sigma(x)$")
ax.plot(x, ds, color="C3", lw=2, label=r"$\sigma'(x)=\sigma(x)(1-\sigma(x))$")
ax.plot(x, np.tanh(x), color="C2", lw=1.2, ls="--", label=r"$\tanh(x)$")
ax.axhline(0.25, color="C3", lw=0.8, ls=":")
ax.annotate("максимум 0.25 при x = 0", xy=(0, 0.25), xytext=(1.2, 0.38),
            arrowprops=dict(arrowstyle="->", lw=0.8), fontsize=9)
ax.text(-7.8, 0.55, "насыщение:\nσ' < 0.018", fontsize=9)
ax.text(4.3, 0.55, "насыщение:\nσ' < 0.018", fontsize=9)
ax.set_xlim(-8, 8)
ax.set_ylim(-1.05, 1.05)
ax.set_xlabel("x")
ax.grid(alpha=0.3)
ax.legend(loc="lower right", fontsize=9)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
