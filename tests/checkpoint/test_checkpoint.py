"""The one checkpoint module: safetensors + JSON, round trip, clear errors, the shipped files."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import torch

from transformer_lib import checkpoint
from transformer_lib.nn import Transformer, TransformerConfig


@dataclass(frozen=True)
class TinyConfig:
    width: int = 3
    names: tuple = ("a", "b")


class Tiny(torch.nn.Module):
    def __init__(self, config: TinyConfig):
        super().__init__()
        self.config = config
        self.lin = torch.nn.Linear(config.width, 2)


def build(config: dict) -> Tiny:
    return Tiny(TinyConfig(**{**config, "names": tuple(config["names"])}))


def test_round_trip_keeps_weights_config_and_meta(tmp_path):
    torch.manual_seed(0)
    model = Tiny(TinyConfig(width=4))
    path = checkpoint.save(model, tmp_path / "tiny", {"note": "café", "history": [1, 2]})
    assert path == tmp_path / "tiny.safetensors"
    on_disk = json.loads((tmp_path / "tiny.json").read_text(encoding="utf-8"))
    assert on_disk == {"config": {"width": 4, "names": ["a", "b"]}, "note": "café", "history": [1, 2]}
    loaded, meta = checkpoint.load(tmp_path / "tiny", build)
    assert meta == {"note": "café", "history": [1, 2]} and loaded.config == model.config
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)


def test_the_weights_file_is_safetensors_not_a_pickle(tmp_path):
    checkpoint.save(Tiny(TinyConfig()), tmp_path / "tiny", {})
    raw = (tmp_path / "tiny.safetensors").read_bytes()
    header_len = int.from_bytes(raw[:8], "little")  # safetensors: an 8-byte length, then a JSON header
    assert set(json.loads(raw[8:8 + header_len])) >= {"lin.weight", "lin.bias"}
    assert not raw.startswith(b"PK") and b"\x80\x02" not in raw[:2]  # neither a zip (torch.save) nor a pickle


def test_tied_weights_can_be_saved(tmp_path):
    cfg = TransformerConfig(src_vocab_size=11, tgt_vocab_size=11, d_model=8, n_heads=2, n_encoder_layers=1,
                            n_decoder_layers=1, d_ff=16, max_len=8, share_embeddings=True)
    model = Transformer(cfg)
    checkpoint.save(model, tmp_path / "tied", {})
    loaded, _ = checkpoint.load(tmp_path / "tied", lambda c: Transformer(TransformerConfig(**c)))
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)


def test_missing_files_and_wrong_weights_get_clear_messages(tmp_path):
    with pytest.raises(ValueError, match="no checkpoint at .*missing .*nothing.safetensors"):
        checkpoint.load(tmp_path / "nothing", build)
    checkpoint.save(Tiny(TinyConfig(width=3)), tmp_path / "tiny", {})
    with pytest.raises(ValueError, match=r"wrong shape lin.weight \(2, 3\) != \(2, 5\)"):
        checkpoint.load(tmp_path / "tiny", lambda c: Tiny(TinyConfig(width=5)))

    class Other(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.proj = torch.nn.Linear(3, 2)

    with pytest.raises(ValueError, match=r"missing \['proj.bias', 'proj.weight'\]; unexpected \['lin.bias', 'lin.weight'\]"):
        checkpoint.load(tmp_path / "tiny", lambda c: Other())
    (tmp_path / "bare.json").write_text("{}", encoding="utf-8")
    (tmp_path / "bare.safetensors").write_bytes((tmp_path / "tiny.safetensors").read_bytes())
    with pytest.raises(ValueError, match="has no 'config'"):
        checkpoint.load(tmp_path / "bare", build)


def test_save_needs_a_config_and_keeps_it_apart_from_meta(tmp_path):
    with pytest.raises(ValueError, match="no config dataclass"):
        checkpoint.save(torch.nn.Linear(2, 2), tmp_path / "x", {})
    with pytest.raises(ValueError, match="must not hold 'config'"):
        checkpoint.save(Tiny(TinyConfig()), tmp_path / "x", {"config": 1})


@pytest.mark.weights
@pytest.mark.parametrize("name", ["translator", "translator_no_smoothing", "translator_early", "it_model",
                                  "it_model_animacy"])
def test_every_shipped_file_loads_and_saves_back_byte_for_byte(name, tmp_path):
    """The shipped files are in this format: loading them and saving again writes the same bytes."""
    from importlib import resources

    from transformer_lib.tasks.pronoun import ItConfig, ItModel

    folder = resources.files("transformer_lib") / "weights"
    if name.startswith("it_model"):
        def make(c):
            return ItModel(ItConfig(**c))
    else:
        def make(c):
            return Transformer(TransformerConfig(**c))
    with resources.as_file(folder / name) as stem:
        model, meta = checkpoint.load(stem, make)
    checkpoint.save(model, tmp_path / name, meta)
    for ext in (".safetensors", ".json"):
        assert (tmp_path / (name + ext)).read_bytes() == (folder / (name + ext)).read_bytes(), ext
