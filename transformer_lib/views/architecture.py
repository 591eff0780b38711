"""The paper's figure 1 drawn from a model's own module tree (chapter "A learning path"; the
other chapters may show it too).

:func:`architecture` walks ``model.named_modules()`` of a :class:`transformer_lib.nn.Transformer`
and finds the parts the figure shows: the two token embeddings, the positional encoding, the
encoder and decoder stacks (their layer count is the figure's N), inside each layer its
attentions, feed-forward block and LayerNorms, the final LayerNorms of a pre-norm model and the
output projection. A part the figure needs and the tree lacks is an error that names it; a part
the tree lacks that the figure can do without (the decoder's cross-attention) is simply not
drawn. :func:`architecture_diagram` lays the parts out as the paper does (encoder on the left,
decoder on the right, embeddings at the bottom, linear and softmax at the top) as an SVG whose
every box links to the chapter that teaches it (:data:`transformer_lib.book_map.TEACHES`).

Two parts of the figure are not modules: the softmax (``Transformer.forward`` returns logits;
the loss and decoding apply it) and, in a pre-norm model, the residual sums. They are drawn
dashed (softmax) or as a circle (sum), and say so in their tooltips.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from torch import nn

from transformer_lib import book_map
from transformer_lib.views import svg

# One rule per kind of part: (path pattern in named_modules, expected class names, kind, side).
LAYER = r"(?P<stack>encoder|decoder)_layers\.(?P<i>\d+)"
RULES = (
    (r"src_embed", ("TokenEmbedding",), "embedding", "encoder"),
    (r"tgt_embed", ("TokenEmbedding",), "embedding", "decoder"),
    (r"pos", ("SinusoidalPositionalEncoding", "LearnedPositionalEmbedding"), "positional", "both"),
    (LAYER + r"\.self_attn", ("MultiHeadAttention",), "self_attention", None),
    (LAYER + r"\.cross_attn", ("MultiHeadAttention",), "cross_attention", None),
    (LAYER + r"\.linear1", ("Linear",), "feed_forward", None),  # linear1 -> ReLU -> linear2
    (LAYER + r"\.linear2", ("Linear",), "feed_forward_out", None),
    (LAYER + r"\.norm(?P<k>\d)", ("LayerNorm",), "norm", None),
    (r"(?P<stack>encoder|decoder)_norm", ("LayerNorm",), "final_norm", None),  # nn.Identity in post-norm
    (r"generator", ("Linear",), "linear", "decoder"),
)
LABELS = {"self_attention": "Multi-Head Attention", "masked_self_attention": "Masked Multi-Head Attention",
          "cross_attention": "Multi-Head Attention", "feed_forward": "Feed Forward", "add_norm": "Add & Norm",
          "norm": "LayerNorm", "linear": "Linear", "softmax": "Softmax"}


@dataclass
class Stack:
    """One stack of N identical layers: its name, N, and the parts of one layer in order."""

    side: str  # "encoder" or "decoder"
    path: str  # e.g. "encoder_layers"
    n_layers: int
    sublayers: list[tuple[str, str]] = field(default_factory=list)  # (kind, module path with [i])
    norms: list[str] = field(default_factory=list)  # norm1, norm2, ... as paths with [i]
    norm_first: bool = False
    final_norm: str | None = None  # path of the stack's final LayerNorm (pre-norm models)


@dataclass
class Architecture:
    """The parts of figure 1 found in a model's module tree."""

    embeddings: dict[str, str]  # side -> module path
    positional: str
    positional_class: str
    stacks: dict[str, Stack]  # "encoder", "decoder"
    linear: str

    def kinds(self) -> set[str]:
        """Every kind of part found (``"cross_attention"``, ``"feed_forward"``, ...)."""
        out = {"embedding", "positional", "linear"}
        for st in self.stacks.values():
            out |= {k for k, _ in st.sublayers}
            if st.final_norm:
                out.add("final_norm")
        return out


def _cls(m) -> str:
    return type(m).__name__


def architecture(model: nn.Module) -> Architecture:
    """Walk ``model``'s module tree and return the parts of figure 1 it holds.

    Raises ``ValueError`` naming the part when one the figure needs is missing (an embedding, the
    positional encoding, a stack, a layer's attention or feed-forward block, the output
    projection, a stack: a decoder that cross-attends needs the encoder), or when a stack's layers differ.
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"architecture() takes a torch module (a transformer_lib.nn.Transformer), got {type(model).__name__}")
    found: dict = {}
    per_layer: dict[tuple[str, int], list[tuple[str, str, str | None]]] = {}
    for name, m in model.named_modules():
        for pattern, classes, kind, side in RULES:
            match = re.fullmatch(pattern, name)
            if not match or _cls(m) not in classes:
                continue
            g = match.groupdict()
            if "i" in g:
                per_layer.setdefault((g["stack"], int(g["i"])), []).append((kind, name, g.get("k")))
            else:
                found[(kind, g.get("stack") or side)] = (name, _cls(m))
    need = {("embedding", "encoder"): "the source token embedding (a TokenEmbedding named src_embed)",
            ("embedding", "decoder"): "the target token embedding (a TokenEmbedding named tgt_embed)",
            ("positional", "both"): "the positional encoding (a module named pos)",
            ("linear", "decoder"): "the output projection to the vocabulary (an nn.Linear named generator)"}
    for key, what in need.items():
        if key not in found:
            raise ValueError(f"figure 1 needs {what}, and the model's module tree has none")
    stacks = {}
    for side in ("encoder", "decoder"):
        layers = [v for (s, i), v in sorted(per_layer.items()) if s == side]
        if not layers:
            raise ValueError(f"figure 1 needs an {side} stack ({side}_layers.0, ...), and the model's module tree has none")
        shapes = {tuple(k for k, _, _ in parts) for parts in layers}
        if len(shapes) > 1:
            raise ValueError(f"the {side} layers differ ({sorted(shapes)}); figure 1 draws N identical layers")
        parts = layers[0]
        kinds_found = [k for k, _, _ in parts]
        if ("feed_forward" in kinds_found) != ("feed_forward_out" in kinds_found):
            raise ValueError(f"a feed-forward block is linear1 -> ReLU -> linear2; {side}_layers.0 has only one of them")
        sub = [(k, re.sub(r"_layers\.0\.", "_layers[i].", n) + ("/2" if k == "feed_forward" else ""))
               for k, n, _ in parts if k not in ("norm", "feed_forward_out")]
        norms = [re.sub(r"_layers\.0\.", "_layers[i].", n) for k, n, _ in parts if k == "norm"]
        kinds = [k for k, _ in sub]
        for k in ("self_attention", "feed_forward"):
            if k not in kinds:
                raise ValueError(f"figure 1 needs a {LABELS[k].lower()} in every {side} layer "
                                 f"({side}_layers.0 has {', '.join(kinds) or 'no sublayer'})")
        if side == "encoder" and "cross_attention" in kinds:
            raise ValueError("an encoder layer has no cross-attention in figure 1, but encoder_layers.0 has one")
        if len(norms) != len(sub):
            raise ValueError(f"each sublayer of figure 1 has its LayerNorm: {side}_layers.0 has {len(sub)} sublayers "
                             f"and {len(norms)} norms")
        # The attentions come first, in the order they were registered (self, then cross), then the FFN.
        sub.sort(key=lambda kn: kn[0] == "feed_forward")
        layer0 = model.get_submodule(f"{side}_layers.0")
        final = found.get(("final_norm", side))
        stacks[side] = Stack(side, f"{side}_layers", len(layers), sub, norms, bool(getattr(layer0, "norm_first", False)),
                             final[0] if final else None)
    return Architecture({s: found[("embedding", s)][0] for s in ("encoder", "decoder")}, found[("positional", "both")][0],
                        found[("positional", "both")][1], stacks, found[("linear", "decoder")][0])


# ------------------------------------------------------------------------------------------ drawing
BOX_W, BOX_H, COL, PE_W = 190, 40, {"encoder": 240, "decoder": 560}, 110
WIDTH = 800
STEP = {"add": 46}  # vertical room of one step of a stack (a box and the gap below it; a sum's circle)
FILL = {"embedding": "#fde2e4", "positional": "#ffffff", "self_attention": "#fff2cc", "masked_self_attention": "#fff2cc",
        "cross_attention": "#fff2cc", "feed_forward": "#d9ecff", "add_norm": "#fbf3d5", "norm": "#fbf3d5",
        "linear": "#e6e0f8", "softmax": "#dff2e1"}


class _Canvas:
    def __init__(self, base: str):
        self.items: list[str] = []
        self.base = base
        self.boxes: list[dict] = []

    def box(self, kind: str, x: float, y: float, label, module: str | None, tooltip: str, w: float = BOX_W,
            dashed: bool = False, chapter_kind: str | None = None) -> None:
        """One part of the figure: ``label`` (a string, or a list of lines) over its module path."""
        stem = book_map.TEACHES[chapter_kind or kind]
        title = book_map.chapter(stem).title
        tip = f"{tooltip} Taught in chapter “{title}”."
        self.boxes.append({"kind": kind, "module": module, "chapter": stem})
        lines = [label] if isinstance(label, str) else list(label)
        h = BOX_H + 12 * (len(lines) - 1)
        self.items.append(svg.box(x - w / 2, y - (h - BOX_H) / 2, w, h, lines, href=book_map.page(stem, self.base), tooltip=tip,
                                  fill=FILL.get(kind, "#ffffff"), dashed=dashed, font_px=12.5, css="aho-arch-box",
                                  data={"component": kind, "module": module or "", "chapter": stem},
                                  small=module or "(not a module)"))

    def arrow(self, pts, **kw) -> None:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in pts)
        self.items.append(svg.path(d, **kw))


def architecture_diagram(model: nn.Module, base: str = "") -> svg.SVG:
    """Figure 1 of the paper, drawn from ``model``'s module tree (:func:`architecture`): an SVG in which
    every box is a link to the chapter that teaches that part (``base`` + ``<stem>.html``) and shows the
    module path it stands for; N is the number of layers found in each stack."""
    return _draw(model, base)[0]


def _draw(model: nn.Module, base: str):
    arch = architecture(model)
    c = _Canvas(base)
    # Stack heights decide the canvas: draw bottom-up from y_bottom, so both stacks share a baseline.
    def stack_steps(st: Stack) -> list[tuple[str, str | None, str | None]]:
        steps = []
        for (kind, path), norm in zip(st.sublayers, st.norms):
            shown = "masked_self_attention" if (kind == "self_attention" and st.side == "decoder") else kind
            if st.norm_first:
                steps += [("norm", norm, None), (shown, path, None), ("add", None, None)]
            else:
                steps += [(shown, path, None), ("add_norm", norm, None)]
        return steps

    steps = {s: stack_steps(st) for s, st in arch.stacks.items()}
    def room(kinds) -> float:
        return sum(STEP.get(k, 12 + BOX_H) for k in kinds)

    # Drawn from a baseline far enough down for the tallest column, then moved up to the top edge.
    y_frame_bottom = 1000.0
    height = y_frame_bottom + 160
    emb_y = y_frame_bottom + 60  # embedding box top
    out_y = {}
    for side, st in arch.stacks.items():
        x = COL[side]
        sign = -1 if side == "encoder" else 1  # side boxes go outwards
        inputs = "Inputs" if side == "encoder" else "Outputs (shifted right)"
        c.items.append(f'<a style="text-decoration:none" href="{svg.esc(book_map.page(book_map.TEACHES["inputs" if side == "encoder" else "shifted_outputs"], base))}">'
                       + svg.text(x, height - 14, inputs, size=13) + "</a>")
        c.arrow([(x, height - 30), (x, emb_y + BOX_H + 2)])
        emb_label = "Input Embedding" if side == "encoder" else "Output Embedding"
        c.box("embedding", x, emb_y, emb_label, arch.embeddings[side], "Token ids -> vectors, times sqrt(d_model).")
        plus_y = emb_y - 26
        c.arrow([(x, emb_y), (x, plus_y + 10)])
        c.items.append(f'<circle cx="{x}" cy="{plus_y}" r="9" fill="#fff" stroke="#24292f"/>'
                       + svg.text(x, plus_y + 5, "+", size=15))
        pe_x = x + sign * (BOX_W / 2 + 20 + PE_W / 2)
        c.box("positional", pe_x, plus_y - BOX_H / 2, ["Positional", "Encoding"], arch.positional,
              f"{arch.positional_class}: one vector per position, added to the embeddings.", w=PE_W)
        c.arrow([(pe_x - sign * PE_W / 2, plus_y), (x + sign * 10, plus_y)])
        # the stack, bottom-up
        y = plus_y - 9
        frame_top = y_frame_bottom - 6 - room(k for k, _, _ in steps[side]) - 10
        frame_x = x - BOX_W / 2 - 22
        c.items.insert(0, f'<rect x="{frame_x:.1f}" y="{frame_top - 6:.1f}" width="{BOX_W + 44}" '
                          f'height="{y_frame_bottom - frame_top + 6:.1f}" rx="10" fill="#f6f8fa" stroke="#8c959f"/>')
        nx = frame_x - 8 if side == "encoder" else frame_x + BOX_W + 52
        c.items.append(f'<a style="text-decoration:none" href="{svg.esc(book_map.page(book_map.TEACHES["stack"], base))}">'
                       + svg.text(nx, (frame_top + y_frame_bottom) / 2, f"{st.n_layers}×", size=18,
                                  anchor="end" if side == "encoder" else "start", weight="bold")
                       + f"<title>N = {st.n_layers}: the {side} stacks {st.n_layers} identical layers "
                         f"({st.path}.0 to {st.path}.{st.n_layers - 1}).</title></a>")
        y = y_frame_bottom - 6
        c.arrow([(x, plus_y - 9), (x, y)], arrow=False)
        residual_from = y
        for kind, module, _ in steps[side]:
            if kind == "add":  # pre-norm residual sum: not a module
                cy = y - 12 - 17
                c.arrow([(x, y), (x, cy + 9)])
                c.items.append(f'<circle cx="{x}" cy="{cy:.1f}" r="9" fill="#fff" stroke="#24292f"><title>Residual sum '
                               f'x + sublayer(LayerNorm(x)): an addition in forward(), not a module.</title></circle>'
                               + svg.text(x, cy + 5, "+", size=15))
                rx = x + sign * (BOX_W / 2 + 12)
                c.arrow([(x, residual_from - 4), (rx, residual_from - 4), (rx, cy), (x + sign * 9, cy)], color="#8c959f")
                y = cy - 17
                residual_from = y
                continue
            top = y - 12 - BOX_H
            c.arrow([(x, y), (x, top + BOX_H + 2)])
            if kind == "cross_attention":
                out_y["cross"] = top + BOX_H / 2
            label = LABELS[kind]
            tip = {"self_attention": "Self-attention: queries, keys and values from this stack.",
                   "masked_self_attention": "Self-attention under a causal mask: a position sees itself and earlier ones.",
                   "cross_attention": "Cross-attention: queries from the decoder, keys and values from the encoder's output.",
                   "feed_forward": "Position-wise feed-forward: linear1 -> ReLU -> linear2.",
                   "add_norm": "Residual sum, then LayerNorm: LayerNorm(x + sublayer(x)).",
                   "norm": "Pre-norm LayerNorm, in front of the sublayer."}[kind]
            c.box(kind, x, top, label, module, tip)
            if kind == "add_norm":  # post-norm residual: from below the sublayer into Add & Norm
                rx = x + sign * (BOX_W / 2 + 12)
                c.arrow([(x, residual_from - 4), (rx, residual_from - 4), (rx, top + BOX_H / 2),
                         (x + sign * BOX_W / 2, top + BOX_H / 2)], color="#8c959f")
                residual_from = top
            y = top
        y_out = frame_top - 6
        c.arrow([(x, y), (x, y_out)], arrow=False)
        if st.final_norm:
            top = y_out - 12 - BOX_H
            c.arrow([(x, y_out), (x, top + BOX_H + 2)])
            c.box("norm", x, top, "LayerNorm", st.final_norm, "The pre-norm stack's final LayerNorm.")
            y_out = top
        out_y[side] = y_out
    # encoder output -> the decoder's cross-attention (keys and values)
    if "cross" in out_y:
        xe, xd, yc = COL["encoder"], COL["decoder"], out_y["cross"]
        mid = (xe + BOX_W / 2 + xd - BOX_W / 2) / 2
        c.arrow([(xe, out_y["encoder"]), (xe, out_y["encoder"] - 16), (mid, out_y["encoder"] - 16), (mid, yc),
                 (xd - BOX_W / 2 - 2, yc)], tooltip="The encoder's output: keys and values of every cross-attention.")
        c.items.append(svg.text(mid + 6, yc - 6, "K, V", size=11, anchor="start", color="#57606a"))
    # linear, softmax, probabilities
    x, y = COL["decoder"], out_y["decoder"]
    top = y - 14 - BOX_H
    c.arrow([(x, y), (x, top + BOX_H + 2)])
    c.box("linear", x, top, "Linear", arch.linear, "d_model -> vocabulary logits.")
    top2 = top - 14 - BOX_H
    c.arrow([(x, top), (x, top2 + BOX_H + 2)])
    c.box("softmax", x, top2, "Softmax", None, "Logits -> probabilities. Not a module: forward() returns logits, "
          "and the loss and decoding apply the softmax.", dashed=True)
    c.arrow([(x, top2), (x, top2 - 14)])
    c.items.append(svg.text(x, top2 - 20, "Output Probabilities", size=13))
    shift = top2 - 44  # move the drawing up: "Output Probabilities" near the top edge
    body = [f'<g transform="translate(0,{-shift:.1f})">'] + c.items + ["</g>"]
    diagram = svg.SVG(svg.document(WIDTH, height - shift, body, "The Transformer, drawn from its module tree"),
                      "aho-architecture")
    return diagram, c.boxes


def diagram_boxes(model: nn.Module) -> list[dict]:
    """The boxes :func:`architecture_diagram` draws for ``model``, bottom-up, encoder first: the kind,
    module path (None for the softmax) and chapter of each."""
    return _draw(model, "")[1]


__all__ = ["Architecture", "Stack", "architecture", "architecture_diagram", "diagram_boxes"]
