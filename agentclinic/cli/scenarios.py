"""``agentclinic scenarios``: list, show, validate and describe case files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from ..paths import DEFAULT_PACK, bundled_dir
from .common import JsonOption, console, err_console, print_json, user_errors

if TYPE_CHECKING:
    from ..scenario import Scenario

scenarios_app = typer.Typer(no_args_is_help=True)
PackOption = typer.Option(DEFAULT_PACK, "--scenarios", "-s", help="Bundled pack name, pack directory or case file.")


def _summary(scenario: Scenario) -> dict:
    return {
        "id": scenario.id,
        "title": scenario.title,
        "specialty": scenario.specialty,
        "language": scenario.language,
        "images": len(scenario.images),
        "tests": len(scenario.tests),
        "distractors": len(scenario.distractors),
        "key_facts": len(scenario.key_facts),
        "source": scenario.source,
        "license": scenario.license,
    }


@scenarios_app.command("list", help="List the cases in a pack.")
def list_(scenarios: str = PackOption, as_json: bool = JsonOption) -> None:
    from ..loader import load_pack
    from ..report.formatting import FitTable

    with user_errors():
        pack = load_pack(scenarios)
    rows = [_summary(s) for s in pack.scenarios]
    if as_json:
        print_json(rows)
        return
    table = FitTable(f"{escape(pack.name)}: {len(rows)} cases", key_prefix="K")
    table.add_column("id", ident=True)  # typed again as --scenario and `scenarios show`: never cut
    table.add_column("specialty")
    table.add_column("title", free_text=True)
    for column in ("tests", "images"):
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(row["id"], escape(row["specialty"]), escape(row["title"]), str(row["tests"]),
                      str(row["images"]))
    console.print(table)


@scenarios_app.command(help="Show one case in full, including its diagnosis (for people, not agents).")
def show(scenario_id: str = typer.Argument(..., help="Case id."), scenarios: str = PackOption,
         as_json: bool = JsonOption) -> None:
    from ..loader import load_pack
    from ..resolver import render_findings

    with user_errors():
        scenario = load_pack(scenarios).get(scenario_id)
    if as_json:
        print_json(scenario.model_dump(mode="json", exclude_none=True))
        return
    card = scenario.patient
    console.rule(f"[bold]{escape(scenario.id)}[/] — {escape(scenario.title)}")
    console.print(f"[dim]{scenario.specialty} · {scenario.language} · {scenario.source} · {scenario.license}[/]")
    console.print(f"[bold]Objective:[/] {escape(scenario.objective)}")
    console.print(f"[bold]Patient:[/] {escape(card.demographics.describe())}. {escape(card.chief_complaint)}")
    console.print(f"[bold]History:[/] {escape(card.history_of_present_illness)}")
    console.print("[bold]Symptoms:[/] " + escape("; ".join(
        s.name if s.present else f"no {s.name}" for s in card.symptoms)))
    console.print("[bold]Examination:[/]\n" + escape(render_findings(scenario.physical_exam, 1)))
    console.print("[bold]Tests:[/]")
    for test in scenario.tests:
        console.print(f"  [cyan]{escape(test.name)}[/] ({test.category}): {escape(test.render())}")
    for image in scenario.images:
        console.print(f"[bold]Image[/] {escape(image.id)}: {escape(image.modality)} — {escape(image.caption or '')}")
    console.print(f"[bold green]Diagnosis:[/] {escape(scenario.diagnosis.name)}"
                  + (f" (synonyms: {escape(', '.join(scenario.diagnosis.synonyms))})" if scenario.diagnosis.synonyms else ""))
    console.print(f"[bold]Distractors:[/] {escape('; '.join(scenario.distractors))}")
    console.print("[bold]Key facts:[/]\n" + "\n".join(f"  - {escape(f)}" for f in scenario.key_facts))


@scenarios_app.command(help="Check case files; a directory reports every problem. Default: the bundled packs.")
def validate(paths: list[Path] = typer.Argument(None, help="Case files or pack directories."),
             strict: bool = typer.Option(False, "--strict", help="Treat warnings as errors."),
             as_json: bool = JsonOption) -> None:
    from ..loader import check_sources, list_bundled_packs

    sources = [str(p) for p in paths] if paths else [str(bundled_dir("scenarios") / p) for p in list_bundled_packs()]
    loaded, problems = check_sources(sources)
    errors = [p for p in problems if p.severity == "error" or strict]
    warnings = [p for p in problems if p.severity == "warning" and not strict]
    if as_json:
        print_json({"loaded": len(loaded), "errors": len(errors), "warnings": len(warnings),
                    "problems": [vars(p) for p in problems]})
    else:
        for problem in problems:  # colour by severity: a membership test in `errors` made this quadratic
            colour = "red" if problem.severity == "error" or strict else "yellow"
            # No highlighting: it guesses at numbers and paths and is most of the cost per line.
            err_console.print(f"[{colour}]{problem.severity}[/] {escape(str(problem))}", highlight=False)
        bad_files = len({p.file for p in errors})
        summary = f"{len(loaded)} case(s) loaded, {len(errors)} error(s) in {bad_files} file(s), {len(warnings)} warning(s)"
        (err_console if errors else console).print(("[red]" if errors else "[green]") + summary + "[/]")
    if errors:
        raise typer.Exit(1)


@scenarios_app.command("import", help="Convert an AgentClinic JSONL dataset (OSCE or NEJM) into native YAML cases.")
def import_(file: Path = typer.Argument(..., help="AgentClinic .jsonl file (MedQA, MedQA-Extended, MIMIC-IV, NEJM)."),
            out: Path = typer.Option(..., "--out", "-o", help="Directory to write the pack into."),
            skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Import the valid lines, report the rest."),
            fetch_images: bool = typer.Option(True, "--fetch-images/--no-fetch-images",
                                              help="Download remote images into the pack (else keep their URLs).")) -> None:
    from ..image_cache import ImageCache
    from ..importers import read_jsonl
    from ..importers.writer import write_pack

    if not file.is_file():
        err_console.print(f"[red]Error:[/] {escape(str(file))}: no such file")
        raise typer.Exit(2)
    scenarios, problems = read_jsonl(file)
    for problem in problems:
        err_console.print(f"[{'yellow' if skip_invalid else 'red'}]{'skipped' if skip_invalid else 'error'}[/] "
                          f"{escape(str(problem))}")
    if problems and not skip_invalid:
        err_console.print(f"[red]{len(problems)} problem(s); nothing written.[/] Fix them or pass --skip-invalid.")
        raise typer.Exit(1)
    written, image_notes = write_pack(scenarios, out, ImageCache() if fetch_images else None)
    for note in image_notes:
        err_console.print(f"[yellow]image[/] {escape(note)}")
    skipped_lines = len({p.field.split(":")[0] for p in problems})
    console.print(f"Wrote {written} case(s) to {escape(str(out))}"
                  + (f"; skipped {skipped_lines} line(s)" if skipped_lines else "") + ".", soft_wrap=True)


@scenarios_app.command(help="Print the JSON Schema of a case file (for editor validation).")
def schema() -> None:
    from ..scenario import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
