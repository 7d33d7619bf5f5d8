"""Datasets: seeded and reproducible, sized within memory, saved and loaded without loss,
and drawn from an examples file."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.data import load_dataset, make_dataset, save_dataset
from mipsdsl.data.dataset import check_memory
from mipsdsl.errors import DataError
from tests.conftest import SPECS
from tests.data.conftest import MIXED, same_dataset, spec


def test_same_task_and_seed_give_byte_identical_data(mixed):
    a = make_dataset(mixed, n=300, seed=11)
    b = make_dataset(mixed, n=300, seed=11)
    assert same_dataset(a, b)
    assert a.x.dtype == np.int64 and a.y.dtype == np.int64 and a.lengths.dtype == np.int64
    assert a.x.shape == (300, 6, 3) and a.y.shape == (300, 6, 1) and a.lengths.shape == (300,)


def test_a_reloaded_task_gives_the_same_data(write_spec, mixed):
    again, _ = load_task(write_spec(MIXED, "mixed_again.mips"))
    assert same_dataset(make_dataset(mixed, n=200, seed=5), make_dataset(again, n=200, seed=5))


def test_different_seeds_or_streams_give_different_data(mixed):
    a = make_dataset(mixed, n=300, seed=1)
    b = make_dataset(mixed, n=300, seed=2)
    c = make_dataset(mixed, n=300, seed=1, stream=1)
    assert not np.array_equal(a.x, b.x)
    assert not np.array_equal(a.lengths, b.lengths)
    assert not np.array_equal(a.x, c.x)


def test_default_seed_and_size_come_from_the_spec(write_spec):
    text = 'task d "d"\ninput x in [0, 5)\nlength 4\noutput y = x\ndata size 300 seed 9\n'
    task, _ = load_task(write_spec(text))
    data = make_dataset(task)
    assert len(data) == 300 and data.n_train == 270
    assert same_dataset(data, make_dataset(task, n=300, seed=9))
    assert not np.array_equal(data.x, make_dataset(task, n=300, seed=0).x)


def test_generating_another_task_in_between_changes_nothing(mixed):
    first = make_dataset(mixed, n=200, seed=3)
    other, _ = load_task(SPECS / "bit_palindrome.mips")
    make_dataset(other, n=500, seed=3)
    np.random.seed(12345)  # the global numpy state is not used either
    np.random.random(100)
    make_dataset(mixed, n=77, seed=3)
    assert same_dataset(first, make_dataset(mixed, n=200, seed=3))


def test_length_override_gives_fixed_longer_sequences(mixed):
    data = make_dataset(mixed, n=100, seed=0, length=15)
    assert data.x.shape == (100, 15, 3) and data.y.shape == (100, 15, 1)
    assert (data.lengths == 15).all() and data.mask.all()
    assert set(np.unique(data.x[..., 1]).tolist()) == {2, 5, 7}
    expected = np.cumsum(data.x[..., 0] == 1, axis=1) + data.x[..., 1] * data.x[..., 2]
    np.testing.assert_array_equal(data.y[..., 0], expected)


def test_check_memory_refuses_what_generation_could_not_hold_with_an_estimate():
    check_memory(1_000_000, 10, 2)  # about 0.7 GiB at the peak: fine
    with pytest.raises(DataError, match=r"^1,000,000 sequences of length 1000 need about 74.5 GiB"):
        check_memory(1_000_000, 1000, 2)
    with pytest.raises(DataError, match="this tool keeps in memory"):  # check_size's bound too
        check_memory(100_000_000, 10_000, 3)


def test_save_and_load_round_trip(tmp_path, mixed):
    data = make_dataset(mixed, n=250, seed=8)
    path = tmp_path / "data.npz"
    save_dataset(data, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.npz", "mixed.mips"]  # no temp left
    loaded = load_dataset(path, mixed)
    assert same_dataset(data, loaded)
    assert loaded.x.shape == (250, 6, 3) and loaded.y.shape == (250, 6, 1)
    assert loaded.n_train == data.n_train == 225
    with np.load(path) as archive:
        assert sorted(archive.files) == ["lengths", "x", "y"]
        assert all(archive[k].dtype == np.int64 for k in archive.files)


def test_load_dataset_checks_the_inputs_against_the_task(tmp_path, mixed, write_spec):
    data = make_dataset(mixed, n=20, seed=0)
    path = tmp_path / "data.npz"
    save_dataset(data, path)
    other, _ = load_task(
        write_spec(spec("o", "input x in [0, 3)\nlength 6\noutput y = x"), "o.mips")
    )
    with pytest.raises(DataError, match="channels"):
        load_dataset(path, other)
    narrow, _ = load_task(
        write_spec(
            spec(
                "n",
                "input p in {0, 1}\ninput q in {2, 5}\ninput r in [-3, 2]\nlength 6\noutput y = p",
            ),
            "n.mips",
        )
    )
    with pytest.raises(DataError, match="alphabet"):
        load_dataset(path, narrow)
    with pytest.raises(DataError, match="not found"):
        load_dataset(tmp_path / "missing.npz", mixed)


def test_examples_spec_reproduces_saved_data(tmp_path, mixed):
    data = make_dataset(mixed, n=120, seed=9)
    save_dataset(data, tmp_path / "saved.npz")
    path = tmp_path / "from_examples.mips"
    path.write_text(
        'task from_examples "e"\n'
        "input p in {'(', ')'}\ninput q in {2, 5, 7}\ninput r in [-3, 2]\n"
        'examples "saved.npz"\noutput total\n',
        encoding="utf-8",
    )
    task, _ = load_task(path)
    assert task.examples is not None and task.length == (3, 6)
    assert [o.name for o in task.outputs] == ["total"]
    (out,) = task.outputs
    valid_y = data.y[..., 0][data.mask]
    assert (out.lo, out.hi) == (valid_y.min(), valid_y.max())
    assert task.data.size == 120
    again = make_dataset(task)
    assert same_dataset(data, again)
    # a smaller draw is a subset of the file's rows, in file order
    part = make_dataset(task, n=30, seed=1)
    rows = {r.tobytes(): i for i, r in enumerate(data.x)}
    picked = [rows[r.tobytes()] for r in part.x]
    assert picked == sorted(picked) and len(set(picked)) == 30
    np.testing.assert_array_equal(part.y, data.y[picked])
    np.testing.assert_array_equal(part.lengths, data.lengths[picked])
    with pytest.raises(DataError):
        make_dataset(task, n=121)
    with pytest.raises(DataError):
        make_dataset(task, length=8)
