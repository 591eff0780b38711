"""Input checks shared by the NumPy reference and the PyTorch modules.

A learner who passes the wrong shape should read what is wrong, in the book's shape
letters, instead of a broadcasting traceback from deep inside NumPy or torch.
"""

from __future__ import annotations


def _shape(x) -> tuple[int, ...]:
    return tuple(int(n) for n in x.shape)


def check_qkv(q, k, v) -> None:
    """Check Q (..., T, Dk), K (..., S, Dk), V (..., S, Dv) for attention."""
    qs, ks, vs = _shape(q), _shape(k), _shape(v)
    for name, s in (("Q", qs), ("K", ks), ("V", vs)):
        if len(s) < 2:
            raise ValueError(f"{name} must have at least 2 dimensions (..., length, features); got shape {s}")
    if qs[-1] != ks[-1]:
        raise ValueError(
            f"Q and K disagree on d_k: Q has shape {qs} (d_k={qs[-1]}) but K has shape {ks} (d_k={ks[-1]}); "
            "queries and keys must have the same width to take dot products"
        )
    if ks[-2] != vs[-2]:
        raise ValueError(
            f"K and V disagree on length: K has shape {ks} (S={ks[-2]}) but V has shape {vs} (S={vs[-2]}); "
            "every key needs exactly one value"
        )


def check_mask(mask, T: int, S: int, batch_shape: tuple[int, ...] = ()) -> None:
    """Check that ``mask`` is boolean and broadcasts to (*batch_shape, T, S)."""
    if mask is None:
        return
    dtype = str(mask.dtype)
    if dtype not in ("bool", "torch.bool"):
        raise ValueError(
            f"mask must be boolean (True = may attend), got dtype {dtype}; "
            "build it with causal_mask / padding_mask / padding_mask_from_ids, or compare, e.g. `mask = lengths > position`"
        )
    ms = _shape(mask)
    target = tuple(batch_shape) + (T, S)
    ok = len(ms) <= len(target) and all(m in (1, t) for m, t in zip(reversed(ms), reversed(target)))
    if not ok:
        raise ValueError(
            f"mask of shape {ms} does not broadcast to the attention scores' shape {target} "
            "(..., T queries, S keys)"
        )


def check_heads(d_model: int, n_heads: int) -> None:
    """Check that d_model splits evenly into n_heads."""
    if n_heads <= 0 or d_model <= 0:
        raise ValueError(f"d_model and n_heads must be positive, got d_model={d_model}, n_heads={n_heads}")
    if d_model % n_heads != 0:
        raise ValueError(
            f"d_model % n_heads != 0: d_model={d_model} cannot be split into n_heads={n_heads} "
            f"equal heads ({d_model} / {n_heads} = {d_model / n_heads:.3g}); pick n_heads dividing d_model"
        )
