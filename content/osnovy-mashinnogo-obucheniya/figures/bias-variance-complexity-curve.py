"""Bias², variance и ожидаемая ошибка kNN-регрессии в зависимости от сложности (n/k)."""
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

plt.rcParams["svg.hashsalt"] = "mlbook"
plt.rcParams["font.family"] = "DejaVu Sans"

rng = np.random.default_rng(0)
n, sigma, runs = 60, 0.4, 2000
x = np.linspace(0, 1, n)
f = np.sin(2 * np.pi * x)
ks = np.arange(1, 31)

# соседи каждой точки фиксированного дизайна (включая её саму)
order = np.argsort(np.abs(x[:, None] - x[None, :]), axis=1, kind="stable")
Y = f + sigma * rng.normal(size=(runs, n))            # runs обучающих выборок
bias2, var = [], []
for k in ks:
    pred = Y[:, order[:, :k]].mean(axis=2)            # (runs, n)
    bias2.append(np.mean((pred.mean(axis=0) - f) ** 2))
    var.append(np.mean(pred.var(axis=0)))
bias2, var = np.array(bias2), np.array(var)
total = bias2 + var + sigma ** 2
dof = n / ks                                          # эффективное число параметров

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(dof, bias2, label="bias²", color="#2171b5", lw=2)
ax.plot(dof, var, label="variance", color="#d95f0e", lw=2)
ax.axhline(sigma ** 2, color="grey", ls=":", label="шум σ²")
ax.plot(dof, total, label="ожидаемая ошибка на тесте", color="black", lw=2)
best = np.argmin(total)
ax.axvline(dof[best], color="black", ls="--", lw=0.8)
ax.annotate(f"оптимум: k = {ks[best]}", (dof[best], total[best]), xytext=(10, 25),
            textcoords="offset points", fontsize=9)
ax.set_xscale("log")
ax.set_xticks([2, 3, 5, 10, 20, 30, 60])
ax.set_xticks([], minor=True)
ax.set_xticklabels(["2", "3", "5", "10", "20", "30", "60"])
ax.set_xlabel("сложность модели: n / k для kNN (лог. шкала)")
ax.set_ylabel("ошибка (MSE)")
ax.set_ylim(0, 0.45)
ax.legend(fontsize=8, loc="upper center")
fig.tight_layout()
fig.savefig(sys.argv[1], format="svg", metadata={"Date": None})
