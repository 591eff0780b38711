"""Cost per generated token against its position, with and without the KV cache.

Without the cache, step t runs the model on all t + 1 tokens so far, so its cost grows with t;
with it, step t runs one token and reads the earlier keys and values, so its cost stays
nearly flat (attention still reads t keys, a small part of the work at these sizes). Prints
the median seconds per token in a few position ranges and the ratio uncached / cached, all
measured in this run on this machine, and writes every step's time to a CSV.

Goal (issue 13): the cached step is cheaper at every range past the first, and the ratio grows
with position.

Run: .venv/bin/python benchmarks/bench_kv_cache.py [--tokens 255] [--repeat 3] [--csv kv_cache.csv]
"""

from __future__ import annotations

import argparse
import csv

import numpy as np
import torch

from transformer_lib.nn import GPT, GPTConfig
from transformer_lib.probes import generation_step_seconds

CONFIG = GPTConfig(vocab_size=64, block_size=256, d_model=128, n_heads=4, n_layers=4, d_ff=512)


def main(tokens: int, repeat: int, out: str | None) -> None:
    torch.manual_seed(0)
    model = GPT(CONFIG)
    print(f"GPT d_model={CONFIG.d_model} n_layers={CONFIG.n_layers} n_heads={CONFIG.n_heads}, batch 1, greedy, "
          f"min of {repeat} runs per step, torch {torch.__version__}, {torch.get_num_threads()} threads")
    cached = generation_step_seconds(model, tokens, use_cache=True, repeat=repeat)
    full = generation_step_seconds(model, tokens, use_cache=False, repeat=repeat)
    edges = np.linspace(0, tokens, 5).astype(int)
    print(f"{'positions':>12} {'no cache ms':>12} {'cache ms':>10} {'ratio':>7}")
    for a, b in zip(edges[:-1], edges[1:]):
        f, c = np.median(full[a:b]) * 1e3, np.median(cached[a:b]) * 1e3
        print(f"{a + 1:>5}..{b:<6} {f:>12.2f} {c:>10.2f} {f / c:>7.1f}")
    print(f"total for {tokens} tokens: {full.sum():.2f} s without the cache, {cached.sum():.2f} s with it "
          f"(ratio {full.sum() / cached.sum():.1f})")
    if out:
        with open(out, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["position", "seconds_no_cache", "seconds_cache"])
            w.writerows((t + 1, f, c) for t, (f, c) in enumerate(zip(full, cached)))
        print(f"wrote {out}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tokens", type=int, default=255)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--csv", default=None)
    a = ap.parse_args()
    main(a.tokens, a.repeat, a.csv)
