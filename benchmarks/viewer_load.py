"""Page load times of the log viewer on a 1,000-episode run (prints numbers; not a test).

    python benchmarks/viewer_load.py [--db URL --run ID] [--episodes N] [--requests R] [--report] [--static]

Without ``--db`` it builds a log: one real scripted run of the core pack (two conditions,
112 episodes), whose episodes, turns, judgements and surveys are then copied into a second
run until it holds N episodes (default 1,000), since running 1,000 episodes takes minutes.
It prints the median of R renders, in process (read model + template), and through HTTP
against ``python -m agentclinic.viewer`` as a real process, of: the runs list, the run's
episode list (every row), a filtered list, and a transcript with an image. ``--report``
also times the run's HTML report page (built by agentclinic.report), ``--static`` the
whole static site. Compare within one run: machines are shared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, insert
from sqlmodel import Session, select

from agentclinic.store import AssessmentRow, Episode, Store, SurveyRow, Turn
from agentclinic.viewer import write_site
from agentclinic.viewer.images import ImageFinder
from agentclinic.viewer.pages import ServerLinks, render_episodes, render_runs, render_transcript
from agentclinic.viewer.queries import Filters, episode_list, run_rows
from agentclinic.viewer.transcript import transcript

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "viewer"))
from viewer_support import ViewerProcess  # noqa: E402 - after the path is set


def scripted_run(url: str) -> int:
    subprocess.run([sys.executable, "-m", "agentclinic", "run", "-q", "--db", url, "--doctor-bias",
                    "none,confirmation"], check=True, stdout=subprocess.DEVNULL)
    store = Store(url)
    try:
        return store.latest_run_id()  # type: ignore[return-value]
    finally:
        store.close()


def _copies(rows, **changes) -> list[dict]:
    return [{**row.model_dump(exclude={"id"}), **changes} for row in rows]


def replicate(url: str, source: int, episodes: int) -> int:
    """A new run holding ``episodes`` copies of ``source``'s episodes, with all their rows
    (bulk inserts: one statement per table)."""
    store = Store(url)
    try:
        run = store.run(source)
        run_id = store.start_run(source=run.source, status="completed", scenarios=run.scenarios, seed=run.seed,
                                 max_turns=run.max_turns, episodes_planned=episodes, bindings=run.bindings,
                                 config=run.config)
        rows = list(store.episodes(source))
        ids = [row.id for row in rows]
        turns, judged, surveys = store.turns_of(ids), store.assessments_of(ids), store.surveys_of(ids)
        tables: dict[type, list[dict]] = {Episode: [], Turn: [], AssessmentRow: [], SurveyRow: []}
        with Session(store.engine) as session:
            first = (session.exec(select(func.max(Episode.id))).one() or 0) + 1
            for k in range(episodes):
                row, new_id = rows[k % len(rows)], first + k
                tables[Episode] += _copies([row], id=new_id, run_id=run_id, trial=k // len(rows))
                tables[Turn] += _copies(turns[row.id], episode_id=new_id)
                tables[AssessmentRow] += _copies(judged[row.id], episode_id=new_id)
                tables[SurveyRow] += _copies([surveys[row.id]] if row.id in surveys else [], episode_id=new_id)
            for table, values in tables.items():
                if values:
                    session.execute(insert(table), values)
            session.commit()
        return run_id
    finally:
        store.close()


def median_ms(action: Callable[[], object], repeats: int) -> float:
    action()  # warm: templates compiled, case files found, connections opened
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def fetch(url: str) -> int:
    with urllib.request.urlopen(url, timeout=600) as response:
        return len(response.read())


def pages(store: Store, run_id: int) -> dict[str, tuple[str, Callable[[], str]]]:
    """Each page: its server path and its in-process render."""
    links, finder = ServerLinks(), ImageFinder()
    with_image = next(e.id for e in store.episodes(run_id) if e.scenario_id == "cardiology-001")
    return {
        "runs list": ("", lambda: render_runs(run_rows(store), links)),
        "episode list (all rows)": (f"runs/{run_id}", lambda: render_episodes(episode_list(store, run_id), links)),
        "filtered list (incorrect)": (f"runs/{run_id}?outcome=incorrect",
                                      lambda: render_episodes(episode_list(store, run_id, Filters(outcome="incorrect")),
                                                              links)),
        "transcript with image": (f"episodes/{with_image}",
                                  lambda: render_transcript(transcript(store, with_image, finder), links)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="an existing log (default: build one in a temporary directory)")
    parser.add_argument("--run", type=int, help="the run to load (default: the latest)")
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=7, help="timed renders per page (the median is shown)")
    parser.add_argument("--report", action="store_true", help="also time the run's report page")
    parser.add_argument("--static", action="store_true", help="also time writing the static site")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url, run_id = args.db, args.run
        if url is None:
            url = f"sqlite:///{Path(directory) / 'viewer-bench.db'}"
            started = time.perf_counter()
            run_id = replicate(url, scripted_run(url), args.episodes)
            print(f"built a {args.episodes}-episode run in {time.perf_counter() - started:.1f} s ({url})")
        store = Store(url, create=False)
        run_id = run_id or store.latest_run_id()
        print(f"run {run_id}: {len(store.episodes(run_id))} episodes; median of {args.requests} (ms)")
        print(f"{'page':28} {'render':>9} {'HTTP':>9} {'KB':>7}")
        with ViewerProcess(url) as viewer:
            for name, (path, render) in pages(store, run_id).items():
                local = median_ms(render, args.requests)
                remote = median_ms(lambda page=viewer.url + path: fetch(page), args.requests)
                print(f"{name:28} {local:9.1f} {remote:9.1f} {fetch(viewer.url + path) / 1024:7.0f}")
            if args.report:
                started = time.perf_counter()
                fetch(f"{viewer.url}runs/{run_id}/report")
                cold = time.perf_counter() - started
                warm = median_ms(lambda: fetch(f"{viewer.url}runs/{run_id}/report"), 3)
                print(f"report page: first {cold:.1f} s, then {warm:.1f} ms (kept while the run is unchanged)")
        if args.static:
            started = time.perf_counter()
            write_site(store, [run_id], Path(directory) / "site")
            print(f"static site of run {run_id}: {time.perf_counter() - started:.1f} s")
        store.close()


if __name__ == "__main__":
    main()
