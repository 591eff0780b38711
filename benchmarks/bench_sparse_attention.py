"""Block-sparse attention that skips the masked blocks against dense attention with the same mask
(chapter "The cost of attention").

Both get the same BigBird-style layout (Zaheer et al. 2020: a band of 3 blocks, 1 global block,
1 random block per row, blocks of 64). Dense attention expands it to the (T, T) mask and scores
every pair before masking; transformer_lib.nn.block_sparse_attention gathers the kept key blocks
and scores only those. Printed: forward time (this process's CPU time, fastest of interleaved
rounds, cost.fastest_cpu_seconds) and peak memory (torch's profiler) of each, and their ratios,
all measured in this run on this machine. Expect the dense costs to grow ~T^2 and the sparse ones
~T, so the ratios grow ~T. The results also go to transformer_lib/measurements/sparse_attention.json
(with the machine, torch version and thread count), which the chapter loads instead of re-measuring.

Run: .venv/bin/python benchmarks/bench_sparse_attention.py [--lengths 512 1024 2048 4096] [--repeat 5] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import math
import pathlib

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from transformer_lib import cost
from transformer_lib.nn import block_sparse_attention, block_sparse_layout, dense_mask_of

B, H, DH, BLOCK = 1, 2, 32, 64
OUT = pathlib.Path(__file__).resolve().parents[1] / "transformer_lib" / "measurements" / "sparse_attention.json"


def dense_masked(q, k, v, layout):
    """softmax(Q K^T / sqrt(Dh) + mask) V, every one of the T x T scores formed."""
    mask = dense_mask_of(layout, BLOCK)  # (T, T)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (B, H, T, T)
    return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1) @ v  # (B, H, T, Dh)


def torch_sdpa(q, k, v, layout):
    """The same through F.scaled_dot_product_attention with the boolean mask."""
    return F.scaled_dot_product_attention(q, k, v, attn_mask=dense_mask_of(layout, BLOCK))


def main(lengths: list[int], repeat: int, threads: int) -> dict:
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    ways = {"dense+mask": dense_masked, "torch sdpa+mask": torch_sdpa, "block-sparse": block_sparse_attention}
    rows = []
    with torch.no_grad():
        for T in tqdm(lengths, desc="lengths"):
            q, k, v = (torch.randn(B, H, T, DH) for _ in range(3))
            layout = block_sparse_layout(T // BLOCK, window=2, n_global=1, n_random=1, seed=0)
            kept = float(dense_mask_of(layout, BLOCK).float().mean())
            best = cost.fastest_cpu_seconds({name: (lambda fn=fn: fn(q, k, v, layout)) for name, fn in ways.items()},
                                            rounds=repeat)
            out = {name: (best[name], cost.torch_peak_bytes(fn, q, k, v, layout)[1]) for name, fn in ways.items()}
            err = (block_sparse_attention(q, k, v, layout) - dense_masked(q, k, v, layout)).abs().max().item()
            rows.append((T, kept, out, err))
    print(f"B={B} H={H} Dh={DH} block={BLOCK}, layout: band of 3 blocks + 1 global + 1 random, forward, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads; times = process CPU, fastest of {repeat} rounds")
    print(f"{'T':>6s} {'kept':>6s} | {'dense ms':>9s} {'sdpa ms':>8s} {'sparse ms':>9s} {'dense/sparse':>12s} | "
          f"{'dense MB':>8s} {'sdpa MB':>8s} {'sparse MB':>9s} {'dense/sparse':>12s} | max |diff|")
    for T, kept, out, err in rows:
        (td, md), (ts, ms), (tb, mb) = out["dense+mask"], out["torch sdpa+mask"], out["block-sparse"]
        print(f"{T:6d} {kept:6.1%} | {td * 1e3:9.2f} {ts * 1e3:8.2f} {tb * 1e3:9.2f} {td / tb:11.1f}x | "
              f"{md / 1e6:8.2f} {ms / 1e6:8.2f} {mb / 1e6:9.2f} {md / mb:11.1f}x | {err:.1e}")
    Ts = [r[0] for r in rows]
    for name in ways:
        print(f"log-log slope against T, {name}: time {cost.log_log_slope(Ts, [r[2][name][0] for r in rows]):.2f}, "
              f"memory {cost.log_log_slope(Ts, [r[2][name][1] for r in rows]):.2f}")
    return {
        "source": "benchmarks/bench_sparse_attention.py",
        **cost.where_measured(),
        "what": ("forward pass, float32, no grad; time = process CPU seconds, fastest of the rounds "
                 "(interleaved over the three ways); memory = peak bytes of one call (torch profiler)"),
        "B": B, "H": H, "Dh": DH, "block_size": BLOCK,
        "layout": {"window": 2, "n_global": 1, "n_random": 1, "seed": 0},
        "repeat": repeat,
        "lengths": [r[0] for r in rows],
        "kept_fraction": [r[1] for r in rows],
        "max_abs_diff": [r[3] for r in rows],
        "ways": {name: {"seconds": [r[2][name][0] for r in rows], "peak_bytes": [r[2][name][1] for r in rows]}
                 for name in ways},
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: the steadiest timing on a shared machine)")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    if any(T % BLOCK for T in args.lengths):
        ap.error(f"every length must be a multiple of the block size {BLOCK}, got {args.lengths}")
    data = main(args.lengths, args.repeat, args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
