"""A scripted model for doctor-tool tests: replies chosen by what the last message asks.

A fake at our own backend level (the ChatBackend protocol), so the LLM doctor's real code
runs: its prompts, conversation, JSON schemas and tool steps.
"""

from __future__ import annotations

from collections.abc import Callable

from agentclinic.llm.backends.base import RawCompletion
from agentclinic.llm.client import ModelClient
from agentclinic.llm.spec import parse_spec

Rule = tuple[Callable[[str], bool], str | Callable[[str], str]]


class ScriptedModel:
    """Answers each call with the first rule whose test accepts the last message's text."""

    tool_calling = False

    def __init__(self, rules: list[Rule], default: str = "What else have you noticed?"):
        self.spec = parse_spec("openai:scripted-doctor", "http://127.0.0.1:9/v1")
        self.rules, self.default = rules, default
        self.requests: list[list] = []  # every call's messages, as sent

    async def complete(self, messages, *, json_schema=None, seed=None, tools=None):
        self.requests.append(list(messages))
        last = messages[-1].text
        for test, reply in self.rules:
            if test(last):
                text = reply(last) if callable(reply) else reply
                break
        else:
            text = self.default
        if isinstance(text, RawCompletion):  # a reply with tool calls
            return text
        return RawCompletion(text, 100 + len(messages), 10, "scripted-doctor")


def scripted_client(model: ScriptedModel) -> ModelClient:
    return ModelClient(model.spec, "doctor", backend=model)


def doctor_factory(model: ScriptedModel, interface: str = "text", prompts: str = "default"):
    """A doctor factory (as the runner calls it) for a model doctor answering from ``model``."""
    from agentclinic.agents.llm_roles import LLMDoctor
    from agentclinic.prompting import load_prompts

    client = scripted_client(model)

    def factory(brief, seed, persona=None, tools=None):
        return LLMDoctor(brief, seed, client, load_prompts(prompts), interface=interface, tools=tools)

    return factory
