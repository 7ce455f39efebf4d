"""The README's two commands are the ones CI and users run."""

from conftest import REPO


def test_ci_runs_the_readme_test_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in readme.splitlines() if "python -m pytest" in line and "pip install" in line)
    assert command.strip() in ci.splitlines()


def test_readme_has_the_main_job_command():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "pip install . && agentclinic run" in readme
