"""The page programs that run the book's models on typed text (Explorer(page_model=...)): each is
registered once in Python and once in JavaScript, ships with the package, and is checked on input."""

from __future__ import annotations

import importlib
import json
import re
from importlib import resources

import pytest

from transformer_lib import views
from transformer_lib.web import export


@pytest.mark.parametrize("name", sorted(views.PAGE_MODELS))
def test_each_page_model_has_its_program_its_model_and_the_function_it_mirrors(name):
    entry = views.PAGE_MODELS[name]
    js = resources.files("transformer_lib.views").joinpath("programs", f"{name}.js").read_text(encoding="utf-8")
    assert re.search(rf"PROGRAMS\.{name}\s*=\s*function", js), f"programs/{name}.js must register AHO_PROGRAMS.{name}"
    assert entry["model"] in export.MODELS
    module, fn = entry["mirrors"].rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), fn))
    assert entry["mirrors"].split(".")[-1] in js, f"programs/{name}.js must name the Python it mirrors"


def test_the_programs_folder_holds_only_registered_programs():
    folder = resources.files("transformer_lib.views").joinpath("programs")
    names = {p.name[:-3] for p in folder.iterdir() if p.name.endswith(".js")}
    assert names == set(views.PAGE_MODELS)


def _frame(sentence):
    return views.frame(views.bars_panel([1.0], [str(sentence)]), caption=str(sentence))


def test_a_page_model_needs_a_known_program_and_exactly_one_editable_control():
    with pytest.raises(ValueError, match="no page model program 'bert'"):
        views.Explorer(_frame, {"sentence": ["a"]}, editable=["sentence"], page_model="bert")
    with pytest.raises(ValueError, match="exactly one editable control"):
        views.Explorer(_frame, {"sentence": ["a"]}, page_model="pronoun")


def test_the_page_spec_names_the_program_the_model_file_and_the_text_box_and_keeps_the_frames():
    ex = views.Explorer(_frame, {"sentence": ["a <b>", "c"]}, editable=["sentence"], page_model="pronoun")
    spec = ex.spec()
    assert spec["model"] == {"program": "pronoun", "file": "it_model", "text": "sentence"}
    assert set(spec["frames"]) == {"0", "1"} and spec["controls"][0]["values"] == ["a <b>", "c"]
    page = ex.html()
    assert "<b>" not in page.split("aho-data")[1]  # the listed text travels escaped
    assert json.loads(page.split('class="aho-data">')[1].split("</script>")[0])["model"]["file"] == "it_model"
