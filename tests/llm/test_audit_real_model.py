"""The simulator audit of a real model patient: SmolLM2 behind llama.cpp's OpenAI server.

The 135M model is no good patient; the test checks that the audit puts every probe to it
through the server and judges whatever comes back, which is what a user vetting a model
patient before a big run relies on.
"""

import json

from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.validity.probes import OPEN_QUESTIONS


def test_the_audit_probes_a_real_model_patient(llama_server, tmp_path):
    out = tmp_path / "probes.json"
    result = CliRunner().invoke(app, [
        "audit", "--scenario", "cardiology-001", "--patient", "openai:smollm2", "--measurement", "none",
        "--base-url", llama_server, "--role-option", "patient.max_tokens=40", "--role-option",
        "patient.temperature=0", "--json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)["summary"]
    checks = json.loads(out.read_text(encoding="utf-8"))
    assert summary["cases"] == 1 and summary["replies"] == len(checks) >= 20
    assert [c["question"] for c in checks[:len(OPEN_QUESTIONS)]] == list(OPEN_QUESTIONS)
    assert all(isinstance(c["reply"], str) for c in checks)
    for key in ("open_answered", "card_topics_answered", "first_person"):
        assert 0.0 <= summary[key] <= 1.0
