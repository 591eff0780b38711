"""Fixtures for the tasks' tests."""

from __future__ import annotations

import pytest

from transformer_lib import train


@pytest.fixture
def fit_calls(monkeypatch):
    """``fit_calls(module)`` wraps the ``fit`` a task module imported and returns the list of the
    keyword arguments of each call (the real loop still runs)."""

    def watch(module):
        calls = []

        def spy(*args, **kwargs):
            calls.append(kwargs)
            return train.fit(*args, **kwargs)

        monkeypatch.setattr(module, "fit", spy)
        return calls

    return watch
