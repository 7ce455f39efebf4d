"""YAML data files, parsed once per content and kept on disk as JSON.

The bundled vocabularies (diagnoses, tests, topics, every language's phrases: ~2.7 MB of YAML)
take about 0.5 s to parse even with libyaml, paid by every process on its first episode,
report or ``reset``; the same data read back as JSON takes a twentieth of that. An entry is
keyed by a digest of the file's bytes, so an edited file is parsed again, and lives under
:func:`agentclinic.disk_cache.version_folder` ``("yaml")``. Data that JSON would not give
back unchanged (dates, integer keys, tuples) is never cached, only parsed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from .disk_cache import read_entry, version_folder, write_entry
from .paths import load_yaml

FORMAT = 1  # bump when the entry layout changes


def read_yaml(path: Path | str) -> Any:
    """The parsed contents of the YAML file at ``path`` (a new object on every call).

    Parse errors are PyYAML's, naming the file, as :func:`agentclinic.paths.load_yaml` raises them.
    """
    content = Path(path).read_bytes()
    key = hashlib.sha256(f"{FORMAT}\0".encode() + content).hexdigest()
    folder = version_folder("yaml")
    entry = read_entry(folder, key)
    if entry is not None and entry.get("key") == key and "data" in entry:
        return entry["data"]
    with open(path, encoding="utf-8") as handle:  # parsed from the file, so errors name it
        data = load_yaml(handle)
    if _survives_json(data):
        write_entry(folder, key, {"format": FORMAT, "key": key, "data": data})
    return data


def _survives_json(data: Any) -> bool:
    try:
        return json.loads(json.dumps(data)) == data
    except (TypeError, ValueError):
        return False
