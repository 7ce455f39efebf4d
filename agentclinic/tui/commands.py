"""What the player types, turned into the doctor's protocol, with test-name completion.

Completion offers names from the general test catalogue and body systems only, never from
the case being played, which would give the answer away.
"""

from __future__ import annotations

from textual.suggester import Suggester

from ..terminology import load_terminology

# One line at 80 columns (the game's hint); '→ completes' is said in the input's placeholder.
HELP = "Ask the patient, or /exam [system] · /test NAME · /images · /dx DIAGNOSIS"
PLACEHOLDER = "Your question or command (→ completes)"
COMMANDS = {"/exam": "PHYSICAL EXAM", "/test": "REQUEST TEST", "/images": "REQUEST IMAGES",
            "/dx": "DIAGNOSIS READY"}


def asks_for_images(protocol: str) -> bool:
    """Whether a protocol utterance (from :func:`to_protocol`) requests the case's images."""
    return protocol.split(":", 1)[0].strip() == COMMANDS["/images"]


class CommandError(ValueError):
    """A command the player typed without what it needs."""


def to_protocol(typed: str) -> str:
    """The doctor's utterance for what was typed: commands map to the text protocol,
    anything else is a question for the patient."""
    text = typed.strip()
    if not text.startswith("/"):
        return text
    command, _, rest = text.partition(" ")
    rest = rest.strip()
    if command not in COMMANDS:
        raise CommandError(f"unknown command {command!r}; {HELP}")
    if command in ("/test", "/dx") and not rest:
        raise CommandError(f"{command} needs a name, e.g. {'/test troponin' if command == '/test' else '/dx asthma'}")
    keyword = COMMANDS[command]
    if command == "/exam":
        return f"{keyword}: {rest}" if rest else keyword
    if command == "/images":
        return f"{keyword}: {rest}" if rest else keyword
    return f"{keyword}: {rest}"


class CommandSuggester(Suggester):
    """Completes commands, test names after ``/test`` and body systems after ``/exam``."""

    def __init__(self) -> None:
        super().__init__(use_cache=True, case_sensitive=False)
        terms = load_terminology()
        self.tests = terms.catalogue()
        self.systems = terms.systems()

    async def get_suggestion(self, value: str) -> str | None:
        if not value.startswith("/"):
            return None
        command, space, rest = value.partition(" ")
        if not space:
            return next((c for c in COMMANDS if c.startswith(command) and c != command), None)
        options = self.tests if command in ("/test", "/images") else self.systems if command == "/exam" else []
        wanted = rest.lower()
        match = next((o for o in options if o.lower().startswith(wanted)), None) if wanted else None
        return f"{command} {match}" if match else None
