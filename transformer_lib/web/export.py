"""Export a shipped model for the in-page runtime (``runtime.js``): ``<name>.json`` + ``<name>.bin``.

The JSON holds what the runtime needs besides the numbers: the model's kind and configuration,
its vocabularies, the tokenizer's pattern written for JavaScript, and for every tensor of the
state dict its byte offset and shape in the ``.bin`` file (float32, little-endian, row-major,
as torch stores it). Tied tensors (the tiny GPT's output layer is its embedding) are written
once and listed under both names.

    python -m transformer_lib.web.export OUTDIR     # runtime.js, the page programs and the three models
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from transformer_lib.data.vocab import Tokenizer

# Python's regular expressions -> JavaScript's (the "u" flag is added by the runtime). Python's
# \w is a Unicode letter, digit or "_", which is [\p{L}\p{N}_] in JavaScript; a tokenizer whose
# pattern is not listed here cannot be exported (tests/web/test_export.py checks each mapping
# tokenizes the same strings the same way, in Chromium).
JS_PATTERNS = {
    r"[a-z']+|[.,]": r"[a-z']+|[.,]",  # the pronoun corpus (data/pronoun.py)
    r"\w+'|\w+": r"[\p{L}\p{N}_]+'|[\p{L}\p{N}_]+",  # French and English (data/translation.py)
    r"[\s\S]": r"[\s\S]",  # characters (tasks/gpt.py)
}


def tokenizer_spec(tok: Tokenizer) -> dict:
    """A :class:`~transformer_lib.data.vocab.Tokenizer` as the runtime reads it."""
    if tok.pattern not in JS_PATTERNS:
        raise ValueError(f"no JavaScript version of the tokenizer pattern {tok.pattern!r}; add one to JS_PATTERNS")
    return {"pattern": JS_PATTERNS[tok.pattern], "lower": tok.lower, "name": tok.name}


def _it_model() -> tuple[torch.nn.Module, dict]:
    from transformer_lib.data import pronoun as C
    from transformer_lib.tasks.pronoun import load_it_model

    model = load_it_model()
    c = model.config
    return model, {"kind": "it_model", "config": {"d_model": c.d_model, "n_heads": c.n_heads, "n_layers": c.n_layers,
                                                  "d_ff": c.d_ff, "max_len": c.max_len, "norm_first": c.norm_first},
                   "vocab": list(c.vocab), "nouns": list(c.nouns), "adjectives": list(C.ADJECTIVES), "it": C.IT,
                   "roles": C.role_contexts(), "example": C.sentence(*C.CLASSIC_PAIR, "tired").text,
                   "tokenizer": tokenizer_spec(C.TOKENIZER)}


def _translator() -> tuple[torch.nn.Module, dict]:
    from transformer_lib.data.translation import TOKENIZER
    from transformer_lib.tasks.translator import load_translator

    tr = load_translator()
    c = tr.model.config
    return tr.model, {"kind": "translator", "config": {k: getattr(c, k) for k in (
        "d_model", "n_heads", "n_encoder_layers", "n_decoder_layers", "d_ff", "max_len", "norm_first", "pad_id")},
        "src_vocab": list(tr.src_vocab.tokens), "tgt_vocab": list(tr.tgt_vocab.tokens),
        "specials": list(tr.src_vocab.specials), "tokenizer": tokenizer_spec(TOKENIZER)}


def _tiny_gpt() -> tuple[torch.nn.Module, dict]:
    from transformer_lib.tasks import gpt as tiny

    model, vocab, _ = tiny.load_tiny_gpt()
    c = model.config
    if c.positions != "learned":
        raise ValueError("the runtime runs the tiny GPT with learned positions only")
    return model, {"kind": "gpt", "config": {k: getattr(c, k) for k in (
        "vocab_size", "block_size", "d_model", "n_heads", "n_layers", "d_ff")},
        "vocab": list(vocab.tokens), "shown": tiny.SHOWN, "tokenizer": tokenizer_spec(tiny.CHARS)}


# name -> (the model, what the runtime needs besides its tensors)
MODELS: dict[str, Callable[[], tuple[torch.nn.Module, dict]]] = {
    "it_model": _it_model, "translator": _translator, "tiny_gpt": _tiny_gpt}


def export_model(name: str, directory: str | Path) -> dict:
    """Write ``directory/<name>.json`` and ``directory/<name>.bin``; return the manifest."""
    if name not in MODELS:
        raise ValueError(f"no exportable model {name!r}; the runtime runs {sorted(MODELS)}")
    model, manifest = MODELS[name]()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors, blobs, offset, seen = {}, [], 0, {}
    for key, t in model.state_dict().items():
        ptr = (t.data_ptr(), tuple(t.shape))
        if ptr in seen:  # a tied weight: one copy in the file, two names in the manifest
            tensors[key] = dict(tensors[seen[ptr]])
            continue
        seen[ptr] = key
        a = np.ascontiguousarray(t.detach().cpu().numpy(), dtype="<f4")
        tensors[key] = {"offset": offset, "shape": list(a.shape)}
        blobs.append(a.tobytes())
        offset += a.nbytes
    data = b"".join(blobs)
    manifest = {"name": name, **manifest, "tensors": tensors, "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest()}
    (directory / f"{name}.bin").write_bytes(data)
    (directory / f"{name}.json").write_text(json.dumps(manifest, ensure_ascii=False, separators=(",", ":")),
                                            encoding="utf-8")
    return manifest


def export_all(directory: str | Path) -> dict[str, int]:
    """Export every model of :data:`MODELS`; returns ``{file name: bytes}``."""
    directory = Path(directory)
    for name in MODELS:
        export_model(name, directory)
    return {p.name: p.stat().st_size for p in sorted(directory.iterdir()) if p.suffix in (".json", ".bin")}


def write_site_files(directory: str | Path) -> dict[str, int]:
    """Everything a page needs to run the book's models on typed text, into ``directory`` (the
    site's ``_static/aho``): ``runtime.js``, ``programs/<name>.js`` (the page programs of
    :data:`transformer_lib.views.PAGE_MODELS`) and ``models/`` (:func:`export_all`).

    Returns ``{path relative to directory: bytes}``: the weight the typed-text views add to the site.
    """
    from importlib import resources

    from transformer_lib.views import PAGE_MODELS

    directory = Path(directory)
    (directory / "programs").mkdir(parents=True, exist_ok=True)
    sizes = {}
    runtime = resources.files("transformer_lib.web").joinpath("runtime.js").read_bytes()
    (directory / "runtime.js").write_bytes(runtime)
    sizes["runtime.js"] = len(runtime)
    for name in PAGE_MODELS:
        text = resources.files("transformer_lib.views").joinpath("programs", f"{name}.js").read_bytes()
        (directory / "programs" / f"{name}.js").write_bytes(text)
        sizes[f"programs/{name}.js"] = len(text)
    sizes.update({f"models/{k}": v for k, v in export_all(directory / "models").items()})
    return sizes


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m transformer_lib.web.export OUTDIR   (writes the site's _static/aho)")
    sizes = write_site_files(sys.argv[1])
    for fname, size in sizes.items():
        print(f"{fname:28s} {size / 1024:8.1f} kB")
    print(f"{'total':28s} {sum(sizes.values()) / 1024:8.1f} kB")
