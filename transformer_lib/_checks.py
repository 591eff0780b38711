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


def check_length(name: str, T, what: str = "T") -> int:
    """A positive whole length (T, S, a number of blocks), as an int; else one message naming ``name``."""
    if isinstance(T, bool) or int(T) != T or T < 1:
        raise ValueError(f"{name} needs a positive length {what}, got {T!r}")
    return int(T)


def check_positive(name: str, what: str, value) -> int:
    """A positive whole number (a window, a dilation, a block size), as an int."""
    if isinstance(value, bool) or int(value) != value or value < 1:
        raise ValueError(f"{name} needs a positive integer {what} (>= 1), got {value!r}")
    return int(value)


def check_count(name: str, what: str, value, most: int) -> int:
    """A whole number in 0..most (how many global or random blocks), as an int."""
    if isinstance(value, bool) or int(value) != value or not 0 <= value <= most:
        raise ValueError(f"{name} needs {what} in 0..{most}, got {value!r}")
    return int(value)


def check_blocks(name: str, T, block_size) -> tuple[int, int]:
    """A length T and a block size that divides it, as ints."""
    T = check_length(name, T)
    block_size = check_positive(name, "block_size", block_size)
    if T % block_size:
        raise ValueError(f"{name}: block_size={block_size} does not divide the length T={T}; "
                         f"pick a divisor of T or pad the sequence to a multiple of {block_size}")
    return T, block_size


def check_kv_heads(n_heads, n_kv_heads) -> None:
    """One clear message when the query heads cannot be split into equal groups of key/value heads.

    Chapter "The modern block"; GQA (Ainslie et al. 2023) needs H_kv to divide H.
    """
    for name, v in (("n_heads", n_heads), ("n_kv_heads", n_kv_heads)):
        if isinstance(v, bool) or int(v) != v or v <= 0:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if n_heads % n_kv_heads != 0:
        raise ValueError(
            f"n_heads % n_kv_heads != 0: n_heads={n_heads} query heads cannot be split into n_kv_heads={n_kv_heads} "
            f"equal groups ({n_heads} / {n_kv_heads} = {n_heads / n_kv_heads:.3g}); pick n_kv_heads dividing n_heads "
            f"(1 = multi-query, {n_heads} = multi-head)"
        )
