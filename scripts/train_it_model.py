"""Train, check and save the pronoun model of chapter "It -> animal".

    .venv/bin/python scripts/train_it_model.py                      # seeds 0, 1, 2, ... tried in turn
    .venv/bin/python scripts/train_it_model.py --seeds 0 1 2 --all  # report every seed, save the first good one
    .venv/bin/python scripts/train_it_model.py --variant animacy --seeds 0

The shipped files were made by the last two commands (their per-seed numbers are in
``weights/it_model.json`` under "runs"): seeds 0 and 1 met both bars, seed 2 did not
(held-out accuracy 0.981, flip rate 0.860: it had left the loss plateau too late), so
the retry policy below matters.

Each run trains a fresh model (data generation included in the timing, which is
reported both as wall-clock and as CPU time: the book's machine is shared) for ``--steps`` steps (tqdm bar), then measures the bars on
held-out sentences (never-seen noun pairs, noun-adjective combinations and frames):
accuracy >= 99 % and minimal-pair flip rate >= 95 %. A seed that misses a bar is
reported and the next seed is tried (the retry-on-bad-seed policy); the first seed that
meets both bars is saved to ``transformer_lib/weights/it_model.*``. ``--variant animacy``
trains the model without random nouns (the one that cheats on animacy); it is saved
whatever its numbers, since the chapter shows how it fails.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict

import torch
from tqdm import tqdm

from transformer_lib import it_corpus as C
from transformer_lib.it_model import WEIGHTS, ItConfig, TrainConfig, evaluate, save_it_model, train_it_model

BARS = {"accuracy": 0.99, "flip_rate": 0.95}
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "transformer_lib", "weights")


def one_run(mc: ItConfig, tc: TrainConfig):
    bar = tqdm(total=tc.steps, desc=f"seed {tc.seed}", unit="step")

    def progress(step, point):
        bar.update(1)
        if point:
            bar.set_postfix(loss=f"{point['loss']:.3f}", heldout=f"{point['heldout_accuracy']:.3f}", refresh=False)

    start, cpu_start = time.perf_counter(), time.process_time()
    model, history = train_it_model(mc, tc, progress)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    bar.close()
    metrics = evaluate(model, C.make_split(tc.split_seed), seed=12345, random_nouns=tc.random_nouns)
    return model, history, metrics, seconds, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", choices=sorted(WEIGHTS), default="shipped")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    ap.add_argument("--all", action="store_true", help="train every seed (to report them), save the first good one")
    ap.add_argument("--steps", type=int, default=TrainConfig.steps)
    ap.add_argument("--d-model", type=int, default=ItConfig.d_model)
    ap.add_argument("--n-heads", type=int, default=ItConfig.n_heads)
    ap.add_argument("--n-layers", type=int, default=ItConfig.n_layers)
    ap.add_argument("--d-ff", type=int, default=ItConfig.d_ff)
    ap.add_argument("--post-norm", action="store_true", help="post-norm layers, as in the paper (default: pre-norm)")
    ap.add_argument("--lr", type=float, default=TrainConfig.lr)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch CPU threads; 1 is fastest for a model this small on a shared 2-core machine")
    ap.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    ap.add_argument("--no-save", action="store_true")
    ap.add_argument("--out", default=OUT, help="folder for the weights (default: the package's weights/)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    mc = ItConfig(d_model=args.d_model, n_heads=args.n_heads, n_layers=args.n_layers, d_ff=args.d_ff, norm_first=not args.post_norm)
    random_nouns = 0.0 if args.variant == "animacy" else TrainConfig.random_nouns
    runs, saved = [], None
    for seed in args.seeds:
        tc = TrainConfig(seed=seed, steps=args.steps, lr=args.lr, batch_size=args.batch_size, random_nouns=random_nouns)
        model, history, metrics, seconds, cpu = one_run(mc, tc)
        ok = all(metrics[k] >= v for k, v in BARS.items())
        runs.append({"seed": seed, "seconds": round(seconds, 1), "cpu_seconds": round(cpu, 1), "meets_bars": ok, **metrics})
        print(f"seed {seed}: {seconds:.1f} s wall, {cpu:.1f} s CPU, " + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
              + ("  -> meets the bars" if ok else "  -> misses a bar")
              + (" (measured on its own animacy-only sentences)" if args.variant == "animacy" else ""))
        if saved is None and (ok or args.variant == "animacy"):
            saved = {"seed": seed, "model": model, "history": history, "metrics": metrics, "seconds": seconds,
                     "cpu": cpu, "train": asdict(tc)}
        if saved is not None and not args.all:
            break
    if saved is None:
        raise SystemExit("no seed met the bars " + json.dumps(BARS) + "; try more seeds or steps")
    meta = {"variant": args.variant, "bars": BARS, "seed": saved["seed"], "train": saved["train"],
            "train_seconds": round(saved["seconds"], 1), "train_cpu_seconds": round(saved["cpu"], 1),
            "model": {"n_parameters": sum(p.numel() for p in saved["model"].parameters())}, "threads": args.threads, "history": saved["history"],
            "metrics": saved["metrics"], "runs": runs}
    if not args.no_save:
        stem = os.path.normpath(os.path.join(args.out, WEIGHTS[args.variant]))
        os.makedirs(args.out, exist_ok=True)
        save_it_model(saved["model"], stem, meta)
        print(f"saved {stem}.safetensors / .json (seed {saved['seed']})")


if __name__ == "__main__":
    main()
