"""Matching in every script: normalisation, the leak guard, the resolver and the judge."""

from __future__ import annotations

from agentclinic.matching import match
from agentclinic.text import contains_term, normalize
from agentclinic.validity.guard import TermFinder


def test_chinese_and_korean_phrases_are_found_inside_longer_words():
    assert normalize("胸痛三天了。") == "胸 痛 三 天 了"
    assert contains_term("我胸口痛，胸痛三天了", "胸痛")
    assert contains_term("두통이 있어요", "두통")  # the particle is glued to the noun
    assert not contains_term("胸口不痛", "胸痛")


def test_devanagari_signs_stay_in_the_word_and_digits_fold():
    assert normalize("मुझे सिर में दर्द है") == "मुझे सिर में दर्द है"
    assert contains_term("मुझे तेज़ बुखार है", "बुखार")
    assert normalize("تب ۳۸ درجه") == "تب 38 درجه"


def test_persian_is_matched_whichever_letter_forms_are_typed():
    arabic_forms, persian_forms = "\u064a\u0643", "\u06cc\u06a9"
    assert normalize(arabic_forms) == normalize(persian_forms)
    assert TermFinder(["دیابت"]).find("بیمار دیابت دارد".replace("\u06cc", "\u064a"))


def test_the_guard_finds_a_diagnosis_with_a_particle_but_not_across_punctuation():
    finder = TermFinder(["脑梗", "편두통", "心房颤动"])
    assert finder.find("有脑梗病史") == ["脑梗"]
    assert finder.find("편두통이에요") == ["편두통"]
    assert finder.find("大脑，梗阻") == []  # two words that happen to touch across a comma
    assert finder.find("心，房，颤，动") == ["心房颤动"]  # a long term broken up is still found


def test_the_judge_reads_hedges_and_negations_written_without_spaces():
    assert match("心房颤动", "心房颤动", ["atrial fibrillation"]).correct
    assert match("atrial fibrillation", "心房颤动", ["atrial fibrillation"]).correct
    assert not match("细菌性或病毒性脑膜炎", "病毒性脑膜炎", ["viral meningitis"]).correct
    assert match("心房颤动而非心房扑动", "心房颤动", ["atrial fibrillation"], ["心房扑动"]).correct


def test_the_guard_finds_multi_word_terms_in_persian_and_hindi():
    assert TermFinder(["درماتیت آتوپیک"]).find("بیمار درماتیت آتوپیک دارد") == ["درماتیت آتوپیک"]
    assert TermFinder(["मधुमेह कीटोएसिडोसिस"]).find("यह मधुमेह कीटोएसिडोसिस है") == ["मधुमेह कीटोएसिडोसिस"]
