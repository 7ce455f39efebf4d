"""The parsed-case cache: the same packs as a fresh load, invalidated by any byte, robust on disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import case_data, write_case

from agentclinic import loader, pack_cache
from agentclinic.loader import check_sources, list_bundled_packs, load_pack
from agentclinic.paths import bundled_dir


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch) -> Path:
    """Each test starts with an empty cache folder and an empty in-process cache."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(folder))
    pack_cache.clear_memory()
    yield folder
    pack_cache.clear_memory()


@pytest.fixture()
def parses(monkeypatch) -> list[Path]:
    """The case files actually parsed (cache misses), in order."""
    seen: list[Path] = []
    real = loader._file_checks

    def counting(path: Path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(loader, "_file_checks", counting)
    return seen


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("cases/*/*.json"))


def _same(first, second) -> None:
    """Two check_sources results hold equal cases (fields, which fields were set, source) and problems."""
    (loaded_a, problems_a), (loaded_b, problems_b) = first, second
    assert [file for file, _ in loaded_a] == [file for file, _ in loaded_b]
    for (_, a), (_, b) in zip(loaded_a, loaded_b, strict=True):
        assert a == b
        assert a.model_dump(exclude_unset=True) == b.model_dump(exclude_unset=True)
        assert a.model_dump() == b.model_dump()
        assert a.source_file == b.source_file and a.source_file is not None
        assert a is not b
    assert problems_a == problems_b


@pytest.mark.parametrize("pack", list_bundled_packs())
def test_a_cached_load_is_exactly_a_fresh_load(pack, own_cache, parses):
    source = bundled_dir("scenarios") / pack
    fresh = check_sources([source])  # cold: every file parsed, and stored
    assert len(parses) == len(fresh[0]) > 0
    pack_cache.clear_memory()
    from_disk = check_sources([source])
    assert len(parses) == len(fresh[0])  # nothing parsed again
    _same(fresh, from_disk)
    _same(fresh, check_sources([source]))  # the in-process copy too
    assert len(_entries(own_cache)) == len(fresh[0])


def test_problems_and_warnings_come_back_from_the_cache(tmp_path, parses):
    data = case_data()
    data["tests"][0]["result"] = "Findings of community-acquired pneumonia."  # a leak warning
    write_case(tmp_path / "pack", data)
    write_case(tmp_path / "pack", case_data(id="bad-001", objective=""))  # an error
    fresh = check_sources([tmp_path / "pack"])
    pack_cache.clear_memory()
    cached = check_sources([tmp_path / "pack"])
    assert len(parses) == 2
    assert {p.severity for p in cached[1]} == {"warning", "error"}
    _same(fresh, cached)


def test_any_changed_byte_is_a_miss_and_only_that_file_is_parsed_again(tmp_path, parses):
    pack = tmp_path / "pack"
    first = write_case(pack, case_data())
    write_case(pack, case_data(id="test-002"))
    assert load_pack(pack).get("test-001").title == "A cough that will not settle"
    assert len(parses) == 2
    text = first.read_bytes()
    first.write_bytes(text.replace(b"settle", b"settlE"))  # one byte
    pack_cache.clear_memory()
    assert load_pack(pack).get("test-001").title == "A cough that will not settlE"
    assert parses[2:] == [first]
    first.write_bytes(text.replace(b"Evaluate the patient", b"Confirm the community-acquired pneumonia in the patient"))
    with pytest.raises(loader.ScenarioError, match="names the diagnosis"):  # a new leak is found
        load_pack(pack)


def test_the_same_bytes_at_another_path_are_their_own_entry(tmp_path, parses):
    a = write_case(tmp_path / "a", case_data())
    b = write_case(tmp_path / "b", case_data())
    assert load_pack(tmp_path / "a").get("test-001").source_file == a.resolve()
    assert load_pack(tmp_path / "b").get("test-001").source_file == b.resolve()
    assert parses == [a, b]


def test_images_are_checked_on_every_load(tmp_path):
    pack = tmp_path / "pack"
    (pack / "images").mkdir(parents=True)
    image = pack / "images" / "ecg.png"
    from PIL import Image

    Image.new("RGB", (4, 4)).save(image)
    write_case(pack, case_data(images=[{"id": "ecg", "file": "images/ecg.png", "modality": "ECG"}]))
    assert load_pack(pack).scenarios[0].images[0].file == "images/ecg.png"
    image.unlink()  # the case file's bytes are unchanged: its cached entry must not hide this
    with pytest.raises(loader.ScenarioError, match="does not exist"):
        load_pack(pack)


def test_callers_do_not_share_scenarios(mini_pack):
    first = load_pack(mini_pack.root)
    first.scenarios[0].title = "changed by a caller"
    first.scenarios[0].distractors.append("something else")
    second = load_pack(mini_pack.root)
    assert second.scenarios[0].title == "A cough that will not settle"
    assert "something else" not in second.scenarios[0].distractors


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "key": "KEY"}', b"[1, 2]",
                                    b'{"format": 1, "key": "KEY", "scenario": {"id": 3}, "problems": []}',
                                    b'{"format": 1, "key": "KEY", "scenario": null, "problems": [{"nonsense": 1}]}',
                                    b'{"format": 1, "key": "KEY", "scenario": null, "problems": []}',
                                    b"OTHER"])
def test_a_damaged_entry_is_a_miss_and_is_written_again(tmp_path, own_cache, parses, damage):
    pack = tmp_path / "pack"
    write_case(pack, case_data())
    write_case(pack, case_data(id="test-002"))
    fresh = check_sources([pack])
    entry, other = _entries(own_cache)
    key = entry.stem.encode()
    entry.write_bytes(other.read_bytes() if damage == b"OTHER" else damage.replace(b"KEY", key))
    pack_cache.clear_memory()
    again = check_sources([pack])
    _same(fresh, again)
    assert len(parses) == 3  # that file parsed again, not an error
    assert json.loads(entry.read_bytes())["key"] == entry.stem  # and rewritten whole


def test_an_unusable_cache_folder_costs_speed_not_the_load(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(pack_cache.CACHE_ENV, str(blocker / "cache"))
    write_case(tmp_path / "pack", case_data())
    assert load_pack(tmp_path / "pack").get("test-001")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "none"])
def test_the_disk_cache_can_be_turned_off(tmp_path, monkeypatch, value):
    monkeypatch.setenv(pack_cache.CACHE_ENV, value)
    monkeypatch.chdir(tmp_path)
    assert pack_cache.cache_root() is None
    write_case(tmp_path / "pack", case_data())
    load_pack(tmp_path / "pack")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pack"]  # no folder named 'off' either


def test_the_default_folder_follows_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv(pack_cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert pack_cache.cache_root() == tmp_path / "xdg" / "agentclinic"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert pack_cache.cache_root() == tmp_path / "home" / ".cache" / "agentclinic"


def test_other_code_versions_folders_are_pruned(tmp_path, own_cache):
    for index in range(pack_cache.KEEP_FINGERPRINTS + 3):
        old = own_cache / "cases" / f"old-{index}"
        old.mkdir(parents=True)
        os.utime(old, (1_000_000 + index, 1_000_000 + index))
    write_case(tmp_path / "pack", case_data())
    load_pack(tmp_path / "pack")
    left = sorted(p.name for p in (own_cache / "cases").iterdir())
    kept = [f"old-{i}" for i in range(3, pack_cache.KEEP_FINGERPRINTS + 3)]
    assert left == sorted([pack_cache.package_fingerprint(), *kept])


def test_processes_filling_one_cache_at_once_agree(tmp_path, own_cache):
    pack = tmp_path / "pack"
    for index in range(6):
        write_case(pack, case_data(id=f"case-{index:03d}"))
    script = textwrap.dedent(f"""
        import json
        from agentclinic.loader import load_pack
        pack = load_pack({str(pack)!r})
        print(json.dumps([s.model_dump(mode="json") for s in pack.scenarios]))
    """)
    env = {**os.environ, pack_cache.CACHE_ENV: str(own_cache)}
    runs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=env, text=True) for _ in range(4)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in outputs]
    assert len({out for out, _ in outputs}) == 1
    assert len(_entries(own_cache)) == 6
    assert not list(own_cache.glob("cases/*/.*.tmp"))  # every temporary file was renamed or removed
    pack_cache.clear_memory()
    assert [s.model_dump(mode="json") for s in load_pack(pack).scenarios] == json.loads(outputs[0][0])
