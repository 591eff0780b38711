"""Vaswani et al. 2017, Table 1, MEASURED on this machine (chapter "The cost of attention").

For one layer of each kind, with the same width d, the script measures forward time (process CPU time, fastest of ``repeat`` rounds) and
peak memory (torch's profiler) against the sequence length n, and fits the slope of log(time) and
log(memory) against log(n) over the largest lengths: ~2 for full self-attention (the n x n score
matrix), ~1 for the recurrent (nn.GRU), convolutional (nn.Conv1d, kernel k) and restricted
(window r, block-sparse, transformer_lib.nn.block_sparse_attention) layers. Table 1's other two
columns, sequential operations and maximum path length, are computed from each layer's connection
pattern (transformer_lib.cost). Results go to transformer_lib/measurements/attention_cost.json
with the machine, torch version and thread count, so that the chapter loads them in well under a
second instead of re-measuring.

Run: .venv/bin/python benchmarks/bench_attention_cost.py [--lengths 256 512 1024 2048 4096 8192] [--repeat 15] [--threads 1]
(about a minute on 2 shared cores with the defaults; the n = 8192 attention takes 0.6 GB)
"""

from __future__ import annotations

import argparse
import json
import pathlib
import sys

import torch
from tqdm.auto import tqdm

from transformer_lib import cost
from transformer_lib.nn import MultiHeadAttention, block_sparse_attention, block_sparse_layout

OUT = pathlib.Path(__file__).resolve().parents[1] / "transformer_lib" / "measurements" / "attention_cost.json"
D, K, R = 64, 3, 32  # width, convolution kernel, restricted window (= its block size here)
STRUCTURE_LENGTHS = [64, 128, 256, 512]  # where the path lengths are computed (n x n boolean products)


def make_layers(d: int, k: int, r: int):
    """One layer of each of Table 1's kinds, as functions of x (1, n, d) -> (1, n, d)."""
    attn = MultiHeadAttention(d, 1, fused=False)  # the explicit path: softmax(Q K^T / sqrt(d)) V with the n x n matrix
    gru = torch.nn.GRU(d, d, batch_first=True)
    conv = torch.nn.Conv1d(d, d, k, padding=k // 2)

    def restricted(x):
        # Blocks of r positions, each attending to its own and the two neighbouring blocks:
        # every query reads 2r..3r keys, so the work is O(r n d) (Table 1's restricted row).
        n = x.shape[1]
        layout = block_sparse_layout(n // r, window=2)  # (n/r, n/r), a band of 3 blocks
        q, k_, v = (w(x)[:, None] for w in (attn.W_Q, attn.W_K, attn.W_V))  # (1, n, d) -> (1, 1, n, d)
        return attn.W_O(block_sparse_attention(q, k_, v, layout)[:, 0])  # (1, 1, n, d) -> (1, n, d)

    return {
        "self-attention": lambda x: attn(x, x, x)[0],
        "recurrent": lambda x: gru(x)[0],
        "convolutional": lambda x: conv(x.transpose(1, 2)).transpose(1, 2),  # (1, n, d) -> (1, d, n) -> (1, n, d)
        "restricted": restricted,
    }


def main(lengths: list[int], repeat: int, fit_points: int, threads: int) -> dict:
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    if any(n % R for n in lengths):
        sys.exit(f"every length must be a multiple of the restricted window r={R}, got {lengths}")
    layers = make_layers(D, K, R)
    inputs = [torch.randn(1, n, D) for n in lengths]
    cells = {(kind, i): (lambda layer=layer, x=x: layer(x)) for i, x in enumerate(inputs) for kind, layer in layers.items()}
    # Process CPU time in interleaved rounds (see cost.fastest_cpu_seconds): on a shared machine
    # the wall clock of a long call grows with the time others hold the core.
    with torch.no_grad(), tqdm(total=(repeat + 1) * len(cells), desc="timing rounds") as bar:
        best = cost.fastest_cpu_seconds(cells, rounds=repeat, progress=bar.update)
        results = {kind: {"seconds": [best[kind, i] for i in range(len(inputs))], "peak_bytes": []} for kind in layers}
        for x in inputs:
            for kind, layer in layers.items():
                results[kind]["peak_bytes"].append(cost.torch_peak_bytes(layer, x)[1])
    fit = lengths[-fit_points:]
    for kind, row in results.items():
        row["time_slope"] = cost.log_log_slope(fit, row["seconds"][-fit_points:])
        row["memory_slope"] = cost.log_log_slope(fit, row["peak_bytes"][-fit_points:])
        reads_waits = [cost.layer_structure(kind, n, k=K, r=R) for n in STRUCTURE_LENGTHS]
        row["sequential_operations"] = [cost.sequential_operations(w) for _, w in reads_waits]
        row["max_path_length"] = [cost.max_path_length(rd) for rd, _ in reads_waits]
        row["paper_complexity"] = [cost.paper_complexity(kind, n, D, k=K, r=R) for n in lengths]
    return {
        "source": "Vaswani et al. 2017, Table 1, measured; benchmarks/bench_attention_cost.py",
        **cost.where_measured(),
        "what": ("forward pass, batch 1, float32, no grad; time = process CPU seconds, fastest of the rounds "
                 "(interleaved over all cells); memory = peak bytes of one call (torch profiler)"),
        "d": D, "k": K, "r": R, "repeat": repeat,
        "lengths": lengths,
        "fit_lengths": fit,
        "structure_lengths": STRUCTURE_LENGTHS,
        "layers": results,
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lengths", type=int, nargs="+", default=[256, 512, 1024, 2048, 4096, 8192])
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1 by default: on a shared machine one thread times the work most steadily)")
    ap.add_argument("--fit-points", type=int, default=3, help="fit the slopes over this many largest lengths")
    ap.add_argument("--out", type=pathlib.Path, default=OUT)
    args = ap.parse_args()
    data = main(args.lengths, args.repeat, args.fit_points, args.threads)
    print(f"d={D} k={K} r={R}, torch {data['torch']}, {data['threads']} threads, slopes over n = {data['fit_lengths']}")
    print(f"{'layer':15s} {'time slope':>10s} {'memory slope':>12s}  seq. ops (n={STRUCTURE_LENGTHS})  path length")
    for kind, row in data["layers"].items():
        print(f"{kind:15s} {row['time_slope']:10.2f} {row['memory_slope']:12.2f}  "
              f"{row['sequential_operations']}  {row['max_path_length']}")
        print(f"{'':15s} ms: {[round(s * 1e3, 2) for s in row['seconds']]}  MB: {[round(b / 1e6, 2) for b in row['peak_bytes']]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
