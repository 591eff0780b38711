"""tasks/positions.py: sinusoidal vs RoPE beyond the trained context, the shipped pair and the recipe."""

import pytest
import torch

from transformer_lib.tasks import gpt as tiny
from transformer_lib.tasks import positions

TRAINED, ROPE_MARGIN = 0.5, 0.25  # scripts/train_positions.py's bars


def test_bands():
    assert positions.bands(32) == [(0, 32)]
    assert positions.bands(256) == [(0, 32), (32, 64), (64, 128), (128, 256)]
    assert positions.bands(100) == [(0, 32), (32, 64), (64, 100)]
    with pytest.raises(ValueError, match="positive integer"):
        positions.bands(0)


def test_kinds_and_config():
    c = positions.model_config("rope", 24)
    assert (c.positions, c.block_size, c.d_model) == ("rope", positions.TRAIN_CONTEXT, 64)
    with pytest.raises(ValueError, match="kind must be one of"):
        positions.model_config("learned", 24)
    with pytest.raises(ValueError, match="kind must be one of"):
        positions.weights_stem("alibi")


def test_position_losses_average_the_windows():
    torch.manual_seed(0)
    model = positions.GPT(positions.model_config("rope", 5))
    x, y = torch.randint(0, 5, (3, 40)), torch.randint(0, 5, (3, 40))
    per = positions.position_losses(model, x, y, batch_size=2)  # 40 > the 32 trained positions
    assert per.shape == (40,)
    want = torch.nn.functional.cross_entropy(model(x).transpose(1, 2), y, reduction="none").mean(0)
    torch.testing.assert_close(per, want.detach())


@pytest.mark.weights
def test_the_shipped_pair_is_what_its_records_say():
    models, vocab, metas = positions.load_position_models()
    for kind, model in models.items():
        assert model.config.positions == kind and model.config.block_size == positions.TRAIN_CONTEXT
        assert not model.training
        measured = positions.loss_by_length(model, vocab)
        for L, bands in metas[kind]["loss_by_length"].items():
            for band, v in bands.items():
                assert measured[L][band] == pytest.approx(v, abs=2e-3), (kind, L, band)
        for seed, run in metas[kind]["runs"].items():
            assert run["trained"] and run["rope_beats_sinusoidal_32_64"], (kind, seed)
            assert run["heldout_loss"] <= TRAINED * run["bigram_loss"]
    for seed in metas["rope"]["runs"]:
        rope, sin = (metas[k]["runs"][seed]["loss_by_length"]["64"]["32-64"] for k in ("rope", "sinusoidal"))
        assert rope <= sin - ROPE_MARGIN


@pytest.mark.slow
def test_the_recipe_meets_the_bars_on_seed_1():
    torch.set_num_threads(1)
    out = {kind: positions.train_position_model(kind, seed=1, progress=False)[1] for kind in positions.KINDS}
    for rec in out.values():
        assert rec["heldout_loss"] <= TRAINED * rec["bigram_loss"]
    assert out["rope"]["loss_by_length"]["64"]["32-64"] <= out["sinusoidal"]["loss_by_length"]["64"]["32-64"] - ROPE_MARGIN
