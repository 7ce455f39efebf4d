"""`agentclinic export` end to end: a real CLI run, every format written and loaded back with
real `datasets`, and one-line errors for the mistakes a person makes."""

from __future__ import annotations

import json
import sys

import datasets
import pytest
from chat_support import without_nulls
from export_support import SecondThoughtsDoctor, leaked_terms, run
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.export.formats import json_line

runner = CliRunner()


@pytest.fixture()
def logged(db_url):
    done = runner.invoke(app, ["run", "-q", "--limit", "3", "--trials", "2", "--max-turns", "8", "--db", db_url,
                               "--doctor-bias", "none,confirmation"])
    assert done.exit_code == 0, done.output
    return db_url


def _export(db, *args):
    return runner.invoke(app, ["export", "--db", db, *args])


def test_every_format_loads_back_as_the_same_table(logged, tmp_path, core_pack):
    lines = _export(logged)  # stdout by default
    assert lines.exit_code == 0, lines.output
    records = [json.loads(line) for line in lines.stdout.splitlines()]
    assert len(records) == 12 and {r["condition"] for r in records} == {"neutral", "doctor:confirmation"}
    for fmt, out in (("jsonl", tmp_path / "ep.jsonl"), ("parquet", tmp_path / "ep.parquet"), ("hf", tmp_path / "ep")):
        done = _export(logged, "--format", fmt, "--out", str(out))
        assert done.exit_code == 0, done.output
        assert f"Exported 12 episodes to {out}" in done.output
    from_json = datasets.load_dataset("json", data_files=str(tmp_path / "ep.jsonl"), split="train",
                                      cache_dir=str(tmp_path / "cache"))
    from_parquet = datasets.load_dataset("parquet", data_files=str(tmp_path / "ep.parquet"), split="train",
                                         cache_dir=str(tmp_path / "cache"))
    from_disk = datasets.load_from_disk(str(tmp_path / "ep"))
    for table in (from_json, from_parquet, from_disk):
        assert table.num_rows == 12
        assert [without_nulls(row) for row in table] == [without_nulls(r) for r in records]
    roles = [m["role"] for m in from_disk[0]["messages"]]
    assert roles[:3] == ["system", "user", "assistant"] and set(roles) == {"system", "user", "assistant"}
    assert leaked_terms(records, core_pack) == []


def test_pairs_are_the_conversational_preference_shape(core_pack, db_url, tmp_path):
    run(core_pack, db_url, SecondThoughtsDoctor(), cases=4, trials=2)
    out = tmp_path / "pairs.jsonl"
    done = _export(db_url, "--format", "pairs", "--out", str(out))
    assert done.exit_code == 0, done.output
    table = datasets.load_dataset("json", data_files=str(out), split="train", cache_dir=str(tmp_path / "cache"))
    assert table.num_rows >= 1 and {"prompt", "chosen", "rejected"} <= set(table.column_names)
    for pair in table:
        assert [m["role"] for m in pair["prompt"]] == ["system", "user"]
        for side in (pair["chosen"], pair["rejected"]):
            assert side[0]["role"] == "assistant" and side[-1]["role"] == "assistant"
        assert pair["rejected"][-1]["content"] == f"DIAGNOSIS READY: {SecondThoughtsDoctor.WRONG}"
    refused = _export(db_url, "--format", "pairs", "--correct-only")
    assert refused.exit_code == 2 and "--correct-only leaves no wrong episodes" in refused.output


def test_correct_only_filters(logged):
    done = _export(logged, "--correct-only")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and all(r["correct"] for r in records) and len(records) < 12


def test_an_output_is_replaced_only_with_force(logged, tmp_path):
    out = tmp_path / "ep.jsonl"
    out.write_text("keep me", encoding="utf-8")
    refused = _export(logged, "--out", str(out))
    assert refused.exit_code == 2 and "already exists; pass --force" in refused.output
    assert out.read_text(encoding="utf-8") == "keep me"
    assert _export(logged, "--out", str(out), "--force").exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 12
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    refused = _export(logged, "--format", "hf", "--out", str(folder), "--force")
    assert refused.exit_code == 2 and "is not a `datasets` folder" in refused.output
    assert (folder / "notes.txt").is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary left behind


@pytest.mark.parametrize(("args", "message"), [
    (["--run", "9"], "no run 9 in"),
    (["--status", "failed"], "has no failed episodes to export"),
    (["--format", "csv"], "--format must be one of jsonl, parquet, hf, pairs"),
    (["--view", "patient"], "--view must be one of doctor"),
    (["--format", "parquet"], "--format parquet writes a file: give it with --out PATH"),
])
def test_mistakes_get_one_line(logged, args, message):
    done = _export(logged, *args)
    assert done.exit_code == 2 and message in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1


def test_no_database_is_an_error_and_none_is_created(tmp_path):
    missing = tmp_path / "none.db"
    done = _export(f"sqlite:///{missing}")
    assert done.exit_code == 2 and "no database at" in done.output
    assert not missing.exists()


def test_a_missing_extra_is_named(logged, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "datasets", None)  # import datasets now raises ImportError
    done = _export(logged, "--format", "parquet", "--out", str(tmp_path / "x.parquet"))
    assert done.exit_code == 2 and "pip install 'agentclinic[export]'" in done.output


def test_json_lines_escape_what_a_terminal_would_act_on():
    line = json_line({"text": "a\x1b[2Jb\x9bc\u202ed\ud800 é"})
    assert "\x1b" not in line and "\x9b" not in line and "\u202e" not in line
    assert "é" in line and json.loads(line) == {"text": "a\x1b[2Jb\x9bc\u202ed\ud800 é"}
    line.encode("utf-8")  # a lone surrogate escaped, so the line can be written


def test_an_unwritable_output_is_one_line(logged):
    done = _export(logged, "--out", "/proc/agentclinic-export.jsonl")  # not writable, even for root
    assert done.exit_code == 2 and "cannot write /proc/agentclinic-export.jsonl" in done.output
    assert "Traceback" not in done.output and len(done.output.strip().splitlines()) == 1


def test_a_symlinked_output_is_refused_and_its_target_kept(logged, tmp_path):
    target = tmp_path / "real"
    assert _export(logged, "--format", "hf", "--out", str(target)).exit_code == 0
    link = tmp_path / "link"
    link.symlink_to(target)
    done = _export(logged, "--format", "hf", "--out", str(link), "--force")
    assert done.exit_code == 2 and "is a symbolic link" in done.output
    assert (target / "dataset_info.json").is_file()
