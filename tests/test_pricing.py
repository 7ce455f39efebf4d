"""Model prices are found from every name a model goes by: the backend's bare name, the label a
run stores, router paths and dated snapshots; a model the price file lacks stays unpriced."""

import json
import socket

import pytest
from typer.testing import CliRunner

from agentclinic.cli import app
from agentclinic.llm.pricing import PriceTable, load_price_table, model_names
from agentclinic.llm.spec import parse_spec

from stub_server import StubServer

runner = CliRunner()
MINI = load_price_table().lookup("gpt-4o-mini")


def test_the_bundled_file_prices_gpt_4o_mini():
    assert MINI is not None and (MINI.input_per_mtok, MINI.output_per_mtok) == (0.15, 0.60)


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:9/v1", "https://user:secret@api.example.com/v1"])
def test_the_label_the_client_stores_for_openai_gpt_4o_mini_is_priced(base_url):
    spec = parse_spec("openai:gpt-4o-mini", base_url)  # what `--model openai:gpt-4o-mini` builds
    prices = load_price_table()
    assert prices.lookup(spec.label) == prices.lookup(spec.model) == MINI
    assert prices.cost(spec.label, 1_000_000, 1_000_000) == pytest.approx(0.75)


@pytest.mark.parametrize("name", ["openai/gpt-4o-mini", "langchain:openai:gpt-4o-mini", "GPT-4o-mini",
                                  "gpt-4o-mini-2024-07-18", "openai:gpt-4o-mini-2024-07-18@http://host:8000/v1"])
def test_provider_qualified_and_dated_names_find_their_family(name):
    assert load_price_table().lookup(name) == MINI


def test_the_longest_listed_family_wins_and_only_at_a_name_boundary():
    table = PriceTable({"models": {"gpt-4o": {"input": 2.5, "output": 10}, "gpt-4": {"input": 30, "output": 60},
                                   "claude-3-5-sonnet": {"input": 3, "output": 15}}})
    assert table.lookup("gpt-4o-2024-08-06").input_per_mtok == 2.5
    assert table.lookup("gpt-4-0613").input_per_mtok == 30
    assert table.lookup("claude-3-5-sonnet@20240620").input_per_mtok == 3  # Vertex-style snapshot
    assert table.lookup("gpt-4.1") is None  # a different model, not a gpt-4 snapshot
    assert table.lookup("gpt-4omni") is None


@pytest.mark.parametrize("name", ["openai:gpt-99-turbo", "anthropic:some-new-model", "hf:/models/unknown",
                                  "openai:stub@http://127.0.0.1:9/v1"])
def test_models_missing_from_the_file_stay_unpriced(name):
    prices = load_price_table()
    assert prices.lookup(name) is None and prices.cost(name, 10, 10) is None


def test_model_names_strip_server_provider_and_router_path():
    assert model_names("openai:gpt-4o-mini@http://h:1/v1") == ["openai:gpt-4o-mini", "gpt-4o-mini"]
    assert model_names("openrouter:openai/gpt-4o-mini") == ["gpt-4o-mini"]


def test_a_run_with_openai_gpt_4o_mini_is_priced(db_url):
    """End to end: a real run against a loopback OpenAI-compatible server answering as gpt-4o-mini."""
    with StubServer(reply=lambda body: "Fine.") as server:
        done = runner.invoke(app, ["run", "-q", "--json", "--limit", "1", "--max-turns", "2", "--db", db_url,
                                   "--patient", "openai:gpt-4o-mini", "--base-url", server.url, "--retries", "0"])
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["llm_calls"] > 0 and summary["llm_cost_usd"] > 0
    assert all(episode["unpriced_models"] == [] for episode in summary["episodes"])


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


def test_calls_that_failed_do_not_make_a_priced_model_unpriced(db_url):
    done = runner.invoke(app, ["run", "-q", "--json", "--limit", "1", "--db", db_url, "--model", "openai:gpt-4o-mini",
                               "--base-url", _closed_port_url(), "--retries", "0", "--timeout", "2"])
    summary = json.loads(done.stdout)
    assert summary["failed"] == 1
    assert all(episode["unpriced_models"] == [] for episode in summary["episodes"])
