"""Biases, temperaments and persona stacks: data, validation, behaviour, sweeps and swaps."""

import asyncio
import re
import sqlite3
from collections import Counter, defaultdict

import pytest
from typer.testing import CliRunner

from agentclinic.agents.doctor import BaselineDoctor
from agentclinic.agents.patient import ScriptedPatient
from agentclinic.cli import app
from agentclinic.cli.personas import sweep_personas
from agentclinic.persona import Persona, PersonaError, load_library, swap_variants
from agentclinic.runner import RunConfig, run_batch
from agentclinic.scenario import DoctorBrief, Scenario

from conftest import case_data

LIBRARY = load_library()
QUESTIONS = ["What brings you in?", "When did it start?", "Do you have a cough?", "Any fever?", "Any chest pain?",
             "Any other symptoms?", "What medical problems have you had?", "What medicines do you take?",
             "Any dyspnea?", "Does anything run in your family?"]


def scenario():
    return Scenario.model_validate(case_data())


def replies(persona=None, seed=1):
    patient = ScriptedPatient(scenario(), seed, persona=persona)
    return [patient.answer(q) for q in QUESTIONS]


def test_all_23_agentclinic_biases_with_their_original_ids():
    doctor = {b.id for b in LIBRARY.biases.values() if b.role == "doctor"}
    patient = {b.id for b in LIBRARY.biases.values() if b.role == "patient"}
    implicit = {"gender", "race", "sexual_orientation", "cultural", "education", "religion", "socioeconomic"}
    assert doctor == {"recency", "frequency", "false_consensus", "status_quo", "confirmation"} | implicit
    assert patient == {"recency", "frequency", "false_consensus", "self_diagnosis"} | implicit
    assert len(LIBRARY.biases) == 23


@pytest.mark.parametrize("key", sorted(LIBRARY.biases))
def test_every_bias_renders_into_a_prompt(key):
    bias = LIBRARY.biases[key]
    persona = Persona(**{f"{bias.role}_biases": (bias.id,)}, anchor="tuberculosis")
    [text] = LIBRARY.fragments(persona, bias.role)
    assert text and "{anchor}" not in text
    if "{anchor}" in bias.prompt:
        assert "tuberculosis" in text


@pytest.mark.parametrize(("axis", "option"), [(a, o.id) for a, ax in LIBRARY.axes.items() for o in ax.options])
def test_every_temperament_option_loads(axis, option):
    persona = LIBRARY.validate(Persona(temperament={axis: option}))
    assert LIBRARY.axis_of(option) == axis
    assert all(isinstance(t, str) for t in LIBRARY.fragments(persona, "patient"))


@pytest.mark.parametrize(("persona", "message"), [
    (Persona(doctor_biases=("self_diagnosis",)), "unknown doctor bias 'self_diagnosis'"),
    (Persona(patient_biases=("recency", "recency")), "listed twice"),
    (Persona(temperament={"mood": "sunny"}), "unknown temperament axis"),
    (Persona(temperament={"personality": "sunny"}), "unknown personality 'sunny'; expected one of"),
    (Persona(doctor_biases=("confirmation",), anchor=" "), "anchor"),
])
def test_bad_stacks_are_clear_errors(persona, message):
    with pytest.raises(PersonaError, match=message):
        LIBRARY.validate(persona)


def test_stored_stacks_validate():
    assert {"worried-googler", "stoic-farmer"} <= set(LIBRARY.stacks)


def sentence_count(texts):
    return sum(len(re.findall(r"[.!?](?:\s|$)", t)) for t in texts)


def test_minimising_patient_reports_less():
    plain, stoic = replies(), replies(Persona(temperament={"personality": "stoic"}))
    assert sentence_count(stoic) < sentence_count(plain)
    assert "cough" not in replies(Persona(temperament={"personality": "stoic"}))[5]


def test_low_literacy_asks_about_jargon():
    low = replies(Persona(temperament={"literacy": "low"}))
    assert "Sorry, what does 'dyspnea' mean?" in low


def test_poor_recall_is_unsure_about_history():
    assert any("not sure" in r for r in replies(Persona(temperament={"recall": "poor"})))


def test_confusion_mixes_the_timeline():
    confused = replies(Persona(temperament={"cognition": "mildly_confused"}))
    assert "a week ago" not in confused[1] and confused[1] != replies()[1]


def test_self_diagnosis_steers_to_the_anchor():
    steering = replies(Persona(patient_biases=("self_diagnosis",), anchor="lung cancer"))
    assert sum("lung cancer" in r for r in steering) >= 3


@pytest.mark.parametrize("bias", sorted(b.id for b in LIBRARY.biases.values() if b.role == "patient"
                                       and b.kind == "implicit"))
def test_implicit_distrust_makes_the_patient_less_forthcoming(bias):
    guarded = replies(Persona(patient_biases=(bias,)))
    aside = "I'm not sure you're the right person to ask."
    assert any(aside in r for r in guarded)
    told = [r.replace(aside, "") for r in guarded]
    assert sentence_count(told) < sentence_count(replies())


def test_behaviour_is_deterministic_for_a_seed():
    persona = Persona(temperament={"personality": "verbose", "recall": "poor"})
    assert replies(persona, 5) == replies(persona, 5)


def test_confirmation_bias_doctor_orders_the_anchor_work_up_first_and_closes_early():
    brief = DoctorBrief.from_scenario(scenario(), max_turns=20)
    plain = BaselineDoctor(brief, 0)
    biased = BaselineDoctor(brief, 0, persona=Persona(doctor_biases=("confirmation",), anchor="cancer"))
    assert len(biased.plan) < len(plain.plan)
    assert biased.plan[1].startswith("REQUEST TEST:") and not plain.plan[1].startswith("REQUEST TEST:")


def test_sweep_is_a_paired_cross_product(mini_pack, db_url):
    personas = sweep_personas("none,confirmation", "none,self_diagnosis", "anxious,stoic", "cancer", None)
    assert len(personas) == 8
    config = RunConfig(db=db_url, personas=personas, trials=2)
    result = asyncio.run(run_batch(config, pack=mini_pack))
    assert len(result.outcomes) == 2 * 8 * 2
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        rows = con.execute("SELECT scenario_id, trial, seed, persona_id FROM episode").fetchall()
    seeds = defaultdict(set)
    for case, trial, seed, _ in rows:
        seeds[(case, trial)].add(seed)
    assert all(len(s) == 1 for s in seeds.values())  # same case and trial: one seed across conditions
    per_persona = Counter(persona for *_, persona in rows)
    assert len(per_persona) == 8 and set(per_persona.values()) == {4}
    assert "doctor:confirmation+patient:self_diagnosis+personality:anxious" in per_persona


def test_swap_variants_differ_in_one_field_only(mini_pack, db_url):
    base = mini_pack.scenarios[0]
    variants = swap_variants(base, "sex")
    assert [label for label, _ in variants] == ["sex=female", "sex=male"]
    for _, variant in variants:
        dumped, original = variant.model_dump(), base.model_dump()
        dumped["patient"]["demographics"].pop("sex"), original["patient"]["demographics"].pop("sex")
        assert dumped == original
    result = asyncio.run(run_batch(RunConfig(db=db_url, swap="age"), pack=mini_pack))
    assert sorted({o.swap for o in result.outcomes}) == ["age=25", "age=45", "age=65", "age=85"]
    with pytest.raises(PersonaError, match="unknown swap"):
        swap_variants(base, "height")


def test_personas_cli():
    listed = CliRunner().invoke(app, ["personas", "list", "--json"])
    import json

    rows = json.loads(listed.stdout)
    kinds = Counter(r["kind"].split("/")[0] for r in rows)
    assert kinds["bias"] == 23 and kinds["temperament"] >= 13 and kinds["stack"] >= 1
    shown = CliRunner().invoke(app, ["personas", "show", "patient.self_diagnosis", "--anchor", "lupus"])
    assert shown.exit_code == 0 and "lupus" in shown.stdout
    bad = CliRunner().invoke(app, ["run", "--doctor-bias", "nonsense"])
    assert bad.exit_code == 2 and "unknown doctor bias" in bad.output


def test_llm_agents_receive_the_fragments_in_their_system_prompt():
    from agentclinic.agents.registry import RoleSettings, build
    from stub_server import StubServer

    persona = Persona(doctor_biases=("confirmation",), patient_biases=("self_diagnosis",),
                      temperament={"personality": "anxious"}, anchor="lymphoma")
    with StubServer(reply=lambda body: "Hello.") as server:
        settings = RoleSettings(base_url=server.url)
        patient = build("patient", "openai:stub", settings)(scenario(), 0, persona=persona)
        asyncio.run(patient.reply("Hi?"))
        doctor = build("doctor", "openai:stub", settings)(DoctorBrief.from_scenario(scenario(), 5), 0,
                                                         persona=persona)
        from agentclinic.roles import Observation

        asyncio.run(doctor.act(Observation("Begin.", "system", 0, 5, 0.0)))
    patient_system = server.requests[0]["messages"][0]["content"]
    doctor_system = server.requests[1]["messages"][0]["content"]
    for text in LIBRARY.fragments(persona, "patient"):
        assert text in patient_system
    for text in LIBRARY.fragments(persona, "doctor"):
        assert text in doctor_system and "lymphoma" in text
    assert LIBRARY.fragments(persona, "patient")[0] not in doctor_system


def test_env_patient_follows_a_stored_persona(mini_pack, db_url):
    import gymnasium as gym

    import agentclinic

    env = gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=db_url, persona="worried-googler")
    env.reset(seed=0)
    obs, *_ = env.step("What brings you in?")
    env.close()
    assert "cancer" in obs["text"]
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as con:
        assert con.execute("SELECT persona_id FROM episode").fetchone() == ("worried-googler",)
    with pytest.raises(PersonaError, match="stored stacks"):
        gym.make(agentclinic.ENV_ID, scenarios=mini_pack, db=None, persona="nobody")
