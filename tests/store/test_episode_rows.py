"""An episode's pending rows reach the log exactly as rows written one by one would."""

from __future__ import annotations

from sqlmodel import Session, select

from agentclinic.doctor_tools.events import ToolEvent
from agentclinic.episode import TurnRecord
from agentclinic.llm.calls import CallRecord, CallTotals
from agentclinic.scenario import Scenario
from agentclinic.store import Store
from agentclinic.store.episode_rows import PendingRows, tool_row
from agentclinic.store.models import DoctorToolCall, LLMCall, Turn

from conftest import case_data

TURNS = [TurnRecord(0, "doctor", "REQUEST TEST: CXR", "request_test", {"name": "CXR"}, latency_ms=1.5),
         TurnRecord(1, "measurement", "Chest X-ray: consolidation", provenance="case", cost_usd=40.0,
                    image_ids=("img-1", "img-2"), note="by alias", redactions=1)]
CALL = CallRecord("doctor", "openai:m", 10, 4, 12.5, 0.001, attempts=2, note="turn 1", sanitised=3)
EVENT = ToolEvent("rag", "query", "passages", {"ids": [1, 2]}, turn=1, input_tokens=5, latency_ms=2.0)


def _columns(row) -> dict:
    return {k: v for k, v in row.model_dump().items() if k not in ("id", "episode_id", "created_at")}


def _episode(store: Store) -> int:
    run_id = store.start_run(source="test", scenarios="test", seed=0, max_turns=3, bindings={})
    return store.start_episode(run_id, Scenario.model_validate(case_data()), seed=0, max_turns=3)


def _rows(store: Store, episode_id: int) -> tuple[list, list, list]:
    with Session(store.engine) as session:
        return tuple(list(session.exec(select(model).where(model.episode_id == episode_id).order_by(model.id)))
                     for model in (Turn, LLMCall, DoctorToolCall))  # type: ignore[return-value]


def test_pending_rows_match_rows_written_one_by_one(db_url):
    store = Store(db_url)
    one_by_one, batched = _episode(store), _episode(store)
    for record in TURNS:
        store.record_turn(one_by_one, record)
    store.record_call(one_by_one, CALL)
    store.write_rows([tool_row(one_by_one, 1, EVENT)])
    pending = PendingRows(batched)
    pending.turn(TURNS[0])
    pending.call(CALL)
    pending.tool(1, EVENT)
    pending.turn(TURNS[1])
    store.end_episode(batched, "failed", "boom", pending=pending.take(), totals=CallTotals())
    assert pending.take() == []  # taken once: a second write would add nothing
    expected, got = _rows(store, one_by_one), _rows(store, batched)
    for mine, theirs in zip(expected, got, strict=True):
        assert [_columns(r) for r in mine] == [_columns(r) for r in theirs] and theirs
    assert all(row.created_at is not None for table in got for row in table)
    assert got[0][1].image_ids == ["img-1", "img-2"] and got[2][0].detail == {"ids": [1, 2]}
