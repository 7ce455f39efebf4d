"""One owner per run: a lease row, refreshed by a heartbeat, that a second process respects.

A run (or one ``--shard i/n`` of it) is executed by the process holding its lease. A second
identical command finds the live lease and is refused with a message naming the run and the
``--shard`` option, so the plan is never run twice. A lease is dead when its heartbeat is
older than :data:`LEASE_TTL_S`, or at once when its process, on this host, no longer exists;
a dead lease is taken over, so a run killed with SIGKILL resumes at the next command.
"""

from __future__ import annotations

import os
import socket
import threading
import uuid
from datetime import datetime, timezone

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session, delete, select

from .models import RunLease, utcnow

LEASE_TTL_S = float(os.environ.get("AGENTCLINIC_LEASE_TTL_S", "60"))


class RunBusy(ValueError):
    """Another live process holds the run (or an overlapping shard of it): refused, not duplicated."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _overlap(a: str, b: str) -> bool:
    """Whether two shards' episodes overlap: the whole run overlaps everything; i/n and j/n
    overlap when i == j; shards of different n share episodes."""
    if not a or not b:
        return True
    (i, n), (j, m) = a.split("/"), b.split("/")
    return n != m or i == j


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def is_live(row: RunLease, now: datetime | None = None) -> bool:
    """A lease is live while its heartbeat is fresh and, on this host, its process exists."""
    age = ((now or utcnow()) - _aware(row.heartbeat_at)).total_seconds()
    if age > LEASE_TTL_S:
        return False
    host, _, rest = row.owner.partition(":")
    pid = rest.partition(":")[0]
    return not (host == socket.gethostname() and pid.isdigit() and not _process_exists(int(pid)))


class Lease:
    """This process's claim on ``run_id`` (``shard`` '' for the whole run), kept by a heartbeat thread."""

    def __init__(self, engine, run_id: int, shard: str | None = None):
        self.engine, self.run_id, self.shard = engine, run_id, shard or ""
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lost = False  # set when another process took the lease over (we stalled past the TTL)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lease or raise :class:`RunBusy` naming who holds it."""
        for _ in range(5):  # each retry follows a lost race, which re-reading settles
            with Session(self.engine) as session:
                rows = session.exec(select(RunLease).where(RunLease.run_id == self.run_id)).all()
                self._refuse_if_held(rows)
                mine = next((row for row in rows if row.shard == self.shard), None)
                if self._take(session, mine):
                    break
        else:
            raise RunBusy(f"run {self.run_id}: could not take its lease (other processes keep racing for it)")
        self._settle_overlap()
        self._thread = threading.Thread(target=self._beat, name=f"agentclinic-lease-{self.run_id}", daemon=True)
        self._thread.start()

    def _refuse_if_held(self, rows) -> None:
        now = utcnow()
        for row in rows:
            if row.owner != self.owner and _overlap(row.shard, self.shard) and is_live(row, now):
                raise RunBusy(self._busy_message(row, now))

    def _busy_message(self, row: RunLease, now: datetime) -> str:
        host, _, rest = row.owner.partition(":")
        age = (now - _aware(row.heartbeat_at)).total_seconds()
        part = f" (shard {row.shard})" if row.shard else ""
        return (f"run {self.run_id}{part} is being run by another process (pid {rest.partition(':')[0]} on "
                f"{host}, heartbeat {age:.0f} s ago). To share the work, start every process with --shard I/N; "
                "or wait for it to finish (the same command then reports or resumes the run).")

    def _take(self, session: Session, mine: RunLease | None) -> bool:
        """Insert our row, or swap in our owner for a dead holder's; False when another process won."""
        try:
            if mine is None:
                session.add(RunLease(run_id=self.run_id, shard=self.shard, owner=self.owner, heartbeat_at=utcnow()))
                session.commit()
                return True
            # Compare-and-swap on the old owner: of two processes taking over, one changes the row.
            swapped = session.execute(update(RunLease).where(
                RunLease.run_id == self.run_id, RunLease.shard == self.shard, RunLease.owner == mine.owner,
            ).values(owner=self.owner, heartbeat_at=utcnow()))
            session.commit()
            return swapped.rowcount == 1
        except IntegrityError:
            session.rollback()
            return False

    def _settle_overlap(self) -> None:
        """Two processes may insert overlapping rows at once (the whole run and a shard): both see
        both rows and the same one, the greater owner, steps back."""
        with Session(self.engine) as session:
            rows = session.exec(select(RunLease).where(RunLease.run_id == self.run_id)).all()
        now = utcnow()
        rivals = [row for row in rows if row.owner != self.owner and _overlap(row.shard, self.shard)
                  and is_live(row, now)]
        if any(row.owner < self.owner for row in rivals):
            self.release()
            raise RunBusy(self._busy_message(min(rivals, key=lambda row: row.owner), now))

    def _beat(self) -> None:
        while not self._stop.wait(LEASE_TTL_S / 4):
            try:
                with Session(self.engine) as session:
                    beat = session.execute(update(RunLease).where(
                        RunLease.run_id == self.run_id, RunLease.shard == self.shard, RunLease.owner == self.owner,
                    ).values(heartbeat_at=utcnow()))
                    session.commit()
                if beat.rowcount == 0:
                    self.lost = True
                    return
            except Exception:  # noqa: BLE001 - a missed beat is retried; the TTL allows several
                continue

    def release(self) -> None:
        """Stop the heartbeat and drop the lease (only if it is still ours)."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        try:
            with Session(self.engine) as session:
                session.exec(delete(RunLease).where(  # type: ignore[call-overload]
                    RunLease.run_id == self.run_id, RunLease.shard == self.shard, RunLease.owner == self.owner))
                session.commit()
        except SQLAlchemyError:
            pass  # an unwritable log: the lease lapses when this process exits (its pid is gone)
