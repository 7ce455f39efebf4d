"""A self-contained HTML report: tables and embedded PNG figures, no external files.

Every string from runs, cases and models is escaped: a transcript or a model label can
never inject markup into the page. Case and model text may be Chinese, Korean, Hindi or
Persian: each element holding it takes its direction from its own first letter
(``dir="auto"``, so Persian reads right to left inside an English page) and, where the
episode's language is known, carries it (``lang``), which picks the script's fonts below.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from ..language import base_code, get_language
from .formatting import NA, accuracy_with_ci, number, pct
from .plots import all_figures
from .summary import FLAGS, RATINGS
from .tables import SPEND_COLUMNS, reflect_rates, tool_uses

# Fonts the reader's system already has (nothing is downloaded): Latin first, then common
# Chinese, Korean, Devanagari and Arabic-script faces, so every language finds glyphs; an
# element that says its language puts that script's faces first (Han characters differ by
# language, and Persian reads best in a Naskh face).
_CJK = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Noto Sans CJK KR","Malgun Gothic"'
_FONTS = ('system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",' + _CJK + ',"Apple SD Gothic Neo",'
          '"Noto Sans Devanagari","Nirmala UI",Mangal,"Kohinoor Devanagari","Vazirmatn","Noto Naskh Arabic",'
          '"Noto Sans Arabic",Tahoma,"Geeza Pro",sans-serif')
_SCRIPT_FONTS = {
    "zh": '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei"',
    "ko": '"Noto Sans CJK KR","Source Han Sans KR","Apple SD Gothic Neo","Malgun Gothic"',
    "hi": '"Noto Sans Devanagari","Nirmala UI",Mangal,"Kohinoor Devanagari"',
    "fa": '"Vazirmatn","Noto Naskh Arabic","Noto Sans Arabic",Tahoma,"Geeza Pro"',
}
_STYLE = f"""
body{{font-family:{_FONTS};margin:2rem auto;max-width:60rem;color:#222;line-height:1.4}}
table{{border-collapse:collapse;margin:0.5rem 0 1.5rem}}th,td{{border:1px solid #ccc;padding:0.25rem 0.6rem;
text-align:right}}th:first-child,td:first-child{{text-align:left}}caption{{font-weight:600;text-align:left;
padding:0.3rem 0}}img{{max-width:100%;display:block;margin:0.5rem 0 1.5rem}}.note{{color:#666;font-size:0.9rem}}
td[dir=auto],li[dir=auto]{{text-align:start}}summary{{font-weight:600;cursor:pointer;margin:0.5rem 0}}
""" + "".join(f":lang({code}){{font-family:{fonts},{_FONTS}}}\n" for code, fonts in _SCRIPT_FONTS.items())


# A case in Persian may still hold an English name, and a model may answer in English: text
# with no letter of its language's script does not claim that language.
_SCRIPTS = {"fa": re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]"),
            "zh": re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"),
            "ko": re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]"),
            "hi": re.compile("[\u0900-\u097f]")}


@dataclass(frozen=True)
class _Text:
    """A cell of case or model text: its own direction, and its language where known."""

    value: object
    lang: str | None = None

    def attributes(self) -> str:
        script = _SCRIPTS.get(base_code(self.lang)) if self.lang else None
        claims = self.lang and (script is None or script.search(str(self.value)))
        return ' dir="auto"' + (f' lang="{_e(self.lang)}"' if claims else "")


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _td(cell: object) -> str:
    if isinstance(cell, _Text):
        return f"<td{cell.attributes()}>{_e(cell.value)}</td>"
    return f"<td>{_e(cell)}</td>"


def _table(caption: str, header: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in rows)
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(summary: dict, title: str = "AgentClinic report") -> str:
    """The whole report as one HTML document."""
    head = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
            f'<style>{_STYLE}</style></head><body><h1 dir="auto">{_e(title)}</h1>')
    parts = [head, _intro(summary)]
    parts.append(_table("Accuracy by condition", ["condition", "n", "accuracy (95% CI)", "top-1", "top-3",
                                                   "top-5", "cost/episode (USD)", "model USD/episode", "Pareto"],
                        [[r["label"], r["n"], accuracy_with_ci(r), pct(r["top_k"]["1"]), pct(r["top_k"]["3"]),
                          pct(r["top_k"]["5"]), number(r["cost_usd"], ",.0f"), number(r["llm_cost_usd"], ".4f"),
                          "yes" if r["pareto"] else ""] for r in summary["conditions"]]))
    for axis, rows in summary["breakdowns"].items():
        if len(rows) > 1:
            parts.append(_table(f"Accuracy by {axis.replace('_', ' ')}", [axis, "n", "accuracy (95% CI)"],
                                [[_Text(r["key"]), r["n"], accuracy_with_ci(r)] for r in rows]))
    parts.append(_cases(summary))
    parts.append(_paired(summary))
    parts.append(_paired_spend(summary))
    parts.append(_doctor_tools(summary))
    parts.append(_pass_k(summary))
    parts.append(_metrics(summary))
    parts.append(_table("Simulator-fault rates", ["flag", "rate"],
                        [[f, pct(summary["faults"]["rates"][f])] for f in FLAGS]
                        + [["any", pct(summary["faults"]["any"])]]))
    if summary["faults"]["examples"]:  # evidence quotes replies: each item finds its own direction
        parts.append("<p class=note>Examples:</p><ul class=note>"
                     + "".join(f'<li dir="auto">{_e(x)}</li>' for x in summary["faults"]["examples"]) + "</ul>")
    parts.append(_surveys(summary))
    for caption, png in all_figures(summary).items():
        data = base64.b64encode(png).decode("ascii")
        parts.append(f"<h2>{_e(caption)}</h2><img alt=\"{_e(caption)}\" src=\"data:image/png;base64,{data}\">")
    parts.append("</body></html>")
    return "\n".join(parts)


def _cases(summary: dict) -> str:
    """Each case's title and right answer in the case's language, the doctor's answers in its own;
    folded away (no script needed) since a whole pack is hundreds of rows."""
    cases = summary.get("cases", [])
    if not cases:
        return ""
    rows = [[_Text(c["id"]), _Text(c["title"], c["language"]), _language_name(c["language"]), c["episodes"],
             c["correct"], _Text(c["correct_diagnosis"], c["language"]),
             _Text("; ".join(c["diagnoses"]), c["doctor_language"])] for c in cases]
    table = _table("Cases: the right answer and the doctor's most frequent answers",
                   ["case", "title", "language", "episodes", "correct", "correct diagnosis", "doctor's diagnoses"],
                   rows)
    return f"<details><summary>Cases ({len(cases)})</summary>{table}</details>"


def _language_name(tag: str) -> str:
    found = get_language(tag)
    return f"{tag} ({found.name})" if found else tag


def _intro(summary: dict) -> str:
    counts = summary["episodes"]
    runs = "; ".join(f"run {r['id']}: doctor {r['doctor']}, {r['scenarios']}, {r['max_turns']} turns, {r['status']}"
                     for r in summary["runs"])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<p>{_e(runs)}.</p><p>{counts['total']} episodes: {counts['completed']} completed, "
            f"{counts['failed']} failed, {counts['abandoned']} abandoned; {counts['scored']} scored by "
            f"{_e(summary['assessor'])}" + (f", {counts['excluded_flagged']} excluded for simulator faults"
                                           if counts["excluded_flagged"] else "")
            + f". Overall accuracy {_overall(summary['overall'])}.</p><p class=note>Generated {stamp}.</p>")


def _overall(overall: dict) -> str:
    return accuracy_with_ci(overall) + ("" if overall["n"] else " (no scored episodes)")


def _paired(summary: dict) -> str:
    rows = [[r["condition"], r["reference"], r["n_pairs"], pct(r["reference_accuracy"]), pct(r["accuracy"]),
             number(r["normalised_accuracy"]),
             f"{r['mcnemar']['a_only']} / {r['mcnemar']['b_only']}", number(r["mcnemar"]["p_value"], ".3g"),
             _rating_test(r)] for r in summary["paired"]]
    if not rows:
        return ""
    return _table("Paired comparisons on the same cases and trials",
                  ["condition", "reference", "pairs", "ref. accuracy", "accuracy", "normalised",
                   "only ref / only cond", "McNemar p", "confidence rating Δ (paired t p)"], rows)


def _paired_spend(summary: dict) -> str:
    rows = [[r["condition"], r["reference"], r["factor"],
             *(f"{number(r['reference_' + key], spec)} → {number(r[key], spec)}" for key, spec in SPEND_COLUMNS)]
            for r in summary["paired"]]
    if not rows:
        return ""
    return _table("Paired spend: means per episode over the pairs (reference → condition)",
                  ["condition", "reference", "compares", "cost (USD)", "model USD", "tokens", "doctor-tool tokens"],
                  rows)


def _doctor_tools(summary: dict) -> str:
    rows = [[r["label"], r["episodes"], tool_uses(r), number(r["searches_per_episode"]),
             number(r["tool_tokens"], ",.0f"), number(r["tool_cost_usd"], ".4f"), reflect_rates(r),
             r["notebook_truncated"]] for r in summary.get("doctor_tools", [])]
    if not rows:
        return ""
    return _table("Doctor tools, per completed episode",
                  ["condition", "episodes", "uses per episode", "searches", "tool tokens", "tool USD",
                   "reflection: changed / continued", "notes truncated"], rows)


def _rating_test(row: dict) -> str:
    test = row["ratings"].get("confidence")
    if not test or test["t"]["mean_diff"] is None:
        return NA
    return f"{test['t']['mean_diff']:+.2f} (p={number(test['t']['p_value'], '.3g')})"


def _pass_k(summary: dict) -> str:
    rows = [[label, *(f"pass^{k} {pct(v)}" for k, v in ks.items())] for label, ks in summary["pass_k"].items()
            if len(ks) > 1]
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    return _table("pass^k over repeated trials", ["condition", *[f"k={k}" for k in range(1, width)]],
                  [r + [""] * (width - len(r)) for r in rows])


def _metrics(summary: dict) -> str:
    metrics = summary["metrics"]
    rows = [[name.replace("_", " "), number(value)] for name, value in metrics["mean"].items()]
    rows += [[name.replace("_", " ") + " (share)", pct(value)] for name, value in metrics["rate"].items()]
    rows.append(["key-fact coverage (mean)", pct(metrics["coverage"]["mean"])])
    rows.append(["tokens per episode", number(metrics["tokens"], ",.0f")])
    return _table(f"Dialogue and process metrics (means over {metrics['n']} completed episodes)",
                  ["metric", "value"], rows)


def _surveys(summary: dict) -> str:
    surveys = summary["surveys"]
    if not surveys["n"]:
        return ""
    note = "heuristic: derived by the scripted patient's rules" if surveys["heuristic"] == surveys["n"] else (
        f"{surveys['heuristic']} of {surveys['n']} heuristic" if surveys["heuristic"] else "answered in role")
    rows = [[r["key"], r["n"], *(number(r[item]["mean"], ".1f") for item in RATINGS)]
            for r in [{"key": "all", "n": surveys["n"], **surveys["overall"]}, *surveys["by_bias"]]]
    return _table(f"Patient perception, 1-10 ({note})", ["bias", "n", *RATINGS], rows)
