"""The HTML report: parses, embeds every figure as a real PNG, and escapes logged text."""

import asyncio
import base64
import io
from html.parser import HTMLParser

from PIL import Image

from agentclinic.persona import Persona
from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from conftest import case_data, write_case
from agentclinic.loader import load_pack


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.images, self.tables, self.scripts, self.text = [], 0, 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs)
        self.tables += tag == "table"
        self.scripts += tag == "script"

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_report_embeds_every_figure_as_png(core_pack, db_url):
    config = RunConfig(db=db_url, limit=4, personas=[Persona(), Persona(patient_biases=("self_diagnosis",))])
    result = asyncio.run(run_batch(config, pack=core_pack))
    page = parse(render_html(build_summary(load_dataset(Store(db_url), [result.run_id]))))
    titles = {image["alt"] for image in page.images}
    # One turn budget, no faults flagged, both conditions at one accuracy and cost: those three
    # figures would be a single point, an empty box and overprinted labels, so a sentence stands in.
    assert titles == {"Accuracy by condition", "Key-fact coverage", "Patient perception by bias"}
    text = " ".join(page.text)
    assert "same turn budget (20 turns)" in text and "No simulator faults flagged in 8 checked episodes" in text
    assert "no trade-off to plot" in text
    for image in page.images:
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix)  # self-contained: nothing to fetch
        with Image.open(io.BytesIO(base64.b64decode(image["src"][len(prefix):]))) as png:
            assert png.format == "PNG" and png.width > 300
    assert page.tables >= 5


def test_text_from_cases_and_runs_is_escaped(tmp_path, db_url):
    hostile = "<script>alert(1)</script>"
    write_case(tmp_path / "pack", case_data(specialty=f"pulmonology {hostile}"))
    pack = load_pack(tmp_path / "pack")
    result = asyncio.run(run_batch(RunConfig(db=db_url, scenarios=str(tmp_path / "pack")), pack=pack))
    html = render_html(build_summary(load_dataset(Store(db_url), [result.run_id])), title=f"Report {hostile}")
    page = parse(html)
    assert page.scripts == 0 and hostile not in html
    assert any(hostile in chunk for chunk in page.text)  # shown literally, as text
