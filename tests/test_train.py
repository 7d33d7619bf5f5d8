"""Training: small tasks reach 100% within a test budget, results are cached and reproducible,
and masking lets models of different sizes share one batch without affecting each other."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mipsdsl.check import load_task
from mipsdsl.data import Dataset, make_dataset, save_dataset
from mipsdsl.errors import MipsError
from mipsdsl.train.encoding import make_input_encoding, make_output_head
from mipsdsl.train.model import Architecture, BatchedRNN
from mipsdsl.train.options import SearchOptions, TrainConfig
from mipsdsl.train.search import TrainingFailed, train
from mipsdsl.train.trainer import AttemptResult, _confirm, _polish, _wrong, accuracy_on


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path / "cache"))


def small_task(write_spec, target: str, inputs: str = "input x in {0, 1}", hints: str = ""):
    path = write_spec(
        f'task small "test"\n{inputs}\nlength 8\noutput y = {target}\n'
        f"data size 20000 seed 0\n{hints}\n"
    )
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


def test_smaller_passes_repeat_while_they_find_a_smaller_network(write_spec, monkeypatch):
    # stand-in training where, in every batch, only the largest hidden size solves (as a larger
    # model often does first) and size 1 never does: each smaller pass finds the next size down,
    # and size 1 alone fails a short pass in each family, then a long one in the default, then a
    # short one with g an MLP
    from mipsdsl.train import search
    from mipsdsl.train.trainer import AttemptResult

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
    from mipsdsl.train.trainer import AttemptResult

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
    from mipsdsl.train.trainer import AttemptResult

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


def test_hints_on_encoding_or_head_keep_one_family(write_spec):
    from mipsdsl.train.options import families

    assert families(small_task(write_spec, "x[t-1]")) == (
        ("onehot", "classify"),
        ("raw", "regress"),
    )
    assert families(small_task(write_spec, "x[t-1]", hints="hint head classify")) == (
        ("onehot", "classify"),
    )
    assert families(small_task(write_spec, "x[t-1]", inputs="input x in [0, 100)")) == (
        ("raw", "regress"),
    )


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


@pytest.mark.parametrize("g_depth", [1, 2])
def test_masked_models_are_independent_of_their_batch_mates(g_depth):
    small = Architecture(1, 2, 4, g_depth=g_depth)
    alone = BatchedRNN([small], [5], 2, 2)
    together = BatchedRNN([Architecture(3, 2, 8, g_depth=g_depth), small], [9, 5], 2, 2)
    x = torch.randn(16, 6, 2)
    out_alone, _ = alone(x)
    out_together, hidden = together(x)
    assert torch.allclose(out_alone[0], out_together[1], atol=1e-6)
    assert torch.count_nonzero(hidden[1, ..., 1:]) == 0  # units beyond n=1 stay zero
    rebuilt = BatchedRNN([small], [0], 2, 2)
    rebuilt.load_state_dict(together.weights_of(1))
    assert torch.allclose(rebuilt(x)[0][0], out_alone[0], atol=1e-6)


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
    # model 1 has a higher loss than model 0, so it is not the one polished
    data, encoding, head, model = nearly_right_sum(write_spec)
    accuracy = lambda: accuracy_on(model, encoding, head, data.x, data.y, data.lengths)  # noqa
    assert accuracy()[0] < 0.5
    others = [p[1].detach().clone() for p in model.parameters()]
    x, y = encoding.encode(data.x[:512]), torch.from_numpy(data.y[:512])
    mask = torch.from_numpy(np.arange(8)[None, :] < data.lengths[:512, None])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("mipsdsl.train.trainer.POLISH_MODELS", 1)
        _polish(model, head, x, y, mask)
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
    x, y = encoding.encode(data.x[:64]), torch.from_numpy(data.y[:64])
    mask = torch.from_numpy(np.arange(8)[None, :] < data.lengths[:64, None])
    _polish(model, head, x, y, mask)
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before, strict=True))


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
    _confirm(task, model, encoding, head, torch.tensor([1.0, 0.0]), held_out, TrainConfig(), result)
    assert result.solved is not spoiled
    if not spoiled:
        assert result.confirmed_on == len(examples)


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
