"""A non-editable install finds the bundled data (it ships inside the wheel)."""

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{done.stdout}\n{done.stderr}")
    return next(out.glob("agentclinic-*.whl"))


def test_wheel_contains_the_data(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "agentclinic/_bundled/scenarios/core/cardiology-001.yaml" in names
    assert any(n.startswith("agentclinic/_bundled/scenarios/core/images/") and n.endswith(".png") for n in names)
    assert "agentclinic/_bundled/personas/README.md" in names
    assert "agentclinic/data/terminology.yaml" in names
    assert "agentclinic/data/corpus/atrial-fibrillation.md" in names  # the rag tool's default corpus
    assert "agentclinic/store/migrations/versions/0004_doctor_tools.py" in names


def test_installed_wheel_runs_from_anywhere(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True,
                   timeout=600)
    # Dependencies come from this test environment; the package itself only from the wheel.
    environ = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    work = tmp_path / "elsewhere"
    work.mkdir()

    def run(*args):
        return subprocess.run([str(python), *args], capture_output=True, text=True, cwd=work, env=environ,
                              timeout=600)

    where = run("-c", "import agentclinic.paths as p; print(p.bundled_dir('scenarios'))")
    assert where.returncode == 0, where.stderr
    assert str(env_dir) in where.stdout
    listed = run("-m", "agentclinic", "scenarios", "list", "--json")
    assert len(json.loads(listed.stdout)) >= 40
    ran = run("-m", "agentclinic", "run", "--limit", "2", "--quiet", "--doctor-tools", "rag")
    assert ran.returncode == 0, ran.stderr
    assert (work / "runs" / "agentclinic.db").is_file()
