"""Key-fact coverage: a lexical lower bound with lay phrasings bridged."""

from agentclinic.episode import TurnRecord
from agentclinic.report.coverage import fact_surfaced, key_fact_coverage
from agentclinic.report.lexical import content_stems, numbers_in


def said(speaker, text):
    return TurnRecord(index=0, speaker=speaker, text=text)


def test_a_fact_surfaces_when_most_of_its_words_were_said():
    revealed = content_stems("I ran out of my furosemide about ten days ago.")
    assert fact_surfaced("Ran out of furosemide ten days ago", revealed)
    assert not fact_surfaced("High salt intake over the holidays", revealed)


def test_only_patient_and_measurement_words_count():
    turns = [said("doctor", "Have you been fainting or short of breath?"), said("patient", "No, nothing like that.")]
    coverage = key_fact_coverage(["Fainting episodes", "Breathlessness on exertion"], turns)
    assert coverage.surfaced == (False, False) and coverage.share == 0.0


def test_lay_words_cover_the_clinical_term():
    coverage = key_fact_coverage(["Syncope while standing"], [said("patient", "I fainted while standing in a queue.")])
    assert coverage.share == 1.0


def test_no_key_facts_means_no_share():
    assert key_fact_coverage([], [said("patient", "hello")]).share is None


def test_numbers_are_read_from_digits_and_words():
    assert numbers_in("two days, 38.50 degrees, 007 and 12") == {"2", "38.5", "7", "12"}
