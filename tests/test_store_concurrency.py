"""Processes opening one fresh SQLite file at the same moment all get the schema, none fails.

The schema used to be created by looking and then creating, so two processes starting
together raced ("table run already exists"). Each round uses a new database file, with the
processes released together, several rounds in a row.
"""

from __future__ import annotations

import subprocess
import sys
import time

OPENER = """
import sys, time
from agentclinic.store import Store
start = float(sys.argv[2])
while time.time() < start:
    pass
Store(sys.argv[1]).close()
"""


def test_many_processes_create_the_schema_of_a_fresh_file_together(tmp_path):
    for round_ in range(4):
        url = f"sqlite:///{tmp_path / f'fresh-{round_}.db'}"
        start = time.time() + 4.0  # after every process has imported agentclinic
        processes = [subprocess.Popen([sys.executable, "-c", OPENER, url, str(start)], stderr=subprocess.PIPE,
                                      text=True) for _ in range(6)]
        for process in processes:
            _, errors = process.communicate(timeout=120)
            assert process.returncode == 0, errors
