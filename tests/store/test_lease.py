"""The run lease on a real database: one live holder, overlapping shards refused, dead holders taken over."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from agentclinic.store import Store
from agentclinic.store import lease as lease_module
from agentclinic.store.lease import Lease, RunBusy
from agentclinic.store.models import RunLease, utcnow


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request):
    url = request.getfixturevalue("db_url" if request.param == "sqlite" else "postgres_url")
    store = Store(url)
    yield store
    store.close()


@pytest.fixture()
def run_id(store):
    return store.start_run(source="cli", scenarios="core", max_turns=5)


def _held(store, run_id) -> list[tuple[str, str]]:
    with Session(store.engine) as session:
        return [(row.shard, row.owner) for row in session.exec(select(RunLease).where(RunLease.run_id == run_id))]


def _plant(store, run_id, owner: str, shard: str = "", age_s: float = 0.0) -> None:
    with Session(store.engine) as session:
        session.add(RunLease(run_id=run_id, shard=shard, owner=owner,
                             heartbeat_at=utcnow() - timedelta(seconds=age_s)))
        session.commit()


def test_a_second_holder_is_refused_with_the_run_and_the_shard_option(store, run_id):
    first = Lease(store.engine, run_id)
    first.acquire()
    with pytest.raises(RunBusy, match=rf"run {run_id} is being run by another process.*--shard I/N"):
        Lease(store.engine, run_id).acquire()
    first.release()
    second = Lease(store.engine, run_id)
    second.acquire()  # free again once released
    assert _held(store, run_id) == [("", second.owner)]
    second.release()
    assert _held(store, run_id) == []


@pytest.mark.parametrize(("held", "wanted", "refused"), [
    ("1/2", "2/2", False), ("1/2", "1/2", True), ("1/2", None, True), ("", "1/3", True), ("1/2", "1/3", True),
])
def test_shards_overlap_only_where_their_episodes_do(store, run_id, held, wanted, refused):
    holder = Lease(store.engine, run_id, held)
    holder.acquire()
    other = Lease(store.engine, run_id, wanted)
    if refused:
        with pytest.raises(RunBusy):
            other.acquire()
    else:
        other.acquire()
        other.release()
    holder.release()


def test_a_lease_whose_heartbeat_stopped_is_taken_over(store, run_id):
    _plant(store, run_id, "elsewhere:4242:abcd", age_s=lease_module.LEASE_TTL_S + 5)
    lease = Lease(store.engine, run_id)
    lease.acquire()
    assert _held(store, run_id) == [("", lease.owner)]
    lease.release()


def test_a_fresh_lease_of_another_host_is_respected(store, run_id):
    _plant(store, run_id, "elsewhere:4242:abcd", age_s=1)
    with pytest.raises(RunBusy, match="pid 4242 on elsewhere"):
        Lease(store.engine, run_id).acquire()


def test_a_lease_of_a_dead_process_on_this_host_is_taken_over_at_once(store, run_id):
    import socket

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    _plant(store, run_id, f"{socket.gethostname()}:{gone.stdout.strip()}:dead", age_s=0)
    lease = Lease(store.engine, run_id)
    lease.acquire()  # fresh heartbeat, but its process has exited (a run killed with SIGKILL)
    lease.release()


def test_of_two_takeovers_of_one_dead_lease_only_one_wins(store, run_id):
    _plant(store, run_id, "elsewhere:1:old", age_s=lease_module.LEASE_TTL_S + 5)
    with Session(store.engine) as session:
        stale = session.exec(select(RunLease)).one()
    a, b = Lease(store.engine, run_id), Lease(store.engine, run_id)
    with Session(store.engine) as session:
        won_a = a._take(session, stale)
    with Session(store.engine) as session:
        won_b = b._take(session, stale)  # read the same stale row, swaps after a did
    assert (won_a, won_b) == (True, False)
    assert _held(store, run_id) == [("", a.owner)]


def test_the_heartbeat_keeps_a_lease_alive_and_notices_a_takeover(store, run_id, monkeypatch):
    monkeypatch.setattr(lease_module, "LEASE_TTL_S", 0.4)  # beats every 0.1 s
    lease = Lease(store.engine, run_id)
    lease.acquire()
    time.sleep(1.0)
    with pytest.raises(RunBusy):  # still live, long after one TTL
        Lease(store.engine, run_id).acquire()
    with Session(store.engine) as session:  # another process takes it over (we "stalled")
        row = session.exec(select(RunLease)).one()
        row.owner = "elsewhere:7:new"
        session.add(row)
        session.commit()
    for _ in range(50):
        if lease.lost:
            break
        time.sleep(0.05)
    assert lease.lost
    lease.release()
    assert _held(store, run_id) == [("", "elsewhere:7:new")]  # release never drops another's lease
