"""Preference pairs for DPO from exported episodes (pure).

A pair is a correct and a wrong episode of the same case under the same condition whose
opening is the same (system message and first observation): TRL's conversational preference
shape, ``prompt`` the shared opening, ``chosen`` and ``rejected`` the rest of each
conversation up to the doctor's last message. Within a group the correct and the wrong
episodes are taken in episode order and matched one to one, so each episode is used once
and the same log always gives the same pairs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

PROMPT_LENGTH = 2  # the system message and the opening observation


def preference_pairs(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pairs from episode records (see the module doc); episodes not judged are left out."""
    groups: dict[tuple[str, str, str], tuple[list[dict], list[dict]]] = {}
    for record in sorted(records, key=lambda r: (r["run_id"], r["episode_id"])):
        if record["correct"] is None or record["status"] != "completed":
            continue
        prompt = json.dumps(record["messages"][:PROMPT_LENGTH], sort_keys=True)
        correct, wrong = groups.setdefault((record["case_id"], record["condition"], prompt), ([], []))
        (correct if record["correct"] else wrong).append(record)
    pairs = []
    for (case_id, condition, _), (correct, wrong) in sorted(groups.items()):
        for chosen, rejected in zip(correct, wrong):
            pairs.append({
                "prompt": chosen["messages"][:PROMPT_LENGTH], "chosen": completion(chosen["messages"]),
                "rejected": completion(rejected["messages"]), "case_id": case_id, "condition": condition,
                "run_id": chosen["run_id"], "chosen_episode_id": chosen["episode_id"],
                "rejected_episode_id": rejected["episode_id"],
                "chosen_reward": chosen["rewards"]["terminal_total"],
                "rejected_reward": rejected["rewards"]["terminal_total"],
            })
    return pairs


def completion(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation after the opening, ending with the doctor's last message (the replies
    after it, such as "Diagnosis recorded.", teach nothing)."""
    rest = list(messages[PROMPT_LENGTH:])
    while rest and rest[-1]["role"] != "assistant":
        rest.pop()
    return rest
