"""The viewer's read model over a real log: run counts, filters, transcripts, image lookup."""

from __future__ import annotations

import pytest
import yaml
from conftest import case_data, write_case
from PIL import Image
from sqlalchemy import event
from viewer_support import IMAGE_CASE, shared_log

from agentclinic.scenario import Scenario
from agentclinic.store import Store
from agentclinic.viewer.images import ImageFinder, find_case_file
from agentclinic.viewer.queries import Filters, Tally, episode_list, neighbours, run_rows
from agentclinic.viewer.transcript import transcript


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    return shared_log(tmp_path_factory)


@pytest.fixture()
def store(log):
    opened = Store(log.url, create=False)
    yield opened
    opened.close()


def test_run_rows_count_outcomes_like_the_episode_rows(store, log):
    runs = {run.id: run for run in run_rows(store)}
    assert set(runs) == {log.scripted_run, log.failed_run}
    rows = store.episodes(log.scripted_run)
    scripted = runs[log.scripted_run].tally
    assert scripted.total == len(rows) == 8
    assert scripted.correct == sum(1 for r in rows if r.correct) and scripted.incorrect == sum(
        1 for r in rows if r.correct is False)
    assert 0 < scripted.correct < 8  # the bias makes some wrong: both outcomes exist
    assert scripted.accuracy == pytest.approx(scripted.correct / 8)
    failed = runs[log.failed_run].tally
    assert (failed.total, failed.failed, failed.accuracy) == (1, 1, None)
    assert dict(runs[log.failed_run].bindings)["doctor"].startswith("openai:gpt-4o-mini@http://127.0.0.1:")


def test_filters_parse_ignore_unknown_and_empty_values():
    filters = Filters.parse([("outcome", "incorrect"), ("case", " "), ("bogus", "x"), ("model", "m")])
    assert filters == Filters(outcome="incorrect", model="m")
    assert filters.active() == {"outcome": "incorrect", "model": "m"}
    assert Tally.of([]).accuracy is None


@pytest.mark.parametrize("name,value", [("outcome", "incorrect"), ("outcome", "correct"), ("case", IMAGE_CASE),
                                        ("condition", "doctor:confirmation"), ("specialty", "cardiology")])
def test_filtered_lists_hold_exactly_the_matching_episodes(store, log, name, value):
    listing = episode_list(store, log.scripted_run, Filters(**{name: value}))
    rows = {row.id: row for row in store.episodes(log.scripted_run)}
    expected = {eid for eid, row in rows.items() if _matches(row, name, value)}
    assert {row.id for row in listing.shown} == expected and expected
    assert listing.tally.total == len(expected)
    assert value in listing.options[name]


def _matches(row, name: str, value: str) -> bool:
    return {"outcome": lambda: row.status == "completed" and row.correct == (value == "correct"),
            "case": lambda: row.scenario_id == value,
            "condition": lambda: (row.persona_id or "neutral") == value,
            "specialty": lambda: row.specialty == value}[name]()


def test_model_filter_finds_the_model_bound_in_the_run(store, log):
    [model] = episode_list(store, log.failed_run).options["model"]  # every role bound to one spec
    assert model.startswith("openai:gpt-4o-mini")
    listing = episode_list(store, log.failed_run, Filters(model=model, outcome="failed"))
    assert len(listing.shown) == 1 and listing.shown[0].error
    assert not episode_list(store, log.scripted_run, Filters(model=model)).shown
    assert episode_list(store, log.scripted_run).options["model"] == []  # scripted roles are no models


def test_an_episode_list_costs_a_fixed_number_of_queries(store, log):
    statements = []
    event.listen(store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    listing = episode_list(store, log.scripted_run, Filters(outcome="incorrect"))
    assert len(listing.rows) == 8
    assert len(statements) <= 3, statements  # the run, its episodes, their models: never one per row


def test_unknown_runs_and_episodes_are_none(store):
    assert episode_list(store, 999) is None
    assert transcript(store, 999, ImageFinder()) is None


def test_neighbours_at_the_ends_and_when_absent():
    assert neighbours([3, 5, 9], 5) == (3, 9)
    assert neighbours([3, 5, 9], 3) == (None, 5) and neighbours([3, 5, 9], 9) == (5, None)
    assert neighbours([3, 5, 9], 4) == (None, None)


def test_transcript_holds_turns_in_order_images_judges_and_survey(store, log):
    episode = next(e for e in store.episodes(log.scripted_run) if e.scenario_id == IMAGE_CASE)
    page = transcript(store, episode.id, ImageFinder())
    indexes = [item.index for item in page.items if item.kind == "turn"]
    assert indexes == sorted(indexes) == list(range(len(store.turns(episode.id))))
    shown = [img for item in page.items if item.kind == "turn" for img in item.images]
    assert shown and all(img.available for img in shown) and shown[0].modality
    assert {item.provenance for item in page.items if item.kind == "turn"} >= {"case"}
    assert page.assessments and page.survey is not None and page.case.id == IMAGE_CASE
    assert page.metrics.turns == episode.turns
    assert page.next_id == episode.id + 1 and page.previous_id is None


def test_prev_and_next_follow_the_filtered_list(store, log):
    wrong = [e.id for e in store.episodes(log.scripted_run) if e.correct is False]
    page = transcript(store, wrong[1], ImageFinder(), Filters(outcome="incorrect"))
    assert (page.previous_id, page.next_id) == (wrong[0], wrong[2])


# ---- images: only the case's own files, inside its pack, as raster images ----------------------
def _png(path, size=(4, 3)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "red").save(path, format="PNG")
    return path


def _pack_with_image(tmp_path, file: str):
    data = case_data(images=[{"id": "pic", "file": file, "modality": "photograph"}])
    write_case(tmp_path / "pack", data)
    return Scenario.model_validate(data)


def test_a_pack_image_is_found_and_typed_by_its_bytes(tmp_path):
    _png(tmp_path / "pack" / "images" / "pic.jpg")  # a PNG named .jpg: its bytes decide
    case = _pack_with_image(tmp_path, "images/pic.jpg")
    found = ImageFinder().lookup(str(tmp_path / "pack"), case.id, case, "pic")
    assert found.found is not None and found.found.media_type == "image/png" and found.found.suffix == ".png"


def test_images_outside_the_pack_are_refused_even_through_links(tmp_path):
    secret = _png(tmp_path / "secret.png")
    case = _pack_with_image(tmp_path, "../secret.png")
    assert "outside" in ImageFinder().lookup(str(tmp_path / "pack"), case.id, case, "pic").reason
    (tmp_path / "pack" / "link.png").symlink_to(secret)
    linked = _pack_with_image(tmp_path, "link.png")
    assert "outside" in ImageFinder().lookup(str(tmp_path / "pack"), linked.id, linked, "pic").reason


def test_unknown_ids_and_non_images_are_not_served(tmp_path):
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "pic.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>")
    case = _pack_with_image(tmp_path, "pic.svg")
    finder = ImageFinder()
    assert finder.lookup(str(tmp_path / "pack"), case.id, case, "pic").found is None
    escape = finder.lookup(str(tmp_path / "pack"), case.id, case, "../../etc/passwd")
    assert escape.reason == "not an image of this case"


def test_case_files_are_found_by_id_even_when_written_in_flow_style(tmp_path):
    write_case(tmp_path / "pack", case_data(id="plain-001"))
    (tmp_path / "pack" / "odd.yaml").write_text(yaml.safe_dump(case_data(id="odd-001"), default_flow_style=True))
    assert find_case_file(str(tmp_path / "pack"), "plain-001").file.name == "plain-001.yaml"
    assert find_case_file(str(tmp_path / "pack"), "odd-001").file.name == "odd.yaml"
    assert find_case_file(str(tmp_path / "pack"), "missing-001") is None
    assert find_case_file(str(tmp_path / "nowhere"), "plain-001") is None
