"""The live training views: LiveCurves redraws on every fit record, LiveLine keeps tqdm's
latest state, and both update one display output in place."""

from __future__ import annotations

import pytest
import torch

from transformer_lib.train import fit
from transformer_lib.views import training as tv


def _tiny_fit(**kwargs):
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def loss_fn(m, b):
        loss = torch.nn.functional.mse_loss(m(b[0]), b[1])
        return loss, {"acc": 0.5}

    return fit(model, lambda step: (x, y), loss_fn, steps=10, optimizer=opt, record_every=2,
               evaluate=lambda m: {"heldout_loss": 1.0, "heldout_acc": 0.25}, **kwargs)


class _Handle:
    def __init__(self, first):
        self.shown = [first]

    def update(self, obj):
        self.shown.append(obj)


@pytest.fixture
def handles(monkeypatch):
    """Replace IPython's display with one that records each output and its updates."""
    import IPython.display

    made = []

    def display(obj, display_id=False):
        assert display_id is True  # an output that can be updated in place
        made.append(_Handle(obj))
        return made[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return made


def test_live_curves_redraw_after_every_record(handles):
    curves = tv.LiveCurves(steps=10, title="after {step} steps")
    history = _tiny_fit(progress=False, callback=curves)
    assert curves.updates == len(history.step) == 5
    assert len(handles) == 1 and len(handles[0].shown) == 1 + 5  # the placeholder, then one figure per record
    assert handles[0].shown[-1] is curves.figure
    fig = curves.figure
    assert fig._suptitle.get_text() == "after 10 steps"
    axes = fig.get_axes()
    assert [a.get_ylabel() for a in axes] == list(tv.SEQ2SEQ_PANELS)
    assert all(a.get_xlabel() == "step" and a.get_xlim() == (0, 10) for a in axes)
    acc_line = axes[1].get_lines()[1]  # held-out accuracy, drawn as a percentage
    assert list(acc_line.get_ydata()) == [25.0] * 5 and list(acc_line.get_xdata()) == history.step


def test_live_curves_name_a_missing_record():
    curves = tv.LiveCurves({"loss": {"test": "test_loss"}}, display=False)
    with pytest.raises(ValueError, match=r"the history has no \['test_loss'\]"):
        _tiny_fit(progress=False, callback=curves)
    with pytest.raises(ValueError, match="at least one panel"):
        tv.LiveCurves({}, display=False)


def test_live_line_keeps_only_the_latest_bar(handles):
    line = tv.LiveLine()
    _tiny_fit(progress=line, desc="tiny")
    assert len(handles) == 1 and len(handles[0].shown) >= 2
    assert line.text.startswith("tiny: 100%") and "10/10" in line.text
    assert "\n" not in line.text and handles[0].shown[-1].data == line.text


def test_without_display_nothing_is_shown(handles):
    line, curves = tv.LiveLine(display=False), tv.LiveCurves(display=False)
    _tiny_fit(progress=line, callback=curves)
    assert handles == [] and curves.updates == 5 and "10/10" in line.text
