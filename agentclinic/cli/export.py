"""``agentclinic export``: a logged run's episodes as a training dataset (reads the log only)."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape

from .choices import EXPORT_FORMATS as FORMATS
from .choices import EXPORT_STATUSES as STATUSES
from .common import DbOption, err_console, user_errors

VIEWS = ("doctor",)


def export(run: int = typer.Option(None, "--run", "-r", help="Run id (default: the latest run)."),
           fmt: str = typer.Option("jsonl", "--format", "-f", help=f"{', '.join(FORMATS)}."),
           out: str = typer.Option(None, "--out", "-o", help="File (jsonl, parquet, pairs) or folder (hf); "
                                    "jsonl and pairs go to stdout without it."),
           view: str = typer.Option("doctor", "--view", help="Whose conversation: doctor."),
           correct_only: bool = typer.Option(False, "--correct-only", help="Only episodes judged correct."),
           status: str = typer.Option("completed", "--status", help=f"Episodes to export: {', '.join(STATUSES)}."),
           assessor: str = typer.Option(None, "--assessor", help="Count this assessor's latest judgement "
                                        "(as in `agentclinic report`); default: the run's own."),
           force: bool = typer.Option(False, "--force", help="Replace an existing output."),
           db: str = DbOption) -> None:
    """One record per episode: the doctor's chat messages, case, seed, condition, label, verdict,
    reward terms, metrics and model calls; or DPO preference pairs (``--format pairs``)."""
    from ..export import Selection, export_records, preference_pairs, write
    from ..llm.backends.base import MissingExtraError
    from ..store import Store

    started = time.perf_counter()
    with user_errors():
        if view not in VIEWS:
            raise ValueError(f"--view must be one of {', '.join(VIEWS)}, got {view!r}")
        if fmt == "pairs" and correct_only:
            raise ValueError("--correct-only leaves no wrong episodes to pair; drop it for --format pairs")
        store = Store(db, create=False)  # reading never creates an empty log
        try:
            records = export_records(store, Selection(run, status, correct_only, assessor))
            rows = preference_pairs(records) if fmt == "pairs" else records
            if fmt == "pairs" and not rows:
                raise ValueError(f"run {records[0]['run_id']} has no case with both a correct and a wrong episode "
                                 "under the same condition; run more --trials (or a stronger and a weaker doctor)")
            write(rows, fmt, Path(out) if out is not None else None, force=force)
        except MissingExtraError as exc:
            raise ValueError(str(exc)) from None
        except BrokenPipeError:  # `agentclinic export | head`: the reader has all it wanted
            raise typer.Exit(0) from None
        except OSError as exc:  # a folder that cannot be written, a full disk, ...
            where = out if out is not None else "standard output"
            raise ValueError(f"cannot write {where}: {exc.strerror or exc}; choose another --out or free space")
        finally:
            store.close()
    kind = "pairs" if fmt == "pairs" else "episodes"
    where = f" to {escape(out)}" if out is not None else ""
    err_console.print(f"Exported {len(rows)} {kind}{where} in {time.perf_counter() - started:.2f} s.")
