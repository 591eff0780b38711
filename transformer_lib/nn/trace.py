"""Follow a batch through a model: every module's tensor shapes, and parameter counts
(chapter "Encoder, decoder and cross-attention").

Shapes are collected with forward hooks, so the table shows what the model really did,
not what a diagram says it should do.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from transformer_lib.nn.modes import evaluating


@dataclass(frozen=True)
class TraceRow:
    """One module call: its dotted name, class, the shapes it received and returned."""

    name: str
    kind: str
    inputs: tuple[tuple[int, ...], ...]
    output: tuple[tuple[int, ...], ...]
    params: int  # parameters this module uses, its children's included; a tied matrix shows under every user
    level: int = 0  # how many recorded calls were open when this one started (the table's indentation)

    @property
    def depth(self) -> int:
        return self.name.count(".")


def _shapes(obj) -> tuple[tuple[int, ...], ...]:
    if isinstance(obj, torch.Tensor):
        return (tuple(obj.shape),)
    if isinstance(obj, (tuple, list)):
        return tuple(s for o in obj for s in _shapes(o))
    return ()


def _count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())  # parameters() yields a shared tensor once


def shape_trace(model: nn.Module, *args, max_depth: int | None = None, **kwargs) -> tuple[list[TraceRow], object]:
    """Run ``model(*args, **kwargs)`` once and record every submodule call in call order.

    Args:
        model: any ``nn.Module``.
        *args, **kwargs: what the model's forward takes (e.g. ``src (B, S), tgt (B, T)``).
        max_depth: record only modules with at most this many dots in their name
            (0 = top-level children such as ``src_embed``); None records all.

    Returns:
        (rows, output): a list of :class:`TraceRow` and whatever the model returned.
        Tensor arguments are listed in order (masks included); non-tensors are skipped.

    The model runs once in eval mode under ``torch.inference_mode()``
    (:func:`~transformer_lib.nn.evaluating`); its mode is left as it was found.
    """
    rows: list[dict] = []
    handles = []
    open_calls: list[dict] = []

    def pre(name, module):
        def hook(mod, inputs, kw=None):
            shapes = _shapes(inputs) + (_shapes(tuple(kw.values())) if kw else ())
            row = {"name": name, "kind": type(mod).__name__, "inputs": shapes, "output": None,
                   "params": _count(mod), "module": mod, "level": len(open_calls)}
            rows.append(row)
            open_calls.append(row)
        return hook

    def post(name, module):
        def hook(mod, inputs, *rest):
            output = rest[-1]
            for i in range(len(open_calls) - 1, -1, -1):  # the innermost open call of this module
                if open_calls[i]["module"] is mod:
                    open_calls.pop(i)["output"] = _shapes(output)
                    break
        return hook

    try:
        for name, module in model.named_modules():
            if not name or (max_depth is not None and name.count(".") > max_depth):
                continue
            handles.append(module.register_forward_pre_hook(pre(name, module), with_kwargs=True))
            handles.append(module.register_forward_hook(post(name, module), with_kwargs=True))
        with evaluating(model):
            out = model(*args, **kwargs)
    finally:
        for h in handles:
            h.remove()
    return [TraceRow(r["name"], r["kind"], r["inputs"], r["output"] or (), r["params"], r["level"]) for r in rows], out


def format_trace(rows: list[TraceRow]) -> str:
    """The trace as a fixed-width text table, one line per module call, indented by nesting.

    Columns: module, type, output shape, parameters used, input shapes (last: the longest).
    """
    def fmt(shapes):
        return ", ".join("(" + ", ".join(map(str, s)) + ")" for s in shapes) or "-"

    header = ("module", "type", "output shape", "params used", "input shapes")
    body = [("  " * r.level + r.name, r.kind, fmt(r.output), f"{r.params:,}", fmt(r.inputs)) for r in rows]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(5)]
    lines = ["  ".join(str(c).rjust(w) if i == 3 else str(c).ljust(w) for i, (c, w) in enumerate(zip(line, widths))).rstrip()
             for line in [header, *body]]
    lines.insert(1, "-" * max(map(len, lines)))
    return "\n".join(lines)


def parameter_counts(model: nn.Module, depth: int = 0) -> dict[str, int]:
    """Parameters per component, each tensor counted once where it is first met.

    Args:
        model: any ``nn.Module``.
        depth: 0 groups by top-level child (``src_embed``, ``encoder_layers``, ...);
            1 by their children (``encoder_layers.0``, ...), and so on.

    Returns:
        ``{component: count}`` in registration order; the values sum to the model's
        number of distinct parameters. A tied weight (the shared embedding) is counted
        under the first component that owns it and nowhere else.
    """
    seen: set[int] = set()
    counts: dict[str, int] = {}
    for full, p in model.named_parameters(remove_duplicate=False):
        key = ".".join(full.split(".")[: depth + 1])
        if full.count(".") <= depth:  # a parameter owned directly at this level
            key = full.rsplit(".", 1)[0] if "." in full else "(top level)"
        counts.setdefault(key, 0)  # a component whose weights are all shared still shows, with 0
        if id(p) in seen:
            continue
        seen.add(id(p))
        counts[key] = counts.get(key, 0) + p.numel()
    return counts
