"""Pretraining then fine-tuning, measured: the learning curve of chapter "One block, three families".

Fine-tunes the shipped tiny GPT (``weights/tiny_gpt.*``, made by ``scripts/train_gpt.py``) to judge
sentences grammatical or not, and trains the same architecture on the same labelled examples from
random weights, for every number of labelled examples in ``--sizes`` and every documented seed
(:func:`transformer_lib.tasks.acceptability.learning_curve`). Writes
``transformer_lib/weights/finetune_curve.json``, which the chapter plots.

The bar (checked on every seed, and nothing is written unless it holds): from FROM labelled
examples up, the fine-tuned GPT's test accuracy beats the scratch model's by at least BAR. Below
that the seeds' ranges overlap, and the chapter says so; the bar is where the gap is reliable.

Run: .venv/bin/python scripts/finetune_gpt.py [--threads 1]   (about 10 minutes on 1 core)
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import torch

from transformer_lib.tasks import acceptability as A
from transformer_lib.tasks import gpt as tiny

BAR = 0.10  # the smallest gap (pretrained - scratch) allowed at any size >= FROM on any seed
FROM = 1024


def gaps(curve: dict) -> dict:
    """Per seed and size: pretrained minus scratch test accuracy."""
    acc = {(r["init"], r["n_labelled"], r["seed"]): r["test_accuracy"] for r in curve["runs"]}
    return {(n, s): acc["pretrained", n, s] - acc["scratch", n, s] for n in curve["sizes"] for s in curve["seeds"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1: the same sums on every run)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(A.SIZES))
    ap.add_argument("--seeds", type=int, nargs="+", default=list(A.DOCUMENTED_SEEDS))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    curve = A.learning_curve(a.sizes, a.seeds)
    curve["seconds"] = round(time.perf_counter() - start, 1)
    curve["threads"] = a.threads
    curve["bar"] = f"pretrained - scratch >= {BAR} test accuracy at every size >= {FROM}, on every seed"
    print(f"{'labelled':>8} " + " ".join(f"{i:>10}" for i in A.INITS) + "   smallest gap over seeds")
    g = gaps(curve)
    for k, n in enumerate(curve["sizes"]):
        means = [A.mean_accuracy(curve, i)[k] for i in A.INITS]
        print(f"{n:8d} " + " ".join(f"{m:10.3f}" for m in means) + f"   {min(g[n, s] for s in curve['seeds']):+.3f}")
    failing = {k: round(v, 3) for k, v in g.items() if k[0] >= FROM and v < BAR}
    curve["meets_bar"] = not failing
    print(f"{len(curve['runs'])} runs in {curve['seconds']} s on {a.threads} thread(s)")
    if failing:
        print(f"bar not met (size, seed): gap {failing}; nothing written", file=sys.stderr)
        return 1
    out = tiny.weights_stem().parent / A.CURVE
    out.write_text(json.dumps(curve, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
