"""The trainer: polishing, finding the sequences a model gets wrong, confirming a model
on the whole examples file, and when a batch is given up on."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.data import Dataset, make_dataset, save_dataset
from mipsdsl.train.encoding import make_input_encoding, make_output_head
from mipsdsl.train.model import Architecture, BatchedRNN
from mipsdsl.train.options import TrainConfig
from mipsdsl.train.trainer import (
    POLISH_ROUNDS,
    POLISH_SEQUENCES,
    AttemptResult,
    _hopeless,
    _lowest_loss_per_architecture,
    _polish,
    _wrong,
    accuracy_on,
    confirm,
)
from tests.train.conftest import small_task


def nearly_right_sum(write_spec, n=2000, off=1.01):
    """A running sum of 8 values in [0, 50): model 0 is a linear RNN with weights `off` times
    the exact ones, model 1 keeps its random initial weights."""
    task = small_task(write_spec, "sum(x)", inputs="input x in [0, 50)")
    data = make_dataset(task, n=n, seed=0)
    encoding, head, model = sum_models(task, data, off)
    return data, encoding, head, model


def sum_models(task, data, off=1.0):
    """For a running sum: model 0 a linear RNN with `off` times the exact weights, model 1 at
    its random initial weights, with the raw encoding and regression head they read."""
    encoding = make_input_encoding(task, "raw")
    head = make_output_head(task, "regress", data.y)
    model = BatchedRNN([Architecture(1, 1, 0, "raw", "regress")] * 2, [0, 1], 1, 1)
    scale_in, scale_out = encoding._raw_scale[0], head.scales[0]
    with torch.no_grad():  # h' = h + x * scale_in / scale_out and y = h: the sum, if exact
        model.f_weights[0][0, :, 0] = torch.tensor([1.0, scale_in / scale_out]) * off
        model.f_biases[0][0].zero_()
        model.g_weights[0][0].fill_(1.0)
        model.g_biases[0][0].zero_()
    return encoding, head, model


def test_polishing_makes_a_nearly_right_regression_model_exact_and_leaves_the_others(write_spec):
    # model 1 has the same architecture and a higher loss than model 0, so it is not polished
    data, encoding, head, model = nearly_right_sum(write_spec)
    accuracy = lambda: accuracy_on(model, encoding, head, data.x, data.y, data.lengths)  # noqa
    assert accuracy()[0] < 0.5
    others = [p[1].detach().clone() for p in model.parameters()]
    _polish(model, encoding, head, (data.x, data.y, data.lengths), np.random.default_rng(0), "cpu")
    assert accuracy()[0] == 1.0
    assert all(torch.equal(p[1], q) for p, q in zip(model.parameters(), others, strict=True))


def test_a_polish_whose_line_search_overflows_is_undone(write_spec, monkeypatch):
    # the L-BFGS step moves the weights, then its line search overflows a float (as a steep
    # loss made it do): every model's weights are as before the polish
    data, encoding, head, model = nearly_right_sum(write_spec)
    before = [p.detach().clone() for p in model.parameters()]

    def step_then_overflow(self, closure):
        with torch.no_grad():
            for p in model.parameters():
                p.add_(1.0)
        raise RuntimeError("value cannot be converted to type float without overflow")

    monkeypatch.setattr(torch.optim.LBFGS, "step", step_then_overflow)
    _polish(model, encoding, head, (data.x, data.y, data.lengths), np.random.default_rng(0), "cpu")
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True))


def test_each_polish_round_adds_the_sequences_the_last_one_got_wrong(write_spec, monkeypatch):
    # off by 0.05%, model 0 is wrong on large sums only; with L-BFGS a no-op, every round finds
    # the same kind of sequences wrong and adds them, until the rounds run out
    data, encoding, head, model = nearly_right_sum(write_spec, n=4000, off=1.0005)
    batches = []

    def record(model, head, x, m, y, mask):
        batches.append((m, y.shape[0], y))
        return True

    monkeypatch.setattr("mipsdsl.train.trainer._lbfgs", record)
    _polish(model, encoding, head, (data.x, data.y, data.lengths), np.random.default_rng(0), "cpu")
    assert [m for m, _, _ in batches] == [0] * POLISH_ROUNDS  # model 1 shares its architecture
    sizes = [size for _, size, _ in batches]
    assert sizes[0] == POLISH_SEQUENCES and sizes == sorted(sizes) and sizes[-1] > sizes[0]
    added = batches[1][2][POLISH_SEQUENCES:]
    largest = added.amax(dim=(1, 2)).float().mean().item()
    assert largest > data.y.max(axis=(1, 2)).mean() + 20  # the large sums are the ones wrong


def test_a_model_far_from_exact_gets_one_polish_only(write_spec, monkeypatch):
    data, encoding, head, model = nearly_right_sum(write_spec, n=4000, off=1.2)
    calls = []
    monkeypatch.setattr("mipsdsl.train.trainer._lbfgs", lambda *args: calls.append(args[3]) or True)
    _polish(model, encoding, head, (data.x, data.y, data.lengths), np.random.default_rng(0), "cpu")
    assert calls == [0]


def test_every_architecture_gets_its_lowest_loss_model_polished():
    small, large = (Architecture(h, 1, 0, "raw", "regress") for h in (1, 2))
    chosen = _lowest_loss_per_architecture([small, small, large, large], [0.3, 0.2, 0.1, 0.05])
    assert chosen == [1, 3]


def test_the_sequences_a_model_gets_wrong_are_found_for_replay(write_spec):
    # off by 0.05%, model 0 rounds small sums right and large ones wrong
    data, encoding, head, model = nearly_right_sum(write_spec, n=500, off=1.0005)
    wrong = _wrong(model, encoding, head, data.x, data.y, data.lengths, 0)
    accuracy = accuracy_on(model, encoding, head, data.x, data.y, data.lengths)[0].item()
    assert 0 < len(wrong) < len(data.x) and len(wrong) == round((1 - accuracy) * len(data.x))
    right = np.setdiff1d(np.arange(len(data.x)), wrong)
    sub = lambda rows: [a[rows] for a in (data.x, data.y, data.lengths)]  # noqa: E731
    assert accuracy_on(model, encoding, head, *sub(wrong))[0] == 0.0
    assert accuracy_on(model, encoding, head, *sub(right))[0] == 1.0


@pytest.mark.parametrize("spoiled", [False, True])
def test_an_examples_network_must_be_exact_on_the_whole_file(write_spec, tmp_path, spoiled):
    # a running sum given by examples, one label of a training-split sequence made wrong when
    # `spoiled`: the exact model is right on the held-out split either way, and is accepted only
    # when it is right on every sequence of the file
    defined = small_task(write_spec, "sum(x)", inputs="input x in [0, 50)")
    data = make_dataset(defined, n=2000, seed=0)
    y = data.y.copy()
    y[0, 0, 0] += spoiled
    save_dataset(Dataset(data.x, y, data.lengths, data.n_train), tmp_path / "sums.npz")
    spec = 'task sums "by example"\ninput x in [0, 50)\nexamples "sums.npz"\noutput y\n'
    task, _ = load_task(write_spec(spec, "sums.mips"), sample=0)
    examples = make_dataset(task)
    assert np.array_equal(examples.y, y)  # the whole file, in order: sequence 0 is training data
    encoding, head, model = sum_models(task, examples)
    held_out = tuple(a[examples.n_train :] for a in (examples.x, examples.y, examples.lengths))
    assert accuracy_on(model, encoding, head, *held_out)[0] == 1.0
    result = AttemptResult(model.archs, model.seeds, 200, 0.0, [1.0, 0.0])
    confirm(task, model, encoding, head, torch.tensor([1.0, 0.0]), held_out, TrainConfig(), result)
    assert result.solved is not spoiled
    if not spoiled:
        assert result.confirmed_on == len(examples)


MAIN = TrainConfig(max_steps=3000)
SHRINKING = TrainConfig(max_steps=3000, shrinking=True)


def test_a_pass_for_smaller_sizes_with_nothing_right_gives_up_before_a_main_stage_does():
    history = [0.0, 0.01]  # two evaluations, 400 steps
    assert _hopeless(history, 400, SHRINKING, "classify")
    assert not _hopeless(history, 400, MAIN, "classify")
    assert not _hopeless(history, 400, SHRINKING, "regress")  # rounding comes right late
    assert _hopeless(history + [0.0], 600, SHRINKING, "regress")


def test_a_pass_for_smaller_sizes_gives_up_once_its_best_stops_rising():
    flat = [0.5, 0.5, 0.502, 0.5]
    assert _hopeless(flat, 800, SHRINKING, "classify")
    assert not _hopeless(flat, 800, MAIN, "classify")  # a main stage waits 10 evaluations
    assert not _hopeless(flat[:3], 600, SHRINKING, "classify")  # too few evaluations to tell


def test_a_noisy_rise_or_a_nearly_exact_pass_is_not_given_up():
    # the best so far counts, not the last value: a dip after a rise is not a stall
    assert not _hopeless([0.2, 0.4, 0.6, 0.45, 0.5], 1000, SHRINKING, "classify")
    # near exact, the last rare errors are what mining finds: a flat 99.5% is kept
    assert not _hopeless([0.995, 0.995, 0.995, 0.995], 800, SHRINKING, "classify")
