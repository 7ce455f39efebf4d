"""Wrappers for agent frameworks around :class:`~agentclinic.env.ClinicEnv`.

:class:`ChatObservation` turns the observation into the whole conversation so far as
OpenAI-style chat messages, ready to send to a chat model, so no adapter has to rebuild the
history: the system message is the episode's instructions, each doctor action an assistant
message (with ``tool_calls`` when it was a tool call), each reply a user message (a ``tool``
message answering a tool call), images as ``image_url`` content parts. ``render()`` is
the env's own. The message shapes live in :mod:`agentclinic.chat`, which also rebuilds the
same conversation from the log for exported trajectories.
"""

from __future__ import annotations

import base64
import copy
import io
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .chat import action_message, reply_messages

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

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ChatMessages)


def _image_part(image: np.ndarray) -> dict[str, Any]:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return {"type": "image_url",
            "image_url": {"url": "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")}}


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
        message, call = action_message(action, len(self.messages))
        self.messages.append(message)
        observation, reward, terminated, truncated, info = self.env.step(action)
        self.messages += self._replies(observation, call)
        return copy.deepcopy(self.messages), reward, terminated, truncated, info

    @staticmethod
    def _replies(observation: dict[str, Any], call: dict[str, Any] | None) -> list[dict[str, Any]]:
        return observation_messages(observation, call)


def observation_messages(observation: dict[str, Any], call: dict[str, Any] | None) -> list[dict[str, Any]]:
    """An env observation as chat messages: the answer to ``call`` (a ``tool`` message) or a
    user message, with the images as ``image_url`` parts."""
    return reply_messages(observation["text"], call, [_image_part(image) for image in observation["images"]])
