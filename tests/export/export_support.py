"""Doctors and runs for the export tests: real runs through the runner, with scripted roles."""

from __future__ import annotations

import asyncio
import json
from collections import Counter

from agentclinic.actions import parse_action
from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.loader import Pack
from agentclinic.persona import Persona
from agentclinic.runner import RunConfig, run_batch
from agentclinic.text import find_terms

_TOOLS = {"ask": lambda a: ("ask_patient", {"text": a.text}),
          "examine": lambda a: ("examine", {"system": a.system} if a.system else {}),
          "request_test": lambda a: ("request_test", {"name": a.name}),
          "request_images": lambda a: ("request_images", {})}


class ToolCallingDoctor:
    """The baseline doctor speaking through tools, as a function-calling model does: its
    actions logged as ``{"name": ..., "arguments": ...}`` JSON, the diagnosis as a JSON action."""

    def __init__(self, brief, seed, persona=None):
        self.inner = BaselineDoctor(brief, seed, persona=persona)

    async def act(self, observation):
        action = parse_action(await self.inner.act(observation))
        if action.kind == "diagnose":
            return json.dumps({"action": "diagnose", "diagnosis": action.diagnosis})
        name, arguments = _TOOLS[action.kind](action)
        return json.dumps({"name": name, "arguments": arguments})


class SecondThoughtsDoctor:
    """The baseline doctor the first time it sees a case (in a condition); on later visits it
    diagnoses at once with a guess that is wrong for every case of the packs used here, so a
    run with two trials holds a correct and a wrong episode of the same case and condition."""

    WRONG = "Benign paroxysmal positional vertigo"

    def __init__(self):
        self.seen: Counter = Counter()

    def __call__(self, brief, seed, persona=None):
        key = (brief.objective, persona.label() if persona else None)
        self.seen[key] += 1
        return BaselineDoctor(brief, seed, persona=persona) if self.seen[key] == 1 else _Guess(self.WRONG)


class _Guess:
    def __init__(self, diagnosis: str):
        self.diagnosis = diagnosis

    async def act(self, observation):
        return "Do you have any other symptoms?" if observation.turn == 0 else f"DIAGNOSIS READY: {self.diagnosis}"


def run(pack: Pack, db_url: str, doctor, *, cases: int = 3, trials: int = 2, personas=()) -> int:
    config = RunConfig(db=db_url, limit=cases, trials=trials, max_turns=8, doctor=doctor, personas=list(personas),
                       fresh=True)
    return asyncio.run(run_batch(config, pack=pack)).run_id


CONFIRMATION = Persona(doctor_biases=("confirmation",))


def leaked_terms(records, pack: Pack) -> list[tuple[str, str]]:
    """(record id, term) for every diagnosis term found in what the doctor was told."""
    found = []
    for record in records:
        terms = pack.get(record["case_id"]).diagnosis.terms()
        for message in record["messages"]:
            if message["role"] != "assistant":
                found += [(record["id"], term) for term in find_terms(json.dumps(message, ensure_ascii=False), terms)]
    return found
