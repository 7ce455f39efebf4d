import pytest

from agentclinic.actions import (
    Ask,
    Diagnose,
    Examine,
    Invalid,
    RequestImages,
    RequestTest,
    format_action,
    parse_action,
)


@pytest.mark.parametrize(("text", "expected"), [
    ("REQUEST TEST: Chest_X-Ray", RequestTest(name="Chest_X-Ray")),
    ("I'd like bloods. REQUEST TEST: CBC.", RequestTest(name="CBC")),
    ("request test: troponin", RequestTest(name="troponin")),
    ("REQUEST IMAGES", RequestImages()),
    ("REQUEST IMAGES: chest X-ray", RequestImages(name="chest X-ray")),
    ("PHYSICAL EXAM", Examine()),
    ("PHYSICAL EXAMINATION: cardiovascular", Examine(system="cardiovascular")),
    ("EXAMINE: abdomen", Examine(system="abdomen")),
    ("Could I examine your chest?", Ask(text="Could I examine your chest?")),
    ("Where does it hurt?", Ask(text="Where does it hurt?")),
    ("DIAGNOSIS READY: Myasthenia gravis", Diagnose(diagnosis="Myasthenia gravis")),
    ("Thinking it over... DIAGNOSIS READY: **Pulmonary embolism**.", Diagnose(diagnosis="Pulmonary embolism")),
])
def test_text_protocol(text, expected):
    assert parse_action(text) == expected


def test_diagnosis_with_differential_and_confidence():
    action = parse_action("DIAGNOSIS READY: Gout\nDIFFERENTIAL: 1. Gout 2. Pseudogout; Septic arthritis\nCONFIDENCE: 70%")
    assert action == Diagnose(diagnosis="Gout", differential=("Gout", "Pseudogout", "Septic arthritis"),
                              confidence=0.7)


def test_diagnosis_takes_precedence_like_agentclinic():
    assert isinstance(parse_action("REQUEST TEST: CBC\nDIAGNOSIS READY: Anemia"), Diagnose)


@pytest.mark.parametrize(("text", "expected"), [
    ('{"action": "ask", "text": "Any fever?"}', Ask(text="Any fever?")),
    ('{"action": "request_test", "test": "CBC"}', RequestTest(name="CBC")),
    ('{"kind": "examine", "system": "heart"}', Examine(system="heart")),
    ('{"type": "diagnosis", "diagnosis": "Gout", "confidence": 0.9}', Diagnose(diagnosis="Gout", confidence=0.9)),
])
def test_structured_form(text, expected):
    assert parse_action(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "DIAGNOSIS READY:", "REQUEST TEST:", '{"action": "fly"}',
    '{"action": "diagnose"}', '{"action": "diagnose", "diagnosis": "x", "confidence": 7}', "x" * 5000,
])
def test_unusable_output_is_invalid_not_an_exception(text):
    action = parse_action(text)
    assert isinstance(action, Invalid) and action.reason


@pytest.mark.parametrize("text", [None, 42, "{", "{{{{", "[1, 2]", '{"text": 1}', "\x00\x01", "🤒" * 100])
def test_parser_never_raises(text):
    assert parse_action(text).kind in {"ask", "invalid"}


@pytest.mark.parametrize("action", [
    Ask(text="Any fever?"), Examine(), Examine(system="heart"), RequestTest(name="CBC"), RequestImages(),
    Diagnose(diagnosis="Gout", differential=("Gout", "Pseudogout"), confidence=0.5),
])
def test_format_round_trips(action):
    assert parse_action(format_action(action)) == action


@pytest.mark.parametrize("text", ['{"action": "ask", "text": "Any fev', '{ "kind": "diagnose", "diagnosis": '])
def test_cut_off_json_action_is_invalid(text):
    action = parse_action(text)
    assert isinstance(action, Invalid) and "malformed" in action.reason


def test_brace_question_is_still_a_question():
    assert parse_action("{sorry} any fever?") == Ask(text="{sorry} any fever?")
