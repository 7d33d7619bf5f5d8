"""The architecture search: small tasks reach 100% within a test budget, smaller networks
are preferred, results are reproducible, and doomed runs are refused before training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset
from mipsdsl.errors import MipsError
from mipsdsl.train.model import BatchedRNN
from mipsdsl.train.options import SearchOptions
from mipsdsl.train.search import TrainingFailed, train
from mipsdsl.train.trainer import AttemptResult
from tests.train.conftest import small_task


@pytest.mark.parametrize("name", ["parity_all", "bitwise_xor", "add_mod_3"])
def test_benchmark_tasks_reach_exact_accuracy(name, trained):
    task, trained = trained(name)  # trained once per session; tests/test_compile.py reuses it
    data = make_dataset(task, n=5000, seed=123, stream=7)
    assert np.array_equal(trained.run(data.x), data.y)
    assert trained.confirmed_on >= 50_000
    assert any(a["solved"] for a in trained.attempts) and not trained.cached


def test_linear_transition_is_preferred_when_it_suffices(write_spec):
    task = small_task(write_spec, "x[t-1]")  # a shift register: linear
    trained = train(task, SearchOptions(budget=120))
    assert trained.arch.depth == 1
    # the linear stage solved it: no MLP stage ran (a second linear pass may try smaller sizes)
    assert {a["depth"] for a in trained.attempts} == {1}


def test_smaller_passes_repeat_while_they_find_a_smaller_network(write_spec, monkeypatch):
    # stand-in training where, in every batch, only the largest hidden size solves (as a larger
    # model often does first) and size 1 never does: each smaller pass finds the next size down,
    # and size 1 alone fails a short pass in each family, then a long one in the default, then a
    # short one with g an MLP
    from mipsdsl.train import search

    seeds_used = []

    def largest_solves(task, data, archs, seeds, encoding, head, config, **_):
        seeds_used.append(sorted(set(seeds)))
        result = AttemptResult(archs, seeds, config.max_steps, 0.0, [0.5] * len(archs))
        m = max(range(len(archs)), key=lambda i: archs[i].hidden)
        if archs[m].hidden > 1:
            model = BatchedRNN(archs, seeds, encoding.dim, head.dim)
            result.accuracy[m] = 1.0
            result.solved_model, result.solved_state = m, model.weights_of(m)
        return result

    monkeypatch.setattr(search, "train_models", largest_solves)
    task = small_task(write_spec, "x[t-1]", hints="hint transition mlp")
    trained = train(task, SearchOptions(budget=120, seeds=1))
    assert (trained.arch.hidden, trained.arch.depth, trained.arch.g_depth) == (2, 2, 1)
    passes = [a.get("pass") for a in trained.attempts]
    assert passes == [None] + ["smaller"] * 6
    assert [a["solved"] for a in trained.attempts][-5:] == [True, False, False, False, False]
    last = [a["best_architecture"] for a in trained.attempts[-4:]]
    kinds = [(a["encoding"], a["head"], a["g_depth"]) for a in last]
    assert kinds == [
        ("onehot", "classify", 1),
        ("raw", "regress", 1),
        ("onehot", "classify", 1),
        ("onehot", "classify", 2),
    ]
    steps = [a["steps"] for a in trained.attempts[-4:]]
    assert steps[2] > steps[0] == steps[1] == steps[3]
    # seeds count per kind of pass: the default's long pass takes the seeds after its short
    # pass's, the others start where that one did
    first = [used[0] for used in seeds_used[-4:]]
    assert first[0] == first[1] == first[3] and first[2] == first[0] + 1


def test_the_last_smaller_pass_may_win_with_g_an_mlp(write_spec, monkeypatch):
    # stand-in training where size 2 solves with an affine g, and size 1 only with g an MLP
    from mipsdsl.train import search

    def mlp_readout_solves_smaller(task, data, archs, seeds, encoding, head, config, **_):
        result = AttemptResult(archs, seeds, config.max_steps, 0.0, [0.5] * len(archs))
        right = [i for i, a in enumerate(archs) if a.hidden == 2 or a.g_depth == 2]
        if right:
            m = right[0]
            model = BatchedRNN(archs, seeds, encoding.dim, head.dim)
            result.accuracy[m] = 1.0
            result.solved_model, result.solved_state = m, model.weights_of(m)
        return result

    monkeypatch.setattr(search, "train_models", mlp_readout_solves_smaller)
    task = small_task(write_spec, "x[t-1]", hints="hint transition mlp\nhint width 16")
    trained = train(task, SearchOptions(budget=120, seeds=1))
    assert (trained.arch.hidden, trained.arch.g_depth) == (1, 2)
    assert "g MLP d2/w16" in trained.arch.describe()
    x = np.array([[[0], [1], [1]]])
    assert trained.run(x).shape == (1, 3, 1)  # the saved weights rebuild the network


def test_an_mlp_stage_the_default_fails_is_tried_with_raw_regression(write_spec, monkeypatch):
    # stand-in training where only raw, regressed models of size 1 solve: the linear stage is
    # tried one-hot and classified only, the first MLP stage both ways, and the network keeps the
    # encoding it solved with
    from mipsdsl.train import search

    def raw_solves(task, data, archs, seeds, encoding, head, config, **_):
        result = AttemptResult(archs, seeds, config.max_steps, 0.0, [0.5] * len(archs))
        if encoding.kind == "raw" and archs[0].hidden == 1:
            model = BatchedRNN(archs, seeds, encoding.dim, head.dim)
            result.accuracy[0] = 1.0
            result.solved_model, result.solved_state = 0, model.weights_of(0)
        return result

    monkeypatch.setattr(search, "train_models", raw_solves)
    trained = train(small_task(write_spec, "x[t-1]"), SearchOptions(budget=120, seeds=1))
    runs = [(a["depth"], a["best_architecture"]["encoding"], a["solved"]) for a in trained.attempts]
    assert runs == [(1, "onehot", False), (2, "onehot", False), (2, "raw", True)]
    assert (trained.encoding.kind, trained.head.kind) == ("raw", "regress")
    assert (trained.arch.encoding, trained.arch.hidden) == ("raw", 1)
    assert trained.run(np.zeros((3, 8, 1), dtype=np.int64)).shape == (3, 8, 1)


def test_same_seed_gives_the_same_weights(write_spec):
    task = small_task(
        write_spec, "x xor x[t-1]", hints="hint transition mlp\nhint hidden 2\nhint width 16"
    )
    first = train(task, SearchOptions(budget=120), force=True)
    second = train(task, SearchOptions(budget=120), force=True)
    assert (first.arch, first.seed, first.steps) == (second.arch, second.seed, second.steps)
    for name, tensor in first.state.items():
        assert torch.equal(tensor, second.state[name])


def test_an_impossible_budget_fails_cleanly(write_spec):
    # the linear stage is ruled out without training, and the budget is spent before the next
    task = small_task(write_spec, "sum(x) % 5", inputs="input x in [0, 5)")
    with pytest.raises(TrainingFailed, match="no architecture reached 100%.*best held-out"):
        train(task, SearchOptions(budget=0.001))


def test_cuda_request_without_cuda_is_a_clean_error(write_spec):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here, so the request is valid")
    task = small_task(write_spec, "x")
    with pytest.raises(MipsError, match="CUDA is not available"):
        train(task, SearchOptions(device="cuda"))


def long_task(write_spec, monkeypatch, size: int):
    """A shift register over sequences of length 10000, with training replaced by a failure."""
    from mipsdsl.train import search

    def no_training(*_, **__):
        raise AssertionError("training started")

    monkeypatch.setattr(search, "train_models", no_training)
    path = write_spec(
        'task long "t"\ninput x in {0, 1}\nlength 10000\noutput y = x[t-1]\n'
        f"data size {size} seed 0\n"
    )
    return load_task(path, sample=0)[0]


def test_a_spec_too_long_for_its_budget_is_refused_before_training(write_spec, monkeypatch):
    from mipsdsl.train import search

    task = long_task(write_spec, monkeypatch, 1000)
    monkeypatch.setattr(search, "_free_memory", lambda: None)  # time alone decides here
    with pytest.raises(MipsError, match=r"length 10000.*about [0-9,]+ s.*budget of 30 s") as error:
        train(task, SearchOptions(budget=30))
    assert "\n" not in str(error.value)


def test_a_spec_too_long_for_memory_is_refused_before_its_data_is_made(write_spec, monkeypatch):
    from mipsdsl.train import search

    task = long_task(write_spec, monkeypatch, 100_000)
    monkeypatch.setattr(search, "_free_memory", lambda: 8 * 2**30)
    monkeypatch.setattr(search, "make_dataset", lambda *_, **__: pytest.fail("data made"))
    with pytest.raises(MipsError, match=r"length 10000.*about 51.5 GiB.*8.0 GiB available"):
        train(task, SearchOptions(budget=3000))


def test_progress_bars_stay_off_when_stderr_is_not_a_terminal(write_spec, capfd):
    task = small_task(write_spec, "x[t-1]")
    train(task, SearchOptions(budget=120), progress=True)  # bars asked for, stderr is a pipe
    assert "\r" not in capfd.readouterr().err
