"""ROC- и PR-кривые одной и той же модели при сбалансированных и несбалансированных классах."""
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


def pr_points(y, s):
    """(precision, recall) по убыванию порога и AP = Σ (R_n − R_{n−1}) P_n, как в sklearn."""
    fpr, tpr, _ = roc_points(y, s)
    tps, fps = tpr * y.sum(), fpr * (len(y) - y.sum())
    precision = tps[1:] / (tps[1:] + fps[1:])
    recall = tps[1:] / y.sum()
    return precision, recall, float(np.sum(np.diff(np.r_[0, recall]) * precision))

rng = np.random.default_rng(0)
cases = [("1:1", 10_000, 10_000, "tab:blue", "-"), ("1:100", 1_000, 100_000, "tab:red", "--")]

fig, (ax_roc, ax_pr) = plt.subplots(1, 2, figsize=(7, 3.5))
for name, n_pos, n_neg, color, style in cases:
    # одна и та же «модель»: оценки позитивов ~ N(1.5, 1), негативов ~ N(0, 1)
    s = np.r_[rng.normal(1.5, 1, n_pos), rng.normal(0, 1, n_neg)]
    y = np.r_[np.ones(n_pos), np.zeros(n_neg)]
    fpr, tpr, _ = roc_points(y, s)
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))  # площадь трапециями
    k = max(1, len(fpr) // 400)
    fpr, tpr = np.r_[fpr[::k], fpr[-1]], np.r_[tpr[::k], tpr[-1]]
    prec, rec, ap = pr_points(y, s)
    step = max(1, len(rec) // 400)  # прореживаем точки, чтобы SVG был маленьким
    prec, rec = np.r_[prec[::step], prec[-1]], np.r_[rec[::step], rec[-1]]
    ax_roc.plot(fpr, tpr, style, color=color, label=f"{name}: AUC={auc:.2f}")
    ax_pr.plot(rec, prec, style, color=color,
               label=f"{name}: AP={ap:.2f}")
ax_roc.plot([0, 1], [0, 1], ":", color="gray")
ax_roc.set(xlabel="FPR", ylabel="TPR", title="ROC: кривые совпадают")
ax_pr.set(xlabel="Recall", ylabel="Precision", title="PR: зависит от доли позитивов")
for ax in (ax_roc, ax_pr):
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="lower right" if ax is ax_roc else "upper right", fontsize=8)
    ax.grid(alpha=0.3)
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
