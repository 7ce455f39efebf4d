"""The bundled vocabularies read the same through the fast loader as through PyYAML's own."""

from pathlib import Path

import yaml

import agentclinic
from agentclinic.paths import bundled_dir, load_yaml

PACKAGE = Path(agentclinic.__file__).parent


def test_every_bundled_yaml_file_parses_as_the_pure_python_safe_loader_does():
    files = [*sorted(PACKAGE.glob("data/**/*.yaml")), *sorted(PACKAGE.glob("prompts/**/*.yaml")),
             *sorted(bundled_dir("personas").glob("*.yaml"))]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader), path


def test_the_fast_loader_is_still_safe():
    try:
        load_yaml("!!python/object/apply:os.system ['true']")
    except yaml.YAMLError:
        return
    raise AssertionError("a Python tag was accepted")
