"""The language instruction added to a model role's system prompt.

Model roles keep one prompt set (English by default, or a custom one); a role working in
another language gets, at the end of its system prompt, an instruction written in that
language (``data/languages/<code>/prompts.yaml``) to speak only that language. One prompt set
and one instruction per language, rather than a prompt set per language, keeps every prompt
change in one place.
"""

from __future__ import annotations

from .data import language_data
from .registry import base_code, get_language


def language_instruction(tag: str | None) -> str:
    """The instruction for a role speaking ``tag`` ('' for English)."""
    if base_code(tag) == "en":
        return ""
    written = str(language_data(tag, "prompts").get("instruction") or "").strip()
    if written:
        return written
    language = get_language(tag)
    name = f"{language.name} ({language.native})" if language else tag
    return f"Speak only {name} to the other party, whatever language they use."


def with_instruction(system: str, tag: str | None) -> str:
    """``system`` with the language instruction appended on its own paragraph when there is one."""
    instruction = language_instruction(tag)
    return f"{system}\n\n{instruction}" if instruction else system
