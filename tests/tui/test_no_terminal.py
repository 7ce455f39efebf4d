"""Without an interactive terminal (a pipe, CI) the UI commands refuse at once instead of hanging."""

import subprocess
import sys

import pytest

from agentclinic.store import Store

CASES = [
    ("browse", ("agentclinic browse needs an interactive terminal; "
                "use `agentclinic episodes list/show` or `agentclinic report` instead")),
    ("play", "agentclinic play needs an interactive terminal; use `agentclinic run` for unattended episodes"),
]


@pytest.mark.parametrize(("command", "message"), CASES)
def test_ui_commands_refuse_without_a_terminal(command, message, db_url):
    Store(db_url).close()  # a log to browse: the terminal is all that is missing
    # A real process: stdin from /dev/null, stdout and stderr pipes, as under CI or `| less`.
    done = subprocess.run([sys.executable, "-m", "agentclinic", command, "--db", db_url],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr  # one line, no traceback
    assert done.stdout == ""  # no screen was drawn into the pipe
