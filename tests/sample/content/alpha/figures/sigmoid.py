"""Draw the sigmoid: `python sigmoid.py OUT.svg`."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
x = np.linspace(-6, 6, 200)
fig, ax = plt.subplots(figsize=(4, 2.2))
ax.plot(x, 1 / (1 + np.exp(-x)), color="#1b4f8a")
ax.set_xlabel("x")
ax.set_ylabel("σ(x)")
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
