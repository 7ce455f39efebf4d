"""``agentclinic personas`` and the sweep options of ``agentclinic run``."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from .common import JsonOption, console, print_json, user_errors

if TYPE_CHECKING:
    from ..persona import Persona

personas_app = typer.Typer(no_args_is_help=True)


def _values(text: str | None) -> list[str]:
    return [v.strip() for v in (text or "").split(",") if v.strip()]


def sweep_personas(doctor_bias: str | None, patient_bias: str | None, temperament: str | None,
                   anchor: str, stacks: str | None) -> list[Persona]:
    """The cross product of the sweep flags (or the named stacks) as validated personas."""
    from ..persona import Persona, load_library

    library = load_library()
    if stacks:
        return [library.stack(s) for s in _values(stacks)]
    if not (doctor_bias or patient_bias or temperament):
        return []

    def biases(text: str | None, role: str) -> list[tuple[str, ...]]:
        values = _values(text) or ["none"]
        if values == ["all"]:
            return [(b.id,) for b in library.biases.values() if b.role == role]
        return [() if v == "none" else (library.bias(role, v).id,) for v in values]

    def temperaments() -> list[dict[str, str]]:
        chosen = []
        for value in _values(temperament) or ["none"]:
            if value == "none":
                chosen.append({})
            elif "=" in value:
                axis, option = value.split("=", 1)
                chosen.append({axis.strip(): option.strip()})
            else:
                chosen.append({library.axis_of(value): value})
        return chosen

    return [library.validate(Persona(doctor_biases=d, patient_biases=p, temperament=t, anchor=anchor))
            for d, p, t in itertools.product(biases(doctor_bias, "doctor"), biases(patient_bias, "patient"),
                                             temperaments())]


@personas_app.command("list", help="Every bias, temperament option and stored persona stack.")
def list_(as_json: bool = JsonOption) -> None:
    from ..persona import load_library, load_swaps
    from ..report.formatting import FitTable

    library = load_library()
    # Descriptions of cognitive biases mention the anchor generically ("the anchor condition").
    rows = [{"id": b.id, "key": b.key, "kind": f"bias/{b.kind}", "role": b.role, "description": b.describe()}
            for b in library.biases.values()]
    rows += [{"id": o.id, "key": f"{axis}={o.id}", "kind": f"temperament/{axis}", "role": "patient",
              "description": o.description} for axis, a in library.axes.items() for o in a.options]
    rows += [{"id": sid, "key": sid, "kind": "stack", "role": "both", "description": s.label()}
             for sid, s in library.stacks.items()]
    rows += [{"id": name, "key": f"swap:{name}", "kind": "swap", "role": "patient",
              "description": f"{spec['field']}: {', '.join(map(str, spec['values']))}"}
             for name, spec in load_swaps().items()]
    if as_json:
        print_json(rows)
        return
    # The key is what --doctor-bias, --temperament, --persona and `personas show` take: never cut.
    table = FitTable("Personas", key_prefix="P")
    table.add_column("key", ident=True)
    table.add_column("kind")
    table.add_column("role")
    table.add_column("description", free_text=True)
    for row in rows:  # 'temperament: personality' may wrap; 'temperament/personality' could not
        table.add_row(row["key"], row["kind"].replace("/", ": "), row["role"], escape(row["description"]))
    console.print(table)


@personas_app.command(help="Show one bias (role.id), temperament (axis=option) or stack, with its prompt text.")
def show(key: str = typer.Argument(..., help="e.g. patient.self_diagnosis, personality=anxious, worried-googler"),
         anchor: str = typer.Option("cancer", "--anchor"), as_json: bool = JsonOption) -> None:
    from ..persona import PersonaError, load_library

    library = load_library()
    with user_errors():
        if key in library.stacks:
            stack = library.stacks[key]
            data = {**stack.model_dump(mode="json"), "doctor_prompt": library.fragments(stack, "doctor"),
                    "patient_prompt": library.fragments(stack, "patient")}
        elif key in library.biases:
            bias = library.biases[key]
            data = {**bias.model_dump(mode="json"), "prompt": bias.render(anchor)}
        elif "=" in key and (axis := library.axes.get(key.split("=")[0])) and axis.option(key.split("=", 1)[1]):
            data = axis.option(key.split("=", 1)[1]).model_dump(mode="json")  # type: ignore[union-attr]
        else:
            raise PersonaError(f"unknown persona entry {key!r}; see `agentclinic personas list`")
    if as_json:
        print_json(data)
    else:
        for name, value in data.items():
            console.print(f"[bold]{name}:[/] {escape(str(value))}")
