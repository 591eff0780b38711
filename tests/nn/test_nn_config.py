"""The model's configuration (frozen, validated, with messages) and seed_everything."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from transformer_lib import nn as tnn


def test_config_is_frozen_and_knows_d_head():
    c = tnn.TransformerConfig(d_model=64, n_heads=4)
    assert c.d_head == 16
    with pytest.raises(Exception):
        c.d_model = 32  # frozen


@pytest.mark.parametrize("kw,match", [
    (dict(d_model=10, n_heads=3), r"d_model % n_heads != 0"),
    (dict(dropout=1.5), "dropout"),
    (dict(dropout=1.0), "dropout"),
    (dict(dropout=-0.1), "dropout"),
    (dict(n_decoder_layers=-1), "negative"),
    (dict(n_encoder_layers=-1), "negative"),
])
def test_config_rejects_out_of_range_values(kw, match):
    with pytest.raises(ValueError, match=match):
        tnn.TransformerConfig(**kw)


def test_seed_everything_reproduces_draws():
    tnn.seed_everything(3)
    a = (np.random.rand(), torch.rand(1).item())
    tnn.seed_everything(3)
    assert a == (np.random.rand(), torch.rand(1).item())
