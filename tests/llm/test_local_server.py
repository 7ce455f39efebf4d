"""The embedded model's recommended server (prompt cache on) and ``agentclinic serve``, for real."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
import typer
from llm_support import llama_server_process, need, smollm2_or_skip
from typer.testing import CliRunner

from agentclinic.cli.serve import serve
from agentclinic.llm.local_server import server_argv

EVALUATED = re.compile(r"prompt eval time =.*/\s*(\d+) tokens")


def test_the_recommended_command_line_turns_the_prompt_cache_on():
    argv = server_argv("m.gguf", port=8001)
    flags = dict(zip(argv[3::2], argv[4::2], strict=False))
    assert argv[1:3] == ["-m", "llama_cpp.server"]
    assert flags["--host"] == "127.0.0.1" and flags["--interrupt_requests"] == "False"
    assert flags["--cache"] == "True" and flags["--cache_type"] == "ram" and int(flags["--cache_size"]) == 512 << 20
    # Logits for every prompt token would be copied into every saved state (196 KB a token).
    assert flags["--logits_all"] == "False"
    assert "--cache" not in server_argv("m.gguf", port=8001, cache_mb=0)


@pytest.fixture(scope="module")
def cached_server():
    server = llama_server_process()
    with server:
        yield server


def chat(url: str, messages: list[dict]) -> dict:
    body = json.dumps({"messages": messages, "max_tokens": 16, "temperature": 0.0, "seed": 1}).encode()
    request = urllib.request.Request(f"{url}/chat/completions", data=body, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as response:
        return json.load(response)


def evaluated_counts(server, at_least: int) -> list[int]:
    """Prompt tokens the server evaluated per request, from its log (written just after it answers)."""
    deadline = time.monotonic() + 30
    while True:
        counts = [int(n) for n in EVALUATED.findall(server.log.read_text(errors="replace"))]
        if len(counts) >= at_least or time.monotonic() > deadline:
            return counts
        time.sleep(0.2)


def test_alternating_conversations_each_resume_where_they_stopped(cached_server):
    # Two roles of one episode take turns on the single server, as the doctor and patient do.
    doctor = [{"role": "system", "content": "You are a physician taking a history. Ask one short question. "
                                            "The patient is a 54-year-old teacher with two weeks of cough, night "
                                            "sweats, weight loss and a low fever; she smokes and keeps birds."}]
    patient = [{"role": "system", "content": "You are a patient at an appointment. Answer in one sentence. You "
                                             "have had burning pain in the upper belly for a month, worse at night, "
                                             "better after food; you take ibuprofen for a bad knee."}]
    before = len(evaluated_counts(cached_server, 0))
    prompts = []
    for turn in range(2):
        for conversation, line in ((doctor, "Hello doctor, I feel unwell."), (patient, "What brings you in today?")):
            conversation.append({"role": "user", "content": f"{line} (turn {turn + 1})"})
            answer = chat(cached_server.url, conversation)
            reply = answer["choices"][0]["message"]["content"]
            assert reply.strip(), answer  # restored states still produce text
            conversation.append({"role": "assistant", "content": reply})
            prompts.append(answer["usage"]["prompt_tokens"])
    counts = evaluated_counts(cached_server, before + 4)[before:]
    assert len(counts) == 4, counts
    # First calls: nothing of theirs is cached (only the chat template's opening may be shared).
    assert counts[0] >= 0.9 * prompts[0] and counts[1] >= 0.9 * prompts[1], (counts, prompts)
    # Second calls: the other conversation ran in between, yet each evaluates only its new turn.
    assert counts[2] < prompts[2] / 3 and counts[3] < prompts[3] / 3, (counts, prompts)


def test_serve_prints_its_url_and_stops_cleanly_on_sigint(tmp_path):
    need("llama_cpp", "agentclinic serve")
    smollm2_or_skip()
    with open(tmp_path / "stderr.log", "w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "agentclinic", "serve", "--port", "0"],
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        url = first_line(process, timeout_s=180)
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", url), (url, (tmp_path / "stderr.log").read_text())
        with urllib.request.urlopen(f"{url}/models", timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)  # to `agentclinic serve` only, not its server
        assert process.wait(timeout=60) == 0, (tmp_path / "stderr.log").read_text()
        assert "Traceback" not in (tmp_path / "stderr.log").read_text()
        with pytest.raises(OSError):  # the server went with it
            urllib.request.urlopen(f"{url}/models", timeout=5)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def first_line(process: subprocess.Popen, timeout_s: float) -> str:
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    assert line and line[0], f"no URL within {timeout_s} s (exit code {process.poll()})"
    return line[0].strip()


def test_serve_without_the_local_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # find_spec() reports it missing
    app = typer.Typer()
    app.command()(serve)
    result = CliRunner().invoke(app, [])
    assert result.exit_code == 2, result.output
    assert "agentclinic[local]" in result.output and "Traceback" not in result.output


def test_the_in_process_model_reuses_each_conversation_too(monkeypatch):
    need("llama_cpp", "the in-process model")
    from agentclinic.llm.backends.llamacpp_backend import _load

    model = _load(smollm2_or_skip(), 8192, 2)
    evaluated: list[int] = []
    original = model.eval
    monkeypatch.setattr(model, "eval", lambda tokens: (evaluated.append(len(tokens)), original(tokens))[1])
    first = [{"role": "system", "content": "You are a physician. The patient has had a cough for two weeks "
                                           "with night sweats and weight loss; ask one question."}]
    second = [{"role": "system", "content": "You are a patient with a month of burning upper belly pain, "
                                            "worse at night; answer in one sentence."}]
    prompts, spent = [], []
    for turn in range(2):
        for conversation in (first, second):
            conversation.append({"role": "user", "content": f"Please go on (turn {turn + 1})."})
            start = len(evaluated)
            answer = model.create_chat_completion(messages=conversation, max_tokens=8, temperature=0.0, seed=1)
            conversation.append({"role": "assistant", "content": answer["choices"][0]["message"]["content"]})
            prompts.append(answer["usage"]["prompt_tokens"])
            spent.append(sum(evaluated[start:]) - answer["usage"]["completion_tokens"])  # less the sampled tokens
    assert spent[2] < prompts[2] / 3 and spent[3] < prompts[3] / 3, (spent, prompts)
