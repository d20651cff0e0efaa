"""PR-кривая детектора и её интерполированная огибающая (площадь под ней = AP)."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

tp = np.array([1, 1, 0, 1, 0, 0, 1, 0, 0, 0], dtype=float)   # пример из ответа, 5 GT
ctp, cfp = np.cumsum(tp), np.cumsum(1 - tp)
rec, prec = ctp / 5, ctp / (ctp + cfp)
r = np.concatenate([[0.0], rec, [1.0]])
p = np.concatenate([[1.0], prec, [0.0]])
p_env = np.maximum.accumulate(p[::-1])[::-1]

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.fill_between(r, p_env, step="pre", alpha=0.2, color="tab:blue",
                label="площадь = AP (all-point) ≈ 0.664")
ax.step(r, p_env, where="pre", color="tab:blue", lw=2, label="интерполированная огибающая")
ax.plot(rec, prec, "o--", color="tab:orange", label="сырая precision(recall)")
for t in np.linspace(0, 1, 11):
    ax.axvline(t, color="grey", lw=0.5, alpha=0.4)
ax.set_xlabel("recall")
ax.set_ylabel("precision")
ax.set_xlim(0, 1.02)
ax.set_ylim(0, 1.05)
ax.set_title("PR-кривая одного класса: 10 детекций, 5 объектов")
ax.legend(loc="lower left", fontsize=8)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
