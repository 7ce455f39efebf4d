"""The patient card as prompt text for an LLM patient (what the patient knows, nothing more)."""

from __future__ import annotations

from ..scenario import PatientCard


def _items(items: list[str]) -> str:
    return "; ".join(items) if items else "none"


def render_card(card: PatientCard) -> str:
    """Sections in the patient's words; pertinent negatives listed so the patient can deny them."""
    lines = [f"Why you came: {card.chief_complaint}", f"Your story: {card.history_of_present_illness}"]
    present = [f"- {s.name}: {s.detail}" if s.detail else f"- {s.name}" for s in card.symptoms if s.present]
    absent = [s.name for s in card.symptoms if not s.present]
    lines.append("What you have noticed:\n" + "\n".join(present))
    if absent:
        lines.append("You have NOT had: " + ", ".join(absent) + ".")
    lines += [
        f"Past illnesses: {_items(card.past_medical_history)}",
        f"Operations: {_items(card.past_surgical_history)}",
        f"Medicines: {_items(card.medications)}",
        f"Allergies: {_items(card.allergies)}",
        f"Family: {_items(card.family_history)}",
    ]
    lines += [f"{key.replace('_', ' ').capitalize()}: {text}" for key, text in card.social_history.items()]
    lines += [f"Other body systems ({key.replace('_', ' ')}): {text}" for key, text in card.review_of_systems.items()]
    for key, value in card.extra_sections.items():
        lines.append(f"{key.replace('_', ' ').capitalize()}: {value if isinstance(value, str) else _items(value)}")
    if card.demographics.occupation:  # so an occupation swap reaches the patient model
        lines.append(f"Your work: {card.demographics.occupation}")
    if card.demographics.informant:
        lines.append(f"You are the patient's {card.demographics.informant} and answer for them.")
    return "\n".join(lines)
