"""The HTML report over a Persian case: case and model text marked with its direction and
language, UTF-8 declared, fonts for every script from the reader's own system."""

import asyncio
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import yaml

from agentclinic.loader import load_pack
from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

from conftest import REPO

TITLE = "تب، لرز و خلط زنگ\u200cزده در یک راننده\u200cی اتوبوس"  # written for this test
ANSWER = "ذات\u200cالریه\u200cی اکتسابی از جامعه"  # community-acquired pneumonia


class Cells(HTMLParser):
    """Every element's attributes and text, in document order."""

    def __init__(self):
        super().__init__()
        self.elements: list[dict] = []
        self.meta: list[dict] = []
        self.links = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.meta += [attrs] if tag == "meta" else []
        self.links += tag in ("link", "script")
        self.elements.append({"tag": tag, "attrs": attrs, "text": ""})

    def handle_data(self, data):
        if self.elements:
            self.elements[-1]["text"] += data


def persian_run(tmp_path: Path, db_url: str) -> str:
    data = yaml.safe_load((REPO / "scenarios/core/pulmonology-001.yaml").read_text(encoding="utf-8"))
    data.update(id="fa-pulmonology-test", language="fa", title=TITLE)
    data["diagnosis"]["name"] = ANSWER
    data["patient"]["chief_complaint"] = "سه روز است که تب و لرز دارم و سرفه\u200cام خیلی بد شده."
    pack = tmp_path / "fa"
    pack.mkdir()
    (pack / "case.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    shutil.copytree(REPO / "scenarios/core/images", pack / "images")
    result = asyncio.run(run_batch(RunConfig(db=db_url, scenarios=str(pack), max_turns=6), pack=load_pack(pack)))
    return render_html(build_summary(load_dataset(Store(db_url), [result.run_id])))


def test_case_and_model_text_carry_direction_and_language(tmp_path, db_url):
    html = persian_run(tmp_path, db_url)
    page = Cells()
    page.feed(html)
    assert {"charset": "utf-8"} in page.meta and page.links == 0  # nothing fetched: no CDN, no web font
    [row] = [r for r in re.findall(r"<tr>(.*?)</tr>", html) if TITLE in r]  # the case's row
    cells = Cells()
    cells.feed(row)
    [case, title, language, episodes, correct, answer, given] = cells.elements
    assert case["text"] == "fa-pulmonology-test" and language["text"] == "fa (Persian)"
    assert title["text"] == TITLE and title["attrs"] == {"dir": "auto", "lang": "fa"}
    assert answer["text"] == ANSWER and answer["attrs"] == {"dir": "auto", "lang": "fa"}
    # The doctor worked in the case's language; an answer with no Persian letter does not claim it.
    persian = bool(re.search("[\u0600-\u06ff]", given["text"]))
    assert given["attrs"] == ({"dir": "auto", "lang": "fa"} if persian else {"dir": "auto"})
    assert "dir" not in episodes["attrs"] and "lang" not in correct["attrs"]  # numbers are not text
    assert 'lang="fa"' not in html.replace(row, "")  # only what is written in Persian says so


def test_a_language_is_claimed_only_by_text_in_its_script():
    from agentclinic.report.html import _Text

    assert _Text(ANSWER, "fa").attributes() == ' dir="auto" lang="fa"'
    assert _Text("Community-acquired pneumonia", "fa").attributes() == ' dir="auto"'
    assert _Text("肺炎", "zh-Hans").attributes() == ' dir="auto" lang="zh-Hans"'
    assert _Text("neumonía", "es").attributes() == ' dir="auto" lang="es"'  # Latin script: taken as said


def test_the_font_stack_covers_every_script_from_local_fonts():
    from agentclinic.report.html import _STYLE

    body = re.search(r"body\{font-family:([^;]+);", _STYLE).group(1)
    for font in ("Noto Sans CJK SC", "Microsoft YaHei", "Malgun Gothic", "Noto Sans Devanagari", "Nirmala UI",
                 "Vazirmatn", "Noto Naskh Arabic", "Tahoma"):
        assert f'"{font}"' in body or font in body
    assert body.rstrip().endswith("sans-serif")
    assert ":lang(fa)" in _STYLE and ":lang(zh)" in _STYLE and "url(" not in _STYLE
