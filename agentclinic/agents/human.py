"""A person in a role: the doctor or the patient, played through a front door (the TUI).

These are ordinary role implementations: the episode awaits them like any model. The front
door shows what the role perceives through ``present`` and hands the person's words back
with :meth:`submit`; nothing here touches a terminal.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from ..roles import Observation

HUMAN = "human"  # the binding recorded for a role a person played


class _Human:
    name = HUMAN

    def __init__(self, present: Callable[[object], None]):
        self.present = present
        self.inbox: asyncio.Queue[str] = asyncio.Queue()

    def submit(self, text: str) -> None:
        """The person's next utterance."""
        self.inbox.put_nowait(text)


class HumanDoctor(_Human):
    """The person is the doctor: each observation is shown, the typed reply is the action."""

    async def act(self, observation: Observation) -> str:
        self.present(observation)
        return await self.inbox.get()


class HumanPatient(_Human):
    """The person is the patient: each question is shown, the typed reply is the answer."""

    async def reply(self, question: str) -> str:
        self.present(question)
        return await self.inbox.get()
