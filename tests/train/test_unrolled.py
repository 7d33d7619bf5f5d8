"""Ruling out linear networks by a linear program: sound on data any linear network labels, and
decisive on data none can, so the search skips only stages that could not solve."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mipsdsl.data import Dataset, make_dataset
from mipsdsl.errors import MipsError
from mipsdsl.train import search
from mipsdsl.train.encoding import InputEncoding, OutputHead, make_input_encoding, make_output_head
from mipsdsl.train.model import Architecture, BatchedRNN
from mipsdsl.train.options import SearchOptions
from mipsdsl.train.search import train
from mipsdsl.train.trainer import AttemptResult
from mipsdsl.train.unrolled import rules_out_linear
from tests.train.conftest import small_task

NUMBERS = "input x in [0, 20)"


def _ruled_out(task, kind: str) -> bool:
    encoding_kind, head_kind = ("onehot", "classify") if kind == "classify" else ("raw", "regress")
    data = make_dataset(task, n=2000, seed=0)
    encoding = make_input_encoding(task, encoding_kind)
    head = make_output_head(task, head_kind, data.y[: data.n_train])
    return rules_out_linear(data, encoding, head)


@pytest.mark.parametrize(
    "target, inputs, kind",
    [
        ("x xor x[t-1]", "input x in {0, 1}", "classify"),  # an exclusive or of two lags
        ("sum(x) % 3", "input x in [0, 3)", "classify"),
        ("max(x, x[t-1])", NUMBERS, "regress"),
        ("abs(x - x[t-1])", NUMBERS, "regress"),
        ("x * x", NUMBERS, "regress"),  # raw inputs: not affine in x (one-hot would be)
    ],
)
def test_data_no_linear_network_can_label_is_ruled_out(write_spec, target, inputs, kind):
    task = small_task(write_spec, target, inputs=inputs)
    assert _ruled_out(task, kind)


@pytest.mark.parametrize(
    "target, inputs, kind",
    [
        ("x[t-1]", "input x in {0, 1}", "classify"),
        ("x and x[t-1]", "input x in {0, 1}", "classify"),  # an and is a threshold
        ("sum(x) >= 2", "input x in {0, 1}", "classify"),
        ("sum(x, last 3)", NUMBERS, "regress"),
        ("sum(x) // 2", "input x in {0, 1}", "regress"),  # s/2 - 1/4 is within a quarter
    ],
)
def test_data_a_linear_network_can_label_is_not_ruled_out(write_spec, target, inputs, kind):
    task = small_task(write_spec, target, inputs=inputs)
    assert not _ruled_out(task, kind)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kind", ["classify", "regress"])
def test_data_labelled_by_a_random_linear_network_is_never_ruled_out(seed, kind):
    # soundness: whatever a linear network computes, the program must find feasible
    rng = np.random.default_rng(seed)
    length, sequences = 8, 600
    encoding = InputEncoding("onehot", ((0, 1, 2),))
    classes = 3 if kind == "classify" else 1
    network = BatchedRNN([Architecture(2, 1, 0, "onehot", kind)], [seed], encoding.dim, classes)
    x = rng.integers(0, 3, size=(sequences, length, 1))
    with torch.no_grad():
        out = network(encoding.encode(x))[0][0]
    if kind == "classify":
        y = out.argmax(dim=-1, keepdim=True).numpy()
        head = OutputHead("classify", (0,), (3,), (1.0,))
    else:
        y = torch.round(out * 10).long().numpy()  # its rounded outputs, at a scale of 10
        head = OutputHead("regress", (0,), (1,), (10.0,))
    lengths = np.full(sequences, length)
    data = Dataset(x.astype(np.int64), y.astype(np.int64), lengths, n_train=sequences)
    assert not rules_out_linear(data, encoding, head)


def test_the_search_skips_a_linear_stage_that_is_ruled_out(write_spec, monkeypatch):
    trained_depths = []

    def first_model_solves(task, data, archs, seeds, encoding, head, config, **_):
        trained_depths.append(archs[0].depth)
        result = AttemptResult(archs, seeds, 10, 0.0, [1.0] * len(archs))
        model = BatchedRNN(archs, seeds, encoding.dim, head.dim)
        result.solved_model, result.solved_state = 0, model.weights_of(0)
        return result

    monkeypatch.setattr(search, "train_models", first_model_solves)
    trained = train(small_task(write_spec, "x xor x[t-1]"), SearchOptions(budget=60, seeds=1))
    assert trained_depths[0] == 2  # no linear model trained
    first = trained.attempts[0]
    assert (first["pass"], first["depth"], first["steps"], first["solved"]) == (
        "ruled out",
        1,
        0,
        False,
    )


def test_a_spec_that_allows_only_linear_networks_says_none_can_be_exact(write_spec):
    task = small_task(write_spec, "x xor x[t-1]", hints="hint transition linear")
    with pytest.raises(MipsError, match="no linear network can be exact"):
        train(task, SearchOptions(budget=60, seeds=1))
