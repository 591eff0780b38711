"""Train the book's French -> English translator and write it to transformer_lib/weights/.

Usage: .venv/bin/python scripts/train_translator.py [--steps 3000] [--out transformer_lib/weights]

Trains two models from the same initialisation and batches, one with label smoothing
epsilon_ls = 0.1 (``translator``, the one the chapters use) and one without
(``translator_no_smoothing``, for the label-smoothing comparison), and keeps a snapshot of
the first one early in training (``translator_early``, where greedy decoding still makes
mistakes that beam search can repair: chapter "Decoding"). Each checkpoint is a
safetensors file plus a json with the configuration, the vocabularies, the corpus settings,
the training history and the held-out BLEU / exact-match of greedy and beam search.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import time

import torch

from transformer_lib import seed_everything
from transformer_lib.data import encode_pairs, make_corpus
from transformer_lib.nn import Transformer
from transformer_lib.train import fit_seq2seq
from transformer_lib.tasks.translator import Translator, bleu_and_exact, save_translator, translate_batch, translator_config

CORPUS = {"seed": 0, "test_fraction": 0.1, "max_test": 500}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--warmup", type=int, default=400)
    ap.add_argument("--factor", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--early", type=int, default=100, help="step of the early snapshot (a multiple of 100)")
    ap.add_argument("--out", default=None, help="directory (default: the package's weights/)")
    ap.add_argument("--only", choices=["translator", "translator_no_smoothing"], default=None)
    args = ap.parse_args()
    torch.set_num_threads(1)  # a small model: one thread is as fast, and never oversubscribes a shared CPU

    corpus = make_corpus(**CORPUS)
    train_data = encode_pairs(corpus.train, corpus.src_vocab, corpus.tgt_vocab)
    test_data = encode_pairs(corpus.test, corpus.src_vocab, corpus.tgt_vocab)
    print(f"corpus: {len(corpus.train)} training pairs, {len(corpus.test)} held-out pairs, "
          f"V_fr={len(corpus.src_vocab)}, V_en={len(corpus.tgt_vocab)}")
    runs = [("translator", 0.1), ("translator_no_smoothing", 0.0)]
    for name, smoothing in runs:
        if args.only and name != args.only:
            continue
        seed_everything(args.seed)
        model = Transformer(translator_config(len(corpus.src_vocab), len(corpus.tgt_vocab)))
        snapshot = {}

        def keep_early(hist, model=model, snapshot=snapshot):
            if name == "translator" and hist.step[-1] == args.early:
                snapshot["state"] = copy.deepcopy(model.state_dict())
                snapshot["history"] = hist.as_dict()
                snapshot["seconds"] = time.perf_counter() - start

        start = time.perf_counter()
        hist = fit_seq2seq(model, train_data, args.steps, args.batch_size, smoothing, args.warmup, args.factor,
                     heldout_data=test_data, record_every=100, seed=args.seed, callback=keep_early)
        record = {"steps": args.steps, "batch_size": args.batch_size, "smoothing": smoothing, "warmup": args.warmup,
                  "factor": args.factor, "seed": args.seed, "seconds": hist.seconds,
                  "torch_threads": torch.get_num_threads()}
        finish(Translator(model, corpus.src_vocab, corpus.tgt_vocab, {}), name, corpus, record,
               hist.as_dict(), args.out)
        if snapshot:
            early = Transformer(translator_config(len(corpus.src_vocab), len(corpus.tgt_vocab)))
            early.load_state_dict(snapshot["state"])
            early.eval()
            finish(Translator(early, corpus.src_vocab, corpus.tgt_vocab, {}), "translator_early", corpus,
                   {**record, "steps": args.early, "seconds": snapshot["seconds"],
                    "note": f"snapshot of 'translator' after {args.early} of its {args.steps} steps"},
                   snapshot["history"], args.out)


def finish(translator, name, corpus, record, history, out) -> None:
    """Score greedy and beam 4 on the held-out split, then write the checkpoint and its record."""
    refs = [en for _, en in corpus.test]
    results = {}
    for k in (1, 4):
        t0 = time.perf_counter()
        hyps = translate_batch(translator, [fr for fr, _ in corpus.test], beam=k)
        results[f"beam{k}"] = {**bleu_and_exact(hyps, refs), "seconds": time.perf_counter() - t0}
    translator.info = {"corpus": CORPUS, "training": record, "history": history, "heldout": results}
    path = save_translator(translator, name, out)
    print(f"{name}: {record['steps']} steps in {record['seconds']:.0f} s, held-out loss {history['heldout_loss'][-1]:.3f}, "
          f"greedy BLEU {results['beam1']['bleu']:.1f} (exact {results['beam1']['exact']:.1f}%), "
          f"beam 4 BLEU {results['beam4']['bleu']:.1f} (exact {results['beam4']['exact']:.1f}%) -> {path}")


if __name__ == "__main__":
    main()
