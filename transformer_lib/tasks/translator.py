"""The book's French -> English translator: its configuration, checkpoint and a translate helper.

Trained by ``scripts/train_translator.py`` on :func:`transformer_lib.data.make_corpus`
(chapter "Training: from logits to loss"), shipped as ``weights/<name>.safetensors``
(tensors only, nothing executable) plus ``weights/<name>.json`` (the model configuration,
both vocabularies, the corpus settings and the training record).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable, Sequence

import torch

from transformer_lib import checkpoint
from transformer_lib.data.translation import SPECIALS, TOKENIZER
from transformer_lib.data.vocab import Vocab, not_in_vocabulary
from transformer_lib.nn.config import TransformerConfig
from transformer_lib.nn.model import Transformer
from transformer_lib.nn.modes import evaluating


def translator_config(src_vocab_size: int, tgt_vocab_size: int, dropout: float = 0.1) -> TransformerConfig:
    """The translator's shape: the paper's architecture, shrunk to fit a CPU and a tiny language.

    Two vocabularies (French, English), so the embeddings are not shared.
    """
    return TransformerConfig(src_vocab_size=src_vocab_size, tgt_vocab_size=tgt_vocab_size, d_model=64, n_heads=4,
                             n_encoder_layers=2, n_decoder_layers=2, d_ff=256, dropout=dropout, max_len=32,
                             share_embeddings=False)


@dataclass
class Translator:
    """A trained model with its two vocabularies and the record of how it was made."""

    model: Transformer
    src_vocab: Vocab
    tgt_vocab: Vocab
    info: dict

    def encode_source(self, sentence: str) -> torch.Tensor:
        """French sentence -> (1, S) ids ending in ``<eos>``; unknown words raise a ValueError saying which."""
        toks = TOKENIZER(sentence)
        if not toks:
            raise ValueError("type a French sentence: the input has no words")
        unknown = [w for w in toks if w not in self.src_vocab or w in self.src_vocab.specials]
        if unknown:  # the page's runtime (transformer_lib/web) gives the same message
            raise ValueError(not_in_vocabulary(unknown, self.src_vocab))
        most = self.model.config.max_len - 1  # the positions of the words and <eos>
        if len(toks) > most:
            raise ValueError(f"the sentence has {len(toks)} words; the translator reads at most {most}")
        return torch.tensor([self.src_vocab.encode(toks, eos=True)])  # (1, S)

    def translate(self, sentence: str, beam: int = 1, max_len: int = 20) -> str:
        """Translate one sentence with greedy decoding (``beam=1``) or beam search."""
        from transformer_lib.decoding import beam_search, greedy_decode

        src = self.encode_source(sentence)
        if beam == 1:
            tokens, _ = greedy_decode(self.model, src, max_len)
        else:
            tokens = beam_search(self.model, src, k=beam, max_len=max_len).tokens
        return " ".join(self.tgt_vocab.decode(tokens[0]))


    def inspect(self, sentence: str, max_len: int = 20) -> dict:
        """Everything the chapter's translation view draws, for one sentence (greedy decoding).

        Returns a dict with ``source`` (French tokens + ``<eos>``, length S), ``output`` (the
        English tokens produced, ``<eos>`` included, length L), ``translation`` (a string),
        ``probs`` (L, V) the distribution each step chose from, and ``encoder`` (layers, H, S, S),
        ``decoder`` (layers, H, L, L), ``cross`` (layers, H, L, S) attention weights, where
        decoder row t is the step that produced output token t.
        """
        from transformer_lib.decoding import greedy_decode

        src = self.encode_source(sentence)  # (1, S)
        tokens, _, log_p = greedy_decode(self.model, src, max_len, return_log_probs=True)
        n = int((tokens[0] != self.model.config.pad_id).sum())
        out = tokens[:, :n]  # (1, L)
        tgt_in = torch.cat([torch.full((1, 1), self.tgt_vocab.bos_id), out[:, :-1]], dim=1)  # (1, L)
        with evaluating(self.model):
            att = self.model.attention(src, tgt_in)
        stack = lambda ws: torch.stack([w[0] for w in ws]).numpy()  # list of (1, H, ., .) -> (layers, H, ., .)
        return {
            "source": [self.src_vocab.tokens[i] for i in src[0]],
            "output": [self.tgt_vocab.tokens[i] for i in out[0]],
            "translation": " ".join(self.tgt_vocab.decode(out[0])),
            "probs": log_p[0, :n].exp().numpy(),
            "encoder": stack(att["encoder"]),
            "decoder": stack(att["decoder"]),
            "cross": stack(att["cross"]),
        }


def _weights_dir() -> Path:
    return Path(str(resources.files("transformer_lib").joinpath("weights")))


def save_translator(translator: Translator, name: str, directory: str | Path | None = None) -> Path:
    """Write ``<name>.safetensors`` and ``<name>.json`` with :func:`transformer_lib.checkpoint.save`
    (the vocabularies and ``info`` go into the JSON); returns the safetensors path."""
    directory = Path(directory) if directory is not None else _weights_dir()
    directory.mkdir(parents=True, exist_ok=True)
    meta = {"src_vocab": list(translator.src_vocab.tokens), "tgt_vocab": list(translator.tgt_vocab.tokens),
            **translator.info}
    return checkpoint.save(translator.model, directory / name, meta)


def load_translator(name: str = "translator", directory: str | Path | None = None) -> Translator:
    """Load a shipped translator with :func:`transformer_lib.checkpoint.load` (safetensors: tensors
    only, nothing executable). The model comes in eval mode.

    Args:
        name: ``"translator"`` (label smoothing 0.1), ``"translator_no_smoothing"`` or ``"translator_early"``.
        directory: where the files are (default: the package's ``weights/``).
    """
    directory = Path(directory) if directory is not None else _weights_dir()
    if not (directory / f"{name}.safetensors").is_file():
        raise ValueError(f"no translator named {name!r} in {directory} (run scripts/train_translator.py)")
    model, meta = checkpoint.load(directory / name, lambda config: Transformer(TransformerConfig(**config)))
    src_vocab = Vocab(tuple(meta.pop("src_vocab")), SPECIALS, TOKENIZER)
    tgt_vocab = Vocab(tuple(meta.pop("tgt_vocab")), SPECIALS, TOKENIZER)
    return Translator(model.eval(), src_vocab, tgt_vocab, meta)


def translate_batch(translator: Translator, sentences, beam: int = 1, max_len: int = 20, batch_size: int = 256):
    """Translate many (known-vocabulary) French sentences in batches; returns English strings."""
    from transformer_lib.data.translation import encode_pairs
    from transformer_lib.decoding import beam_search, greedy_decode

    sentences = list(sentences)
    out = []
    for i in range(0, len(sentences), batch_size):
        chunk = sentences[i:i + batch_size]
        src, _, _ = encode_pairs([(s, "") for s in chunk], translator.src_vocab, translator.tgt_vocab)  # (b, S)
        if beam == 1:
            tokens, _ = greedy_decode(translator.model, src, max_len)
        else:
            tokens = beam_search(translator.model, src, k=beam, max_len=max_len).tokens
        out += [" ".join(translator.tgt_vocab.decode(row)) for row in tokens]
    return out


def bleu_and_exact(hypotheses, references) -> dict:
    """Corpus BLEU (sacrebleu, default 13a tokenisation) and the exact-match rate, both in percent."""
    import sacrebleu

    hypotheses, references = list(hypotheses), list(references)
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses for {len(references)} references")
    bleu = sacrebleu.corpus_bleu(hypotheses, [references]).score
    exact = 100.0 * sum(h == r for h, r in zip(hypotheses, references)) / max(len(references), 1)
    return {"bleu": bleu, "exact": exact}


# ----------------------------------------------------- what chapter "Decoding" measures
def words(translator: Translator, ids) -> str:
    """English ids (one row: (L,)) -> the sentence, stopping at ``<eos>``."""
    ids = torch.as_tensor(ids)
    if ids.dim() != 1:
        raise ValueError(f"words decodes one row of ids (L,), got shape {tuple(ids.shape)}; pass tokens[i]")
    return " ".join(translator.tgt_vocab.decode(ids))


def score_beams(translator: Translator, src: torch.Tensor, references: Sequence[str],
                ks: Iterable[int] = range(1, 6)) -> dict[int, dict]:
    """Beam search with each beam size in ``ks`` over the whole batch ``src`` (N, S).

    Returns:
        ``{k: {"res": BeamResult, "hyps": [N sentences], "seconds": wall-clock time of the
        search, "bleu": corpus BLEU, "exact": exact-match %}}``. ``k = 1`` is greedy decoding.
    """
    if src.dim() != 2:
        raise ValueError(f"src must be a batch of id rows (N, S), got shape {tuple(src.shape)}")
    if len(references) != src.shape[0]:
        raise ValueError(f"{len(references)} references for {src.shape[0]} source sentences")
    from transformer_lib.decoding import beam_search

    out = {}
    for k in ks:
        if int(k) < 1:
            raise ValueError(f"beam sizes must be at least 1, got {k}")
        t0 = time.perf_counter()
        res = beam_search(translator.model, src, k=int(k))
        hyps = [words(translator, row) for row in res.tokens]
        out[int(k)] = dict(res=res, hyps=hyps, seconds=time.perf_counter() - t0, **bleu_and_exact(hyps, references))
    return out
