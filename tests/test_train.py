"""Training: small tasks reach 100% within a test budget, results are cached and reproducible,
and masking lets models of different sizes share one batch without affecting each other."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset
from mipsdsl.errors import MipsError
from mipsdsl.train.options import SearchOptions
from mipsdsl.train.search import TrainingFailed, train
from mipsdsl.train.model import Architecture, BatchedRNN


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))


def small_task(write_spec, target: str, inputs: str = "input x in {0, 1}", hints: str = ""):
    path = write_spec(f'task small "test"\n{inputs}\nlength 8\noutput y = {target}\n'
                      f"data size 20000 seed 0\n{hints}\n")  # fmt: skip
    task, _ = load_task(path, sample=0)
    return task


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


def test_cache_hit_skips_training_and_returns_the_same_weights(write_spec):
    task = small_task(
        write_spec, "x xor x[t-1]", hints="hint transition mlp\nhint hidden 2\nhint width 16"
    )
    first = train(task, SearchOptions(budget=120))
    second = train(task, SearchOptions(budget=120))
    assert not first.cached and second.cached
    assert first.cache_key == second.cache_key
    for name, tensor in first.state.items():
        assert torch.equal(tensor, second.state[name])
    again = train(task, SearchOptions(budget=120), force=True)
    assert not again.cached


def test_same_seed_gives_the_same_weights(write_spec):
    task = small_task(
        write_spec, "x xor x[t-1]", hints="hint transition mlp\nhint hidden 2\nhint width 16"
    )
    first = train(task, SearchOptions(budget=120), force=True)
    second = train(task, SearchOptions(budget=120), force=True)
    assert (first.arch, first.seed, first.steps) == (second.arch, second.seed, second.steps)
    for name, tensor in first.state.items():
        assert torch.equal(tensor, second.state[name])


def test_masked_models_are_independent_of_their_batch_mates():
    small = Architecture(1, 2, 4)
    alone = BatchedRNN([small], [5], 2, 2)
    together = BatchedRNN([Architecture(3, 2, 8), small], [9, 5], 2, 2)
    x = torch.randn(16, 6, 2)
    out_alone, _ = alone(x)
    out_together, hidden = together(x)
    assert torch.allclose(out_alone[0], out_together[1], atol=1e-6)
    assert torch.count_nonzero(hidden[1, ..., 1:]) == 0  # units beyond n=1 stay zero
    rebuilt = BatchedRNN([small], [0], 2, 2)
    rebuilt.load_state_dict(together.weights_of(1))
    assert torch.allclose(rebuilt(x)[0][0], out_alone[0], atol=1e-6)


def test_an_impossible_budget_fails_cleanly(write_spec):
    task = small_task(write_spec, "sum(x) % 5", inputs="input x in [0, 5)")
    with pytest.raises(TrainingFailed, match="no architecture reached 100%.*best held-out"):
        train(task, SearchOptions(budget=0.5))


def test_cuda_request_without_cuda_is_a_clean_error(write_spec):
    if torch.cuda.is_available():
        pytest.skip("CUDA is available here, so the request is valid")
    task = small_task(write_spec, "x")
    with pytest.raises(MipsError, match="CUDA is not available"):
        train(task, SearchOptions(device="cuda"))


def test_corrupt_cache_entries_are_retrained(write_spec, tmp_path):
    task = small_task(write_spec, "x[t-1]")
    first = train(task, SearchOptions(budget=120))
    entry = tmp_path / "cache" / "train" / f"{first.cache_key}.pt"
    entry.write_bytes(b"not a checkpoint")
    again = train(task, SearchOptions(budget=120))
    assert not again.cached
