"""Ступенчатая ROC-кривая для 8 объектов с подписанными порогами и закрашенной площадью."""
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"


def roc_points(y, s):
    """(FPR, TPR, пороги) по убыванию порога, как roc_curve(..., drop_intermediate=False) в sklearn."""
    order = np.argsort(-s, kind="mergesort")
    y, s = y[order], s[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]   # последний объект каждого порога
    tps = np.cumsum(y)[last]
    fps = last + 1 - tps
    return np.r_[0, fps] / fps[-1], np.r_[0, tps] / tps[-1], np.r_[np.inf, s[last]]

y = np.array([1, 1, 0, 1, 0, 0, 1, 0])
s = np.array([0.9, 0.8, 0.7, 0.6, 0.55, 0.4, 0.3, 0.2])
fpr, tpr, thr = roc_points(y, s)

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.fill_between(fpr, tpr, step=None, alpha=0.2, color="tab:blue", label="AUC = 0.75")
ax.plot(fpr, tpr, "o-", color="tab:blue", label="ROC-кривая")
ax.plot([0, 1], [0, 1], ":", color="gray", label="случайная модель")
for x, yv, t in zip(fpr, tpr, thr):
    label = "∞" if np.isinf(t) else f"{t:g}"
    ax.annotate(f"t={label}", (x, yv), textcoords="offset points", xytext=(6, -12), fontsize=8)
ax.set(xlabel="FPR", ylabel="TPR", xlim=(-0.02, 1.1), ylim=(-0.05, 1.08))
ax.legend(loc="lower right", fontsize=8)
ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
