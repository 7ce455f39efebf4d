"""``agentclinic audit``: probe a pack's simulated patient and measurement before trusting a run."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from ..paths import DEFAULT_PACK
from .common import JsonOption, console, err_console, print_json, user_errors
from .run import parse_role_options

if TYPE_CHECKING:
    from ..validity.audit import AuditResult

# What the scripted roles are held to in the tests; shown beside the figures as a yardstick.
TARGETS = {"open_answered": "100%", "card_topics_answered": ">= 95%", "first_person": "100%",
           "contradictions": "0", "leaks": "0", "normal_fill_contradictions": "0"}
_LABELS = {
    "open_answered": "open questions answered", "card_topics_answered": "card topics answered",
    "compound_answered": "compound questions, every part answered", "first_person": "replies in the first person",
    "off_card_dont_know": "'don't know' on off-card topics", "contradictions": "replies contradicting the card",
    "leaks": "patient replies naming the diagnosis",
    "reports_naming_diagnosis": "case reports naming the diagnosis (redacted in episodes)",
    "case_tests_found": "case tests found by name", "missing_normal_fill": "missing tests given normal text",
    "normal_fill_contradictions": "normal text contradicting the case", "replies": "replies checked",
}


def audit(
    scenarios: str = typer.Option(DEFAULT_PACK, "--scenarios", "-s", help="Bundled pack name, pack directory or "
                                                                          "case file (AgentClinic JSONL too)."),
    scenario: list[str] = typer.Option(None, "--scenario", help="Audit only this case id (repeatable)."),
    limit: int = typer.Option(None, "--limit", "-n", min=1, help="Audit at most this many cases."),
    patient: str = typer.Option("scripted", "--patient", help="Patient: 'scripted', a model spec, or 'none'."),
    measurement: str = typer.Option("scripted", "--measurement",
                                    help="Measurement: 'scripted', a model spec, or 'none'."),
    base_url: str = typer.Option(None, "--base-url", help="OpenAI-compatible server URL for model roles."),
    prompts: str = typer.Option("default", "--prompts", help="Prompt set: default, agentclinic-v1 or a .yaml path."),
    role_option: list[str] = typer.Option(None, "--role-option", metavar="ROLE.KEY=VALUE",
                                          help="Per-role model setting, as for `agentclinic run`."),
    seed: int = typer.Option(0, "--seed", help="Seed for the roles."),
    show: int = typer.Option(10, "--show", min=0, help="Print this many failing replies to read."),
    out: Path = typer.Option(None, "--out", help="Write every probe and reply as JSON to this file."),
    as_json: bool = JsonOption,
) -> None:
    """Probe every case's roles with questions built from its card and check the replies."""
    import asyncio

    from ..agents.registry import RoleSettings, build
    from ..loader import load_pack
    from ..validity.audit import run_audit

    with user_errors():
        pack = load_pack(scenarios)
        cases = [pack.get(sid) for sid in scenario] if scenario else pack.scenarios
        cases = cases[:limit] if limit else cases
        settings = RoleSettings(prompts=prompts, base_url=base_url, per_role=parse_role_options(role_option or []))
        if patient == "none" and measurement == "none":
            raise ValueError("nothing to audit: give --patient or --measurement (not both 'none')")
        patients = build("patient", patient, settings) if patient != "none" else None
        measurements = build("measurement", measurement, settings) if measurement != "none" else None
    make_patient = (lambda case: patients(case, seed)) if patients else None
    make_measurement = (lambda case: measurements(case, seed)) if measurements else None
    busy = console.status("auditing…", spinner="dots") if not as_json else contextlib.nullcontext()
    with user_errors(), busy:
        result = asyncio.run(run_audit(cases, make_patient, make_measurement))
    if out is not None:
        out.write_text(json.dumps([vars(c) for c in result.checks], indent=1, ensure_ascii=False), encoding="utf-8")
    if as_json:
        print_json({"pack": pack.name, "patient": patient, "measurement": measurement,
                    **result.to_json(limit=show), "per_case": result.per_case()})
        return
    _print(result, pack.name, patient, measurement, show)
    if out is not None:
        err_console.print(f"Every probe and reply written to {escape(str(out))}.")


def _print(result: AuditResult, pack: str, patient: str, measurement: str, show: int) -> None:
    from rich.table import Table

    summary = result.summary()
    table = Table(title=f"Simulator audit: {pack} ({summary['cases']} cases; patient {patient}, "
                        f"measurement {measurement})")
    for column in ("check", "result", "held to (scripted roles)"):
        table.add_column(column)
    for key, label in _LABELS.items():
        value = summary.get(key)
        if value is None:
            continue
        shown = f"{value:.1%}" if isinstance(value, float) else f"{value:,}"
        table.add_row(label, shown, TARGETS.get(key, ""))
    console.print(table)
    for failure in result.to_json(limit=show)["failures"]:
        problems = "; ".join(failure["problems"]) or "not answered"
        console.print(f"[dim]{escape(failure['case'])} {failure['kind']}[/] {escape(failure['question'])!s} → "
                      f"{escape(failure['reply'][:200])} [yellow]({escape(problems)})[/]", soft_wrap=True)
