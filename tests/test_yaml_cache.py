"""Parsed YAML kept as JSON: the same data as parsing, never stale, never shared, robust on disk."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import agentclinic
from agentclinic import disk_cache, yaml_cache
from agentclinic.paths import bundled_dir, load_yaml
from agentclinic.yaml_cache import read_yaml

PACKAGE = Path(agentclinic.__file__).parent


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_ENV, str(folder))
    return folder


@pytest.fixture()
def parses(monkeypatch) -> list[str]:
    """The files actually parsed (cache misses)."""
    seen: list[str] = []
    real = yaml_cache.load_yaml

    def counting(handle):
        seen.append(handle.name)
        return real(handle)

    monkeypatch.setattr(yaml_cache, "load_yaml", counting)
    return seen


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("yaml/*/*.json"))


def test_every_bundled_file_reads_back_from_the_cache_as_parsed(own_cache, parses):
    files = [*sorted(PACKAGE.glob("data/**/*.yaml")), *sorted(PACKAGE.glob("prompts/*.yaml")),
             *sorted(bundled_dir("personas").glob("*.yaml"))]
    first = [read_yaml(path) for path in files]
    assert len(parses) == len(files) and len(entries(own_cache)) == len(files)
    again = [read_yaml(path) for path in files]
    assert len(parses) == len(files)  # all hits
    for path, cold, warm in zip(files, first, again, strict=True):
        with open(path, encoding="utf-8") as handle:
            assert cold == warm == load_yaml(handle), path


def test_an_edited_file_is_parsed_again(tmp_path, parses):
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [fever]\n", encoding="utf-8")
    assert read_yaml(path) == {"terms": ["fever"]}
    path.write_text("terms: [fever, cough]\n", encoding="utf-8")
    assert read_yaml(path) == {"terms": ["fever", "cough"]}
    assert len(parses) == 2


def test_each_read_is_a_new_object(tmp_path):
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [fever]\n", encoding="utf-8")
    read_yaml(path)["terms"].append("planted")
    assert read_yaml(path) == {"terms": ["fever"]}


@pytest.mark.parametrize("damage", [b"", b"{not json", b"[1, 2]", b'{"key": "other", "data": 1}'])
def test_a_damaged_entry_is_a_miss_and_is_written_again(tmp_path, own_cache, parses, damage):
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [fever]\n", encoding="utf-8")
    read_yaml(path)
    (entry,) = entries(own_cache)
    entry.write_bytes(damage)
    assert read_yaml(path) == {"terms": ["fever"]}
    assert len(parses) == 2 and read_yaml(path) == {"terms": ["fever"]} and len(parses) == 2


def test_data_json_would_change_is_parsed_every_time_not_cached(tmp_path, own_cache):
    path = tmp_path / "odd.yaml"
    path.write_text("1: one\nwhen: 2024-01-02\n", encoding="utf-8")
    data = read_yaml(path)
    assert data == {1: "one", "when": __import__("datetime").date(2024, 1, 2)}
    assert read_yaml(path) == data and entries(own_cache) == []


def test_a_broken_file_names_itself_and_is_not_cached(tmp_path, own_cache):
    path = tmp_path / "broken.yaml"
    path.write_text("terms: [fever\n", encoding="utf-8")
    with pytest.raises(yaml.YAMLError, match="broken.yaml"):
        read_yaml(path)
    assert entries(own_cache) == []


def test_turned_off_it_writes_nothing(tmp_path, monkeypatch, own_cache, parses):
    monkeypatch.setenv(disk_cache.CACHE_ENV, "off")
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [fever]\n", encoding="utf-8")
    assert read_yaml(path) == read_yaml(path) == {"terms": ["fever"]}
    assert len(parses) == 2 and not own_cache.exists()


def test_an_unwritable_cache_costs_only_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(disk_cache.CACHE_ENV, str(blocker / "cache"))
    path = tmp_path / "vocabulary.yaml"
    path.write_text("terms: [fever]\n", encoding="utf-8")
    assert read_yaml(path) == {"terms": ["fever"]}
