"""Reward schemes for the env and for exported trajectories (pure).

``terminal`` (the default) pays only at the end: 1 for a diagnosis the judge accepts (its
hedging rules apply: a list of conditions or a vague class is not correct), else 0, less
``cost_weight`` per 1000 USD spent.

``shaped`` adds per-step terms that a policy can learn from before the end. They count what
the process metrics count (:mod:`agentclinic.report.metrics`), step by step, from the turns
alone, so :func:`trajectory_terms` recomputes them exactly from a logged transcript:

* ``cost``: minus ``usd_weight`` per 1000 USD the step spent (examinations, tests at their
  list price) and minus ``question_fee`` for each question put to the patient;
* ``invalid``: minus ``invalid_penalty`` for an action the protocol could not read;
* ``repeat``: minus ``repeat_penalty`` for a question or test that repeats an earlier one;
* ``information``: plus ``information`` × (key facts newly surfaced / key facts of the case),
  so the whole episode can earn at most ``information`` from this term; a reply's words that
  the doctor itself just said do not count (replies may echo the question or an unknown test
  name), except in a result drawn from the case;
* ``terminal``: the judge's verdict at the end, as above.

The information term is bounded and each fact pays once, so asking forever earns less than
diagnosing correctly; costs and penalties make stalling negative. The reward of a step is the
sum of its terms, and the env reports each term in ``info["reward_terms"]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .report.coverage import REVEALING, THRESHOLD, revealed_stems
from .report.lexical import content_stems
from .report.metrics import TEST_ACTIONS, PricedTurn, ordered_test_key, similar_questions

REWARD_MODES = ("terminal", "shaped")
TERMS = ("terminal", "cost", "invalid", "repeat", "information")


@dataclass(frozen=True)
class Shaping:
    """Weights of the shaped reward's per-step terms (see the module docstring)."""

    question_fee: float = 0.002
    usd_weight: float = 0.1
    invalid_penalty: float = 0.05
    repeat_penalty: float = 0.05
    information: float = 0.2

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value >= 0:  # also refuses NaN
                raise ValueError(f"Shaping.{name} must be a number ≥ 0, got {value!r}")


def reward_scheme(reward: str | Shaping) -> Shaping | None:
    """The shaping weights for an env's ``reward=`` option; None for the terminal reward."""
    if isinstance(reward, Shaping):
        return reward
    if reward not in REWARD_MODES:
        raise ValueError(f"reward must be one of {', '.join(REWARD_MODES)} or a Shaping, got {reward!r}")
    return Shaping() if reward == "shaped" else None


def terminal_term(correct: bool | None, cost_usd: float, cost_weight: float = 0.0) -> float:
    """The end-of-episode reward: the verdict, less ``cost_weight`` per 1000 USD spent."""
    return (1.0 if correct else 0.0) - cost_weight * cost_usd / 1000.0


class ShapedTracker:
    """The shaped terms of an episode, step by step, kept up to date incrementally (each step
    costs what its own turns cost, not the whole transcript again).

    It counts as the process metrics do (:func:`~agentclinic.report.metrics.episode_metrics`):
    the same question similarity, test concepts and key-fact matching, except that a fact is
    matched reply by reply (a lay phrase split across two replies is not bridged) and a reply's
    echo of the doctor's own words reveals nothing."""

    def __init__(self, key_facts: Sequence[str], shaping: Shaping):
        self.shaping = shaping
        self.facts = [content_stems(fact) for fact in key_facts]
        self.surfaced = [False] * len(self.facts)
        self.revealed: set[str] = set()
        self.questions: list[set[str]] = []
        self.tests: set[str] = set()
        self.seen = 0  # turns already counted

    def step(self, turns: Sequence[PricedTurn]) -> dict[str, float]:
        """The terms earned by ``turns[self.seen:]`` (the turns since the last call)."""
        new, self.seen = turns[self.seen:], len(turns)
        cost = sum(turn.cost_usd or 0.0 for turn in new)
        questions = invalid = repeats = 0
        said: set[str] = set()  # the doctor's own words in this step
        for turn in new:
            if turn.speaker == "doctor":
                questions += turn.action == "ask"
                invalid += turn.action == "invalid"
                repeats += self._repeats(turn)
                said = content_stems(turn.text)
            elif turn.speaker in REVEALING:
                self.revealed |= self._revealed_by(turn, said)
        return {
            "terminal": 0.0,
            # 0.0 - x rather than -x: a zero term reads 0.0, not -0.0, in logs and exports.
            "cost": 0.0 - (self.shaping.usd_weight * cost / 1000.0 + self.shaping.question_fee * questions),
            "invalid": 0.0 - self.shaping.invalid_penalty * invalid,
            "repeat": 0.0 - self.shaping.repeat_penalty * repeats,
            "information": self.shaping.information * self._newly_surfaced() / len(self.facts) if self.facts else 0.0,
        }

    @staticmethod
    def _revealed_by(turn: PricedTurn, said: set[str]) -> set[str]:
        """What a reply reveals. Replies may echo the doctor ("Sorry, what does 'X' mean?",
        "<system> examination: no abnormality found", "<unknown test>: within normal limits"),
        so words the doctor itself just said earn nothing, except in results drawn from the case."""
        stems = revealed_stems(turn.text)
        if turn.speaker == "measurement" and getattr(turn, "provenance", None) == "case":
            return stems
        return stems - said

    def _repeats(self, turn: PricedTurn) -> int:
        if turn.action == "ask":
            words = content_stems(turn.text)
            repeated = any(similar_questions(words, earlier) for earlier in self.questions)
            self.questions.append(words)
            return int(repeated)
        if turn.action in TEST_ACTIONS:
            key = ordered_test_key(str((turn.action_detail or {}).get("name") or turn.action))
            repeated = key in self.tests
            self.tests.add(key)
            return int(repeated)
        return 0

    def _newly_surfaced(self) -> int:
        count = 0
        for index, stems in enumerate(self.facts):
            if not self.surfaced[index] and stems and len(stems & self.revealed) / len(stems) >= THRESHOLD:
                self.surfaced[index] = True
                count += 1
        return count


def trajectory_terms(turns: Sequence[PricedTurn], key_facts: Sequence[str], correct: bool | None,
                     shaping: Shaping | None, cost_weight: float = 0.0) -> list[dict[str, float]]:
    """The reward terms of every doctor step of a logged episode, in order.

    ``turns`` is the whole transcript; a step is a doctor turn with the replies that follow
    it. Without ``shaping`` only the last step pays (the terminal reward)."""
    starts = [i for i, turn in enumerate(turns) if turn.speaker == "doctor"]
    tracker = ShapedTracker(key_facts, shaping) if shaping is not None else None
    steps: list[dict[str, float]] = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(turns)
        steps.append(tracker.step(turns[:end]) if tracker else dict.fromkeys(TERMS, 0.0))
    if steps:
        cost = sum(turn.cost_usd or 0.0 for turn in turns)
        steps[-1]["terminal"] = terminal_term(correct, cost, cost_weight)
    return steps
