"""The report's figures (matplotlib, headless), each returned as PNG bytes."""

from __future__ import annotations

import io
from collections import defaultdict

from .summary import FLAGS, RATINGS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # no display: reports are written on servers and in CI
    import matplotlib.pyplot as plt

    return plt


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    _pyplot().close(figure)
    return buffer.getvalue()


def _short(label: str, limit: int = 48) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def accuracy_by_condition(summary: dict) -> bytes:
    plt = _pyplot()
    rows = summary["conditions"]
    figure, axes = plt.subplots(figsize=(7.5, 0.45 * len(rows) + 1.4))
    values = [100 * r["accuracy"] for r in rows]
    errors = [[100 * (r["accuracy"] - r["low"]) for r in rows], [100 * (r["high"] - r["accuracy"]) for r in rows]]
    axes.barh(range(len(rows)), values, xerr=errors, color="#4C72B0", capsize=3)
    axes.set_yticks(range(len(rows)), [_short(r["label"]) for r in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("accuracy (%), Wilson 95% interval")
    return _png(figure)


def accuracy_vs_cost(summary: dict) -> bytes:
    plt = _pyplot()
    rows = summary["conditions"]
    figure, axes = plt.subplots(figsize=(6.5, 4.2))
    costs = [r["cost_usd"] for r in rows]
    accuracy = [100 * r["accuracy"] for r in rows]
    axes.scatter(costs, accuracy, color="#4C72B0")
    front = sorted((r["cost_usd"], 100 * r["accuracy"]) for r in rows if r["pareto"])
    if front:
        axes.plot(*zip(*front), color="#DD8452", label="Pareto front")
        axes.legend(loc="lower right")
    for row, x, y in zip(rows, costs, accuracy):
        axes.annotate(_short(row["label"], 28), (x, y), fontsize=7, xytext=(3, 3), textcoords="offset points")
    axes.set_xlabel("mean diagnostic cost per episode (simulated USD)")
    axes.set_ylabel("accuracy (%)")
    return _png(figure)


def turn_budget_curve(summary: dict) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.5, 4.0))
    by_doctor: dict[str, list[dict]] = defaultdict(list)
    for row in summary["turn_budget"]:
        by_doctor[row["doctor"]].append(row)
    for doctor, rows in by_doctor.items():
        rows.sort(key=lambda r: r["max_turns"])
        x = [r["max_turns"] for r in rows]
        axes.errorbar(x, [100 * r["accuracy"] for r in rows], marker="o", capsize=3, label=_short(doctor, 30),
                      yerr=[[100 * (r["accuracy"] - r["low"]) for r in rows],
                            [100 * (r["high"] - r["accuracy"]) for r in rows]])
    axes.set_xlabel("turn budget (--max-turns)")
    axes.set_ylabel("accuracy (%)")
    axes.set_ylim(0, 100)
    axes.legend(fontsize=8)
    return _png(figure)


def ratings_by_bias(summary: dict) -> bytes:
    plt = _pyplot()
    rows = summary["surveys"]["by_bias"]
    figure, axes = plt.subplots(figsize=(7.5, 0.5 * len(rows) + 1.6))
    height = 0.8 / len(RATINGS)
    for index, item in enumerate(RATINGS):
        positions = [i + index * height for i in range(len(rows))]
        axes.barh(positions, [r[item]["mean"] for r in rows], height=height, label=item.replace("_", " "))
    axes.set_yticks([i + height for i in range(len(rows))], [_short(r["key"]) for r in rows])
    axes.invert_yaxis()
    axes.set_xlim(0, 10)
    axes.set_xlabel("mean rating (1-10)")
    axes.legend(fontsize=8, loc="lower right")
    return _png(figure)


def coverage_distribution(summary: dict) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.0, 3.6))
    values = [100 * v for v in summary["metrics"]["coverage"]["values"]]
    axes.hist(values, bins=[i * 10 for i in range(11)], color="#55A868", edgecolor="white")
    axes.set_xlabel("key facts surfaced (%)")
    axes.set_ylabel("episodes")
    return _png(figure)


def fault_rates(summary: dict) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.0, 2.8))
    rates = summary["faults"]["rates"]
    axes.barh(range(len(FLAGS)), [100 * rates[f] for f in FLAGS], color="#C44E52")
    axes.set_yticks(range(len(FLAGS)), [f.replace("_", " ") for f in FLAGS])
    axes.invert_yaxis()
    axes.set_xlim(0, max(5.0, 100 * max(rates.values(), default=0) * 1.2))
    axes.set_xlabel("episodes flagged (%)")
    return _png(figure)


def all_figures(summary: dict) -> dict[str, bytes]:
    """Title -> PNG for every figure the data supports."""
    figures = {"Accuracy by condition": accuracy_by_condition, "Accuracy against cost": accuracy_vs_cost,
               "Accuracy by turn budget": turn_budget_curve}
    # A figure over no episodes would draw "n/a" (None) as 0: leave it out instead.
    if summary["metrics"]["coverage"]["values"]:
        figures["Key-fact coverage"] = coverage_distribution
    if summary["faults"]["n"]:
        figures["Simulator-fault rates"] = fault_rates
    if summary["surveys"]["n"]:
        figures["Patient perception by bias"] = ratings_by_bias
    if not summary["conditions"]:
        return {}
    return {title: draw(summary) for title, draw in figures.items()}
