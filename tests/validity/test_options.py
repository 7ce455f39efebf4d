"""Multiple choice never shows fewer than four options, and never two right answers."""

from __future__ import annotations

import json
import sqlite3

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.importers import read_jsonl
from agentclinic.loader import load_pack
from agentclinic.matching import match
from agentclinic.text import normalize
from agentclinic.validity.options import MIN_OPTIONS, OptionDrawer
from conftest import case_data, write_case


def _check_pack(scenarios, pool=None):
    drawer = OptionDrawer(pool or scenarios)
    drawer.check(scenarios)
    for scenario in scenarios:
        choice = drawer.draw(scenario, seed=11)
        options = choice.options
        assert len(options) >= MIN_OPTIONS, scenario.id
        assert len({normalize(o) for o in options}) == len(options), options
        assert scenario.diagnosis.name in options
        related = {"exact", "equivalent", "narrower", "broader"}
        right = [o for o in options if match(o, scenario.diagnosis.name, scenario.diagnosis.synonyms,
                                             scenario.distractors).verdict in related]
        assert right == [scenario.diagnosis.name], (scenario.id, options)
        assert drawer.draw(scenario, seed=11) == choice  # seeded: the same episode sees the same options
        if len(scenario.distractors) >= MIN_OPTIONS - 1:
            assert choice.drawn == () and choice.note() is None
        else:
            assert set(choice.drawn) <= set(options) and choice.note()


def test_every_bundled_case_gets_four_options(core_pack):
    _check_pack(core_pack.scenarios)


@pytest.mark.parametrize("name", ["agentclinic_medqa.jsonl", "agentclinic_nejm.jsonl"])
def test_every_sample_case_gets_four_options(shared_data, name):
    scenarios, problems = read_jsonl(shared_data / name)
    assert problems == []
    _check_pack(scenarios)


def test_draws_prefer_the_same_specialty(tmp_path):
    pack = tmp_path / "pack"
    write_case(pack, case_data(id="a-001", distractors=[]))
    for index, (name, specialty) in enumerate([("Asthma", "pulmonology"), ("Sarcoidosis", "pulmonology"),
                                               ("Pleural effusion", "pulmonology"), ("Gout", "rheumatology"),
                                               ("Psoriasis", "dermatology"), ("Migraine", "neurology")]):
        write_case(pack, case_data(id=f"b-{index:03d}", specialty=specialty, diagnosis={"name": name}))
    scenarios = load_pack(pack).scenarios
    drawer = OptionDrawer(scenarios)
    for seed in range(20):
        drawn = drawer.draw(scenarios[0], seed).drawn
        assert set(drawn) == {"Asthma", "Sarcoidosis", "Pleural effusion"}, drawn


def test_a_pack_too_small_is_a_clear_error_before_anything_runs(tmp_path, db_url):
    pack = tmp_path / "pack"
    write_case(pack, case_data(id="a-001", distractors=["Influenza"]))
    write_case(pack, case_data(id="a-002", diagnosis={"name": "Asthma"}, distractors=[]))
    result = CliRunner().invoke(app, ["run", "--scenarios", str(pack), "--multiple-choice", "--db", db_url])
    assert result.exit_code == 2, result.output
    assert "a-001" in result.output and "a-002" in result.output and "distractors" in result.output
    assert "Traceback" not in result.output


def test_drawn_options_are_logged_with_the_episode(shared_data, tmp_path, db_url):
    result = CliRunner().invoke(app, ["run", "--scenarios", str(shared_data / "agentclinic_medqa.jsonl"),
                                      "--multiple-choice", "--limit", "3", "--db", db_url, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["completed"] == 3
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        rows = con.execute("SELECT text, note FROM turn WHERE speaker = 'system' AND \"index\" = 0").fetchall()
    assert len(rows) == 3
    for text, note in rows:
        drawn = note.removeprefix("multiple-choice options drawn from the pack: ").split("; ")
        assert len(drawn) == 3 and all(name in text for name in drawn)


def test_the_env_shows_four_options_and_refuses_a_pack_too_small(shared_data, tmp_path):
    import gymnasium as gym

    import agentclinic

    env = gym.make(agentclinic.ENV_ID, scenarios=str(shared_data / "agentclinic_medqa.jsonl"),
                   multiple_choice=True, db=None)
    obs, _ = env.reset(seed=3)
    options = obs["text"].split("Choose the diagnosis from: ")[1].rstrip(".").split("; ")
    assert len(options) == MIN_OPTIONS
    env.close()
    pack = tmp_path / "small"
    write_case(pack, case_data(id="a-001", distractors=[]))
    with pytest.raises(ValueError, match="a-001"):
        gym.make(agentclinic.ENV_ID, scenarios=str(pack), multiple_choice=True, db=None)
