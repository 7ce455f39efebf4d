"""The report's figures (matplotlib, headless), each returned as PNG bytes.

A figure is drawn only when it shows something a table does not: never one point (one
condition, one turn budget) and never bars that are all zero (no simulator faults). Where a
figure is left out, :func:`figures` says why in a sentence the report prints instead.
Conditions are named on figures by their keys (A, B, … as in the report's accuracy table),
never by names cut short, which made different conditions read the same.
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

from .plot_labels import condition_keys, point_labels, wrap_label
from .summary import FLAGS, RATINGS

BLUE, ORANGE, GREEN, RED = "#4C72B0", "#DD8452", "#55A868", "#C44E52"


@dataclass(frozen=True)
class Figure:
    """One of the report's figures: the PNG when drawn, else a sentence saying why not."""

    title: str
    png: bytes | None = None
    note: str | None = None


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


def _percent_axis(axes, axis: str = "y") -> None:
    """A 0-100 % axis with a little room, so points at 0 or 100 are not cut by the frame."""
    (axes.set_ylim if axis == "y" else axes.set_xlim)(-3, 103)
    (axes.set_yticks if axis == "y" else axes.set_xticks)(range(0, 101, 20))


def _interval(rows: list[dict]) -> list[list[float]]:
    """Error-bar lengths below and above each accuracy (%). At 0% or 100% the Wilson bound can sit
    a rounding error on the wrong side of the value, which matplotlib refuses as negative."""
    return [[max(0.0, 100 * (r["accuracy"] - r["low"])) for r in rows],
            [max(0.0, 100 * (r["high"] - r["accuracy"])) for r in rows]]


# ---- accuracy by condition -----------------------------------------------------------------------
def draw_accuracy_by_condition(summary: dict):
    """Horizontal bars with Wilson intervals, each labelled by its key and its name, wrapped."""
    plt = _pyplot()
    rows, keys = summary["conditions"], condition_keys(summary)
    labels = [f"{keys[r['label']]}  {wrap_label(r['label'], 40)}" for r in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    figure, axes = plt.subplots(figsize=(7.5, 0.17 * lines + 0.2 * len(rows) + 1.0))
    values = [100 * r["accuracy"] for r in rows]
    axes.barh(range(len(rows)), values, xerr=_interval(rows), color=BLUE, capsize=3)
    axes.set_yticks(range(len(rows)), labels, fontsize=8)
    axes.invert_yaxis()
    _percent_axis(axes, "x")
    axes.set_xlabel("accuracy (%), Wilson 95% interval")
    return figure


def accuracy_by_condition(summary: dict) -> bytes:
    return _png(draw_accuracy_by_condition(summary))


# ---- accuracy against cost -----------------------------------------------------------------------
# Where a point's label may go, tried in order (offset in points, horizontal alignment) until it
# overlaps no label placed before it.
_PLACES = [((4, 4), "left"), ((4, -11), "left"), ((-4, 4), "right"), ((-4, -11), "right"),
           ((0, 10), "center"), ((0, -17), "center")]


def draw_accuracy_vs_cost(summary: dict):
    """Each condition's accuracy against its cost, labelled by key; the Pareto front joined."""
    plt = _pyplot()
    rows, keys = summary["conditions"], condition_keys(summary)
    figure, axes = plt.subplots(figsize=(6.5, 4.2))
    points = [(r["cost_usd"], 100 * r["accuracy"]) for r in rows]
    axes.scatter(*zip(*points), color=BLUE, zorder=3)
    front = sorted(point for point, row in zip(points, rows) if row["pareto"])
    if len(set(front)) > 1:  # a front of one point is no line
        axes.plot(*zip(*front), color=ORANGE, label="Pareto front", zorder=2)
        axes.legend(loc="lower right", fontsize=8)
    _percent_axis(axes)
    axes.margins(x=0.12)
    axes.set_xlabel("mean diagnostic cost per episode (simulated USD)")
    axes.set_ylabel("accuracy (%)")
    span_x = axes.get_xlim()[1] - axes.get_xlim()[0]
    _place_labels(figure, axes, point_labels(points, [keys[r["label"]] for r in rows], (span_x, 106)))
    return figure


def _place_labels(figure, axes, labels) -> None:
    """Write each label at the first place where it overlaps no earlier label."""
    figure.tight_layout()  # final axes size first: labels are kept out of the layout below
    renderer = figure.canvas.get_renderer()
    placed = []
    for label in labels:
        for offset, align in _PLACES:
            text = _annotate(axes, label, offset, align)
            box = text.get_window_extent(renderer)
            if _inside(box, figure.bbox) and not any(box.overlaps(other) for other in placed):
                break
            text.remove()
        else:  # every place taken (a crowd of near points): the first place still beats no label
            text = _annotate(axes, label, *_PLACES[0])
            box = text.get_window_extent(renderer)
        placed.append(box)


def _inside(box, frame) -> bool:
    return frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1


def _annotate(axes, label, offset, align):
    text = axes.annotate(label.text, (label.x, label.y), xytext=offset, textcoords="offset points",
                         fontsize=8, ha=align, va="bottom", fontweight="bold",
                         bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    text.set_in_layout(False)  # tight_layout must not move the axes after the labels were placed
    return text


def accuracy_vs_cost(summary: dict) -> bytes:
    return _png(draw_accuracy_vs_cost(summary))


# ---- turn budgets --------------------------------------------------------------------------------
def _budget_series(summary: dict) -> dict[str, list[dict]]:
    """Per doctor, its rows at two or more turn budgets (one budget is a point, not a curve)."""
    by_doctor: dict[str, list[dict]] = defaultdict(list)
    for row in summary["turn_budget"]:
        by_doctor[row["doctor"]].append(row)
    return {doctor: sorted(rows, key=lambda r: r["max_turns"]) for doctor, rows in by_doctor.items()
            if len({r["max_turns"] for r in rows}) > 1}


def draw_turn_budget_curve(summary: dict):
    """Accuracy against --max-turns, one line per doctor run at two or more budgets."""
    plt = _pyplot()
    series = _budget_series(summary)
    figure, axes = plt.subplots(figsize=(6.5, 4.0))
    for doctor, rows in series.items():
        axes.errorbar([r["max_turns"] for r in rows], [100 * r["accuracy"] for r in rows], marker="o", capsize=3,
                      label=wrap_label(doctor, 30, 2), yerr=_interval(rows))
    budgets = sorted({r["max_turns"] for rows in series.values() for r in rows})
    axes.set_xticks(budgets, [str(b) for b in budgets])  # budgets are whole turns: no 19.5
    axes.set_xlabel("turn budget (--max-turns)")
    axes.set_ylabel("accuracy (%)")
    _percent_axis(axes)
    axes.legend(fontsize=8)
    return figure


def turn_budget_curve(summary: dict) -> bytes:
    return _png(draw_turn_budget_curve(summary))


# ---- patient perception, coverage, faults ----------------------------------------------------------
def ratings_by_bias(summary: dict) -> bytes:
    plt = _pyplot()
    rows = summary["surveys"]["by_bias"]
    labels = [wrap_label(r["key"], 30, 2) for r in rows]
    lines = sum(label.count("\n") + 1 for label in labels)
    figure, axes = plt.subplots(figsize=(7.5, 0.17 * lines + 0.45 * len(rows) + 1.3))
    height = 0.8 / len(RATINGS)
    for index, item in enumerate(RATINGS):
        positions = [i + index * height for i in range(len(rows))]
        axes.barh(positions, [r[item]["mean"] for r in rows], height=height, label=item.replace("_", " "))
    axes.set_yticks([i + height for i in range(len(rows))], labels, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 10)
    axes.set_xlabel("mean rating (1-10)")
    # Above the bars, not over them: the longest bars reach the right edge.
    axes.legend(fontsize=8, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(RATINGS), frameon=False)
    return _png(figure)


def coverage_distribution(summary: dict) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.0, 3.6))
    values = [100 * v for v in summary["metrics"]["coverage"]["values"]]
    axes.hist(values, bins=[i * 10 for i in range(11)], color=GREEN, edgecolor="white")
    axes.set_xticks(range(0, 101, 10))
    axes.set_xlabel("key facts surfaced (%)")
    axes.set_ylabel("episodes")
    axes.yaxis.get_major_locator().set_params(integer=True)  # episodes are counted, not measured
    return _png(figure)


def fault_rates(summary: dict) -> bytes:
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(6.0, 2.8))
    rates = summary["faults"]["rates"]
    axes.barh(range(len(FLAGS)), [100 * rates[f] for f in FLAGS], color=RED)
    axes.set_yticks(range(len(FLAGS)), [f.replace("_", " ") for f in FLAGS])
    axes.invert_yaxis()
    axes.set_xlim(0, max(5.0, 100 * max(rates.values(), default=0) * 1.2))
    axes.set_xlabel("episodes flagged (%)")
    return _png(figure)


# ---- which figures, or why not ---------------------------------------------------------------------
def faults_flagged(summary: dict) -> bool:
    """Whether any checked episode was flagged for a simulator fault."""
    return any(rate for rate in summary["faults"]["rates"].values())


def _why_not(summary: dict) -> dict[str, str | None]:
    """Title -> None where the figure is drawn, else the sentence that stands in for it."""
    rows = summary["conditions"]
    points = {(r["cost_usd"], r["accuracy"]) for r in rows}
    budgets = sorted({r["max_turns"] for r in summary["turn_budget"]})
    faults = summary["faults"]
    why = {
        "Accuracy by condition": None if len(rows) > 1 else "One condition only: its accuracy is in the table above.",
        "Accuracy against cost": None if len(points) > 1 else (  # one condition: said just above
            "Every condition has the same accuracy and cost, so there is no trade-off to plot." if len(rows) > 1
            else ""),
        "Accuracy by turn budget": None if _budget_series(summary) else _one_budget(budgets),
        "Key-fact coverage": None if summary["metrics"]["coverage"]["values"] else
        "No completed episode of a case with key facts: no coverage to plot.",
        "Simulator-fault rates": None if faults_flagged(summary) else (
            f"No simulator faults flagged in {faults['n']} checked episodes." if faults["n"] else
            "No completed episode could be checked for simulator faults."),
        "Patient perception by bias": None if summary["surveys"]["n"] else "No patient surveys were answered.",
    }
    if not rows:  # nothing was scored: every accuracy figure would draw "n/a" as 0; say so once
        why.update({"Accuracy by condition": "No scored episodes: no accuracy figures.",
                    "Accuracy against cost": "", "Accuracy by turn budget": ""})
    return why


def _one_budget(budgets: list[int]) -> str:
    if len(budgets) == 1:
        return (f"Every scored episode had the same turn budget ({budgets[0]} turns), so there is no curve; "
                "runs with other --max-turns values draw one.")
    return "No doctor was run at more than one turn budget, so there is no curve to draw."


_DRAW = {"Accuracy by condition": accuracy_by_condition, "Accuracy against cost": accuracy_vs_cost,
         "Accuracy by turn budget": turn_budget_curve, "Key-fact coverage": coverage_distribution,
         "Simulator-fault rates": fault_rates, "Patient perception by bias": ratings_by_bias}


def figures(summary: dict) -> dict[str, Figure]:
    """Every figure of the report by title: drawn where the data supports it, else why not."""
    return {title: Figure(title, png=_DRAW[title](summary)) if note is None else Figure(title, note=note)
            for title, note in _why_not(summary).items()}


def all_figures(summary: dict) -> dict[str, bytes]:
    """Title -> PNG for every figure the data supports."""
    return {title: figure.png for title, figure in figures(summary).items() if figure.png is not None}

