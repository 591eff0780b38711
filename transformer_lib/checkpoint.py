"""The one checkpoint format of the package: safetensors for the weights, JSON for the rest.

``save(model, "path/name", meta)`` writes ``name.safetensors`` (the state dict: plain tensors,
nothing executable, so loading can never run code -- the guarantee ``torch.load(...,
weights_only=True)`` gives for pickles) and ``name.json`` (``{"config": <the model's config
dataclass>, **meta}``). ``load("path/name", build)`` reads both, builds the model from the
config with ``build(config_dict)`` and loads the weights strictly. The shipped models in
``transformer_lib/weights`` are written and read this way (:mod:`transformer_lib.tasks`).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Callable

import torch


def _paths(path_stem) -> tuple[Path, Path]:
    stem = Path(path_stem)
    if stem.suffix in (".safetensors", ".json"):
        stem = stem.with_suffix("")
    return stem.with_name(stem.name + ".safetensors"), stem.with_name(stem.name + ".json")


def save(model: torch.nn.Module, path_stem: str | Path, meta: dict | None = None) -> Path:
    """Write ``path_stem.safetensors`` (weights) and ``path_stem.json`` (config and ``meta``).

    Args:
        model: a module with a ``config`` dataclass (saved as JSON under ``"config"``).
        path_stem: the path without extension; its folder must exist.
        meta: anything JSON can hold (vocabularies, training record, scores); not ``"config"``.

    Returns:
        the path of the safetensors file.
    """
    from safetensors.torch import save_file

    meta = dict(meta or {})
    if "config" in meta:
        raise ValueError("meta must not hold 'config': the model's own config is saved under that key")
    config = getattr(model, "config", None)
    if not dataclasses.is_dataclass(config):
        raise ValueError(f"{type(model).__name__} has no config dataclass to save (model.config)")
    weights_path, meta_path = _paths(path_stem)
    state = {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}  # clone: tied weights
    save_file(state, str(weights_path))
    meta_path.write_text(json.dumps({"config": dataclasses.asdict(config), **meta}, indent=1, ensure_ascii=False),
                         encoding="utf-8")
    return weights_path


def load(path_stem: str | Path, build: Callable[[dict], torch.nn.Module]) -> tuple[torch.nn.Module, dict]:
    """Read a checkpoint written by :func:`save`.

    Args:
        path_stem: the path without extension.
        build: ``build(config_dict) -> model`` (e.g. ``lambda c: Transformer(TransformerConfig(**c))``).

    Returns:
        (model, meta): the model with the saved weights, in the mode ``build`` left it; and the
        JSON without ``"config"``. A missing file or weights that do not fit the model raise a
        ``ValueError`` that says which.
    """
    from safetensors.torch import load_file

    weights_path, meta_path = _paths(path_stem)
    missing = [str(p) for p in (weights_path, meta_path) if not p.is_file()]
    if missing:
        raise ValueError(f"no checkpoint at {path_stem}: missing {', '.join(missing)}")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if "config" not in meta:
        raise ValueError(f"{meta_path} has no 'config': not a checkpoint written by transformer_lib.checkpoint.save")
    model = build(meta.pop("config"))
    state = load_file(str(weights_path))  # safetensors: plain tensors, no pickle
    expected = model.state_dict()
    absent, extra = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    wrong = sorted(k for k in set(state) & set(expected) if state[k].shape != expected[k].shape)
    if absent or extra or wrong:
        parts = [f"missing {absent[:5]}" if absent else "", f"unexpected {extra[:5]}" if extra else "",
                 "wrong shape " + ", ".join(f"{k} {tuple(state[k].shape)} != {tuple(expected[k].shape)}" for k in wrong[:5])
                 if wrong else ""]
        raise ValueError(f"the weights in {weights_path} do not fit the model built from its config: "
                         + "; ".join(p for p in parts if p))
    model.load_state_dict(state, strict=True)
    return model, meta
