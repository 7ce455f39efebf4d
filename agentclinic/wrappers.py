"""Wrappers for agent frameworks around :class:`~agentclinic.env.ClinicEnv`.

:class:`ChatObservation` turns the observation into the whole conversation so far as
OpenAI-style chat messages, ready to send to a chat model, so no adapter has to rebuild the
history: the system message is the episode's instructions, each doctor action an assistant
message (with ``tool_calls`` when it was a tool call), each reply a user message (a ``tool``
message answering a tool call), images as ``image_url`` content parts. ``render()`` is
the env's own.
"""

from __future__ import annotations

import base64
import copy
import io
import json
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .tools import is_tool_call, single_call

ROLES = ("system", "user", "assistant", "tool")


class ChatMessages(spaces.Space[list]):
    """A list of chat messages: dicts with a ``role`` and text (or content parts) ``content``."""

    def __init__(self, seed: int | np.random.Generator | None = None):
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        return isinstance(x, list) and all(
            isinstance(m, dict) and m.get("role") in ROLES
            and (isinstance(m.get("content"), (str, list)) or (m["role"] == "assistant" and "tool_calls" in m))
            for m in x)

    def sample(self, mask: Any = None, probability: Any = None) -> list:
        return [{"role": "user", "content": "What brings you in today?"}]

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, ChatMessages)


def _image_part(image: np.ndarray) -> dict[str, Any]:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return {"type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")}}


def _tool_call(action: dict | list, index: int) -> dict[str, Any] | None:
    """The call as OpenAI sends it (an id, a name, arguments as a JSON string); None when the
    action is not one readable tool call (it is then logged as the text it is)."""
    data = action[0] if isinstance(action, list) and len(action) == 1 else action
    call = single_call(data) if is_tool_call(data) else None
    if call is None or isinstance(call, str):
        return None
    function, call_id = call
    arguments = function.get("arguments", {})
    return {"id": call_id or f"call_{index}", "type": "function",
            "function": {"name": function.get("name"),
                         "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments)}}


class ChatObservation(gym.Wrapper):
    """The observation is the conversation so far as chat messages (see the module doc)."""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.observation_space = ChatMessages()
        self.messages: list[dict[str, Any]] = []

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        observation, info = self.env.reset(seed=seed, options=options)
        self.messages = [{"role": "system", "content": info["instructions"]}]
        self.messages += self._replies(observation, None)
        return copy.deepcopy(self.messages), info

    def step(self, action: str | dict | list):
        call = _tool_call(action, len(self.messages)) if isinstance(action, (dict, list)) else None
        if call is not None:
            self.messages.append({"role": "assistant", "content": None, "tool_calls": [call]})
        else:
            text = action if isinstance(action, str) else json.dumps(action)
            self.messages.append({"role": "assistant", "content": text})
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.messages += self._replies(observation, call)
        return copy.deepcopy(self.messages), reward, terminated, truncated, info

    @staticmethod
    def _replies(observation: dict[str, Any], call: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The reply as messages: a tool message answers a call (tool messages carry text only,
        so images follow in a user message); otherwise one user message with any images."""
        images = [_image_part(image) for image in observation["images"]]
        if call is not None:
            replies = [{"role": "tool", "tool_call_id": call["id"], "content": observation["text"]}]
            return replies + ([{"role": "user", "content": images}] if images else [])
        if not images:
            return [{"role": "user", "content": observation["text"]}]
        return [{"role": "user", "content": [{"type": "text", "text": observation["text"]}, *images]}]
