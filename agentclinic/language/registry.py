"""The languages AgentClinic's packs and scripted roles support (pure)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One supported language: its BCP-47 base code, names and writing direction."""

    code: str
    name: str  # in English, for reports
    native: str  # in the language itself, for prompts and the TUI
    rtl: bool = False


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    Language("en", "English", "English"),
    Language("zh", "Chinese", "中文"),
    Language("hi", "Hindi", "हिन्दी"),
    Language("ko", "Korean", "한국어"),
    Language("es", "Spanish", "Español"),
    Language("fr", "French", "Français"),
    Language("fa", "Persian", "فارسی", rtl=True),
)}


def base_code(tag: str | None) -> str:
    """The primary subtag of a BCP-47 tag, lower-cased ('zh-Hans-CN' -> 'zh'; None -> 'en')."""
    return (tag or "en").split("-")[0].split("_")[0].lower() or "en"


def get_language(tag: str | None) -> Language | None:
    """The supported language of ``tag``, or None when the scripted roles do not speak it."""
    return LANGUAGES.get(base_code(tag))


def is_rtl(tag: str | None) -> bool:
    """Whether text in ``tag`` is written right to left (Persian)."""
    found = get_language(tag)
    return bool(found and found.rtl)
