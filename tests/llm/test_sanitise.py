"""Model replies are cleaned where they enter (ModelClient.chat), and counted."""

import asyncio

import pytest

from agentclinic.llm.backends import RawCompletion
from agentclinic.llm.calls import call_sink
from agentclinic.llm.client import ModelClient
from agentclinic.llm.messages import Message
from agentclinic.llm.sanitise import sanitise, terminal_safe
from agentclinic.llm.spec import parse_spec
from agentclinic.printable import printable

ESC_CLEAR = "\x1b[2J"
OSC8 = "\x1b]8;;file:///etc/passwd\x07click me\x1b]8;;\x07"
BAD = "\x00\x07\x08\x0b\x0c\x1b\x7f\x85\x9b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


@pytest.mark.parametrize(("raw", "clean", "count"), [
    ("plain reply, 38.5 °C", "plain reply, 38.5 °C", 0),
    ("line one\nline\ttwo", "line one\nline\ttwo", 0),
    ("windows\r\nline", "windows\nline", 0),  # a line ending, not an attack: not counted
    ("lone \ud800 surrogate", "lone \ufffd surrogate", 1),
    ("pair \ud83d\ude00 joined", "pair \U0001f600 joined", 0),
    (f"before{ESC_CLEAR}after", "beforeafter", 4),
    (f"see {OSC8}", "see click me", len(OSC8) - len("click me")),
    ("nul\x00here", "nulhere", 1),
    ("\u202eevil", "evil", 1),
    ("red \x1b[31mtext\x1b[0m", "red text", 9),
    ("C1 \x9b2J csi", "C1  csi", 3),
    ("stray\rreturn", "strayreturn", 1),
    ("unterminated \x1b]8;;x rest", "unterminated 8;;x rest", 2),  # the text after it is kept
])
def test_sanitise(raw, clean, count):
    assert sanitise(raw) == (clean, count)


def test_every_unsafe_character_goes():
    text, count = sanitise(f"a{BAD}b")
    assert text == "ab" and count == len(BAD)


def test_terminal_safe_takes_none_and_stored_text():
    assert terminal_safe(None) == ""
    assert terminal_safe(f"[bold]x[/]{ESC_CLEAR}") == "[bold]x[/]"  # markup is left for rich escaping


def test_printable_also_redacts_old_credentials():
    assert printable("openai:m@http://u:pw@h/v1\x1b[2J") == "openai:m@http://h/v1"
    assert printable(None) == "" and printable(3) == "3"


class FakeBackend:
    def __init__(self, spec, text):
        self.spec, self.text, self.calls = spec, text, 0

    async def complete(self, messages, *, json_schema=None, seed=None):
        self.calls += 1
        return RawCompletion(self.text, 5, 3, "fake")


class DictCache:
    def __init__(self):
        self.rows = {}

    def get(self, key):
        return self.rows.get(key)

    def put(self, key, model, completion):
        self.rows[key] = completion


def _chat(client):
    records = []
    token = call_sink.set(records.append)
    try:
        completion = asyncio.run(client.chat([Message("user", "hi")]))
    finally:
        call_sink.reset(token)
    return completion, records


def test_client_sanitises_replies_and_counts_them():
    spec = parse_spec("openai:fake")
    client = ModelClient(spec, "patient", backend=FakeBackend(spec, f"It \ud800 hurts{ESC_CLEAR}\u202e."),
                         cache=DictCache())
    completion, [record] = _chat(client)
    assert completion.text == "It \ufffd hurts." and record.sanitised == 6 and not record.cache_hit


def test_cached_replies_are_sanitised_too():
    """A cache written before sanitising (or by hand) holds raw text; a hit is cleaned again."""
    spec = parse_spec("openai:fake")
    cache = DictCache()
    backend = FakeBackend(spec, "unused")
    client = ModelClient(spec, "patient", backend=backend, cache=cache)
    key = client.cache_key([Message("user", "hi")], None, None)
    cache.rows[key] = RawCompletion(f"old{ESC_CLEAR}\x00 row", 5, 3)
    completion, [record] = _chat(client)
    assert backend.calls == 0 and record.cache_hit
    assert completion.text == "old row" and record.sanitised == 5


def test_cache_stores_the_clean_reply():
    spec = parse_spec("openai:fake")
    cache = DictCache()
    client = ModelClient(spec, "patient", backend=FakeBackend(spec, f"x{ESC_CLEAR}"), cache=cache)
    _chat(client)
    [stored] = cache.rows.values()
    assert stored.text == "x"
