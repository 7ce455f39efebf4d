"""What the player types becomes the doctor's protocol; completion never comes from the case."""

import asyncio

import pytest

from agentclinic.tui.commands import CommandError, CommandSuggester, to_protocol


@pytest.mark.parametrize("typed, protocol", [
    ("Where does it hurt?", "Where does it hurt?"),
    ("/exam", "PHYSICAL EXAM"),
    ("/exam chest", "PHYSICAL EXAM: chest"),
    ("/test troponin I", "REQUEST TEST: troponin I"),
    ("/images", "REQUEST IMAGES"),
    ("/images chest x-ray", "REQUEST IMAGES: chest x-ray"),
    ("  /dx atrial fibrillation ", "DIAGNOSIS READY: atrial fibrillation"),
])
def test_commands_map_to_the_protocol(typed, protocol):
    assert to_protocol(typed) == protocol


@pytest.mark.parametrize("typed, message", [("/dx", "/dx needs a name"), ("/test", "/test needs a name"),
                                            ("/order cbc", "unknown command '/order'")])
def test_incomplete_commands_explain_themselves(typed, message):
    with pytest.raises(CommandError, match=message):
        to_protocol(typed)


def test_completion_offers_general_catalogue_names(core_pack):
    suggester = CommandSuggester()
    suggest = lambda value: asyncio.run(suggester.get_suggestion(value))  # noqa: E731
    assert suggest("/te") == "/test"
    assert suggest("/test tropon").lower() == "/test troponin"
    assert suggest("/exam cardio").startswith("/exam cardio")
    assert suggest("what brings you") is None
    # The catalogue is the same for every case: it holds no case's diagnosis.
    diagnoses = {case.diagnosis.name.lower() for case in core_pack.scenarios}
    assert not diagnoses & {name.lower() for name in suggester.tests}
