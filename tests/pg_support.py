"""A throwaway PostgreSQL server on 127.0.0.1 from the Debian package's binaries.

Used by .ci/run (``python3 tests/pg_support.py start DIR`` prints a database URL; ``stop DIR``)
and by the test fixture when no server was started for it. Standard library only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def bin_dir() -> Path | None:
    found = shutil.which("initdb") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))[::-1]), None)
    return Path(found).resolve().parent if found else None


def _as_owner() -> list[str]:
    # initdb and postgres refuse to run as root; the Debian package provides the postgres user.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(directory: Path) -> str:
    """Create and start a cluster under ``directory``; returns a SQLAlchemy URL."""
    binaries = bin_dir()
    if binaries is None:
        raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    data, port = directory / "data", _free_port()
    run = lambda *args: subprocess.run([*_as_owner(), *map(str, args)], check=True, capture_output=True,  # noqa: E731
                                       text=True, timeout=120)
    run(binaries / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    run(binaries / "pg_ctl", "-D", data, "-o", options, "-l", directory / "server.log", "-w", "start")
    run(binaries / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "agentclinic")
    (directory / "port").write_text(str(port))
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/agentclinic"


def stop(directory: Path) -> None:
    binaries = bin_dir()
    if binaries is not None and (directory / "data").exists():
        subprocess.run([*_as_owner(), str(binaries / "pg_ctl"), "-D", str(directory / "data"), "-m", "fast", "stop"],
                       capture_output=True, timeout=60)


if __name__ == "__main__":
    command, where = sys.argv[1], Path(sys.argv[2])
    if command == "start":
        print(start(where))
    else:
        stop(where)
