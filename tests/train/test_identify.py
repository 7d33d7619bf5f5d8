"""System identification of linear networks: exact, of the smallest order, and declined where
the data is not a linear network's or its length does not pin the network down."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.data import make_dataset
from mipsdsl.train.encoding import make_input_encoding, make_output_head
from mipsdsl.train.identify import _ho_kalman, identify
from mipsdsl.train.model import load_single
from mipsdsl.train.options import DEFAULT_STAGES, SearchOptions, Stage, TrainConfig
from mipsdsl.train.search import train
from mipsdsl.train.trainer import accuracy_on
from tests.train.conftest import small_task

LINEAR = DEFAULT_STAGES[0]
CONFIG = TrainConfig(confirm_size=2000)
NUMBERS = "input x in [0, 20)"


def _identify(task, stage=LINEAR):
    """What identification makes of the task's data: (result, encoding it read) or None, then
    the data and head."""
    data = make_dataset(task, n=3000, seed=0)
    encoding = make_input_encoding(task, "raw")
    head = make_output_head(task, "regress", data.y[: data.n_train])
    return identify(task, data, stage, encoding, head, CONFIG, seed=0), data, head


@pytest.mark.parametrize(
    "target, order, kind",
    [
        ("sum(x, last 3)", 3, "raw"),  # a window of three needs three units
        ("x[t-2]", 3, "raw"),  # a delay of two: the input and the two before it
        ("sum(x) + 3", 1, "raw"),  # the readout's bias takes the constant
        ("sum(x) + t", 2, "raw"),  # the position is a second unit, fed by the bias
        ("2 * x - x[t-1] + sum(x)", 3, "raw"),  # Markov parameters 3, 0, 1, 1, ...: rank 3
        ("sum(x * x)", 1, "onehot"),  # linear in the one-hot symbols, not in x
        ("sum(x == 3, last 2) * 5 - t", 3, "onehot"),
    ],
)
def test_linear_targets_get_an_exact_network_of_the_smallest_order(write_spec, target, order, kind):
    task = small_task(write_spec, target, inputs=NUMBERS, hints="hint head regress")
    found, data, head = _identify(task)
    assert found is not None
    result, encoding = found
    assert result.solved and result.archs[0].hidden == order and encoding.kind == kind
    model = load_single(result.archs[0], 0, encoding.dim, head.dim, result.solved_state)
    assert accuracy_on(model, encoding, head, data.x, data.y, data.lengths)[0] == 1.0


@pytest.mark.parametrize("target", ["max(x, x[t-1])", "sum(x) % 7", "sum(x * x[t-1])"])
def test_data_no_linear_network_fits_exactly_is_declined(write_spec, target):
    task = small_task(write_spec, target, inputs=NUMBERS, hints="hint head regress")
    assert _identify(task)[0] is None


def test_an_order_outside_the_stage_or_a_classified_head_is_declined(write_spec):
    task = small_task(write_spec, "sum(x, last 3)", inputs=NUMBERS, hints="hint head regress")
    assert _identify(task, Stage(1, (1, 2)))[0] is None
    assert _identify(task, DEFAULT_STAGES[1])[0] is None  # an MLP stage trains by gradient
    classified = small_task(write_spec, "sum(x, last 3)", inputs="input x in {0, 1}")
    data = make_dataset(classified, n=500, seed=0)
    head = make_output_head(classified, "classify", data.y)
    encoding = make_input_encoding(classified, "onehot")
    assert identify(classified, data, LINEAR, encoding, head, CONFIG, seed=0) is None


def test_a_fit_with_too_many_unknowns_is_left_to_gradient_training(write_spec, monkeypatch):
    task = small_task(write_spec, "sum(x, last 3)", inputs=NUMBERS, hints="hint head regress")
    monkeypatch.setattr("mipsdsl.train.identify.MAX_UNKNOWNS", 8 * 2 - 1)  # length 8, 1 input
    assert _identify(task)[0] is None


def test_lags_too_few_to_settle_the_rank_give_no_realisation():
    # a delay of 5 seen over 6 lags: only the last lag is non-zero, and no Hankel matrix within
    # the lags shows it twice, so its order (6) is not determined by them
    markov = np.zeros((6, 1, 1))
    markov[5] = 1.0
    assert _ho_kalman(markov) is None
    markov = np.zeros((12, 1, 1))
    markov[5] = 1.0
    a, b, c = _ho_kalman(markov)
    assert a.shape == (6, 6)
    powers = [b @ np.linalg.matrix_power(a, k) @ c for k in range(12)]
    assert np.allclose(np.concatenate(powers).ravel(), markov.ravel(), atol=1e-9)


def test_the_search_takes_an_identified_network_without_gradient_or_smaller_passes(write_spec):
    task = small_task(write_spec, "sum(x, last 3)", inputs=NUMBERS, hints="hint head regress")
    trained = train(task, SearchOptions(budget=60))
    assert trained.arch.hidden == 3 and trained.arch.depth == 1
    assert [a.get("pass") for a in trained.attempts] == ["identified"]
    assert trained.steps == 0
