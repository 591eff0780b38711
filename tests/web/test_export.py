"""transformer_lib.web.export: the files the page's runtime reads hold exactly the shipped weights."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
import torch

from transformer_lib.data.vocab import Tokenizer
from transformer_lib.web import export

pytestmark = pytest.mark.weights

BUDGET = 3 * 1024 * 1024  # the issue: runtime and every model together add at most 3 MB to the site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    d = tmp_path_factory.mktemp("aho")
    return d, export.write_site_files(d)


@pytest.mark.parametrize("name", sorted(export.MODELS))
def test_every_tensor_is_written_once_and_reads_back_exactly(site, name):
    d, _ = site
    manifest = json.loads((d / "models" / f"{name}.json").read_text(encoding="utf-8"))
    data = (d / "models" / f"{name}.bin").read_bytes()
    assert manifest["bytes"] == len(data) and manifest["sha256"] == hashlib.sha256(data).hexdigest()
    model, _ = export.MODELS[name]()
    state = model.state_dict()
    assert set(manifest["tensors"]) == set(state)
    spans = set()
    for key, t in state.items():
        entry = manifest["tensors"][key]
        n = int(np.prod(entry["shape"]))
        a = np.frombuffer(data, dtype="<f4", count=n, offset=entry["offset"]).reshape(entry["shape"])
        assert list(t.shape) == entry["shape"]
        assert torch.equal(torch.from_numpy(a.copy()), t.float()), key  # bit for bit
        spans.add((entry["offset"], n))
    # tied weights (the GPT's output layer is its embedding) share one span; nothing else overlaps
    assert sum(4 * n for _, n in spans) == len(data)
    assert manifest["kind"] in ("it_model", "translator", "gpt")


def test_the_tiny_gpts_tied_output_layer_is_stored_once(site):
    d, _ = site
    m = json.loads((d / "models" / "tiny_gpt.json").read_text(encoding="utf-8"))
    assert m["tensors"]["lm_head.weight"] == m["tensors"]["embed.table.weight"]


def test_runtime_and_models_fit_the_page_weight_budget(site):
    _, sizes = site
    assert {"runtime.js", "models/it_model.bin", "models/translator.bin", "models/tiny_gpt.bin"} <= set(sizes)
    assert sum(sizes.values()) <= BUDGET, sizes


def test_tokenizers_without_a_javascript_version_are_refused():
    with pytest.raises(ValueError, match="no JavaScript version"):
        export.tokenizer_spec(Tokenizer(r"[A-Z]+"))
    assert export.tokenizer_spec(Tokenizer(r"\w+'|\w+"))["pattern"] == r"[\p{L}\p{N}_]+'|[\p{L}\p{N}_]+"


def test_unknown_model_names_get_a_message(tmp_path):
    with pytest.raises(ValueError, match="no exportable model 'bert'"):
        export.export_model("bert", tmp_path)
