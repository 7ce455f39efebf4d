from agentclinic.prices import load_prices
from agentclinic.terminology import core_words, load_terminology


def test_aliases_resolve_to_concepts():
    terms = load_terminology()
    assert terms.concept("CBC") == "Complete blood count"
    assert terms.concept("full blood count") == "Complete blood count"
    assert terms.concept("CXR") == "Chest X-ray"
    assert terms.concept("chest xray") == "Chest X-ray"
    assert terms.concept("Chest_X-Ray") == "Chest X-ray"
    assert terms.concept("a serum potassium level please") == "Potassium"
    assert terms.concept("no such thing") is None


def test_containment_is_transitive():
    terms = load_terminology()
    assert "Cardiac enzymes" in terms.containers("Troponin")
    assert {"Basic metabolic panel", "Comprehensive metabolic panel"} <= terms.containers("Sodium")
    assert "Sodium" in terms.parts("Comprehensive metabolic panel")


def test_exam_systems():
    terms = load_terminology()
    assert terms.exam_system("heart") == "cardiovascular"
    assert terms.exam_system("CVS") == "cardiovascular"
    assert terms.exam_system("the belly") == "abdominal"
    assert terms.exam_system("banana") is None


def test_core_words_drop_filler():
    assert core_words("Please order a serum lipase level") == "lipase"


def test_every_canonical_test_with_parts_or_price_is_consistent():
    terms, prices = load_terminology(), load_prices()
    unknown_prices = set(prices.tests) - set(terms.graph.nodes)
    assert unknown_prices == set(), f"prices for tests missing from terminology.yaml: {unknown_prices}"
    categories = {terms.info(name).category for name in terms.graph.nodes}
    assert categories <= set(prices.default_by_category)
