"""Data generation: seeded and reproducible, inside the alphabet, shaped by the generator, labelled
as a hand-written loop would, and saved/loaded without loss."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from mipsdsl.check import check, load_task
from mipsdsl.data import load_dataset, make_dataset, save_dataset
from mipsdsl.data.dataset import check_memory, rng_for
from mipsdsl.data.generate import generate_inputs
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.errors import DataError
from mipsdsl.syntax import parse
from tests.conftest import SPECS


def spec(name: str, body: str, size: int = 2000) -> str:
    return f'task {name} "{name}"\n{body.strip()}\ndata size {size}\n'


def same(a, b) -> bool:
    """Same dtype, shape and bytes."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_dataset(a, b) -> bool:
    return same(a.x, b.x) and same(a.y, b.y) and same(a.lengths, b.lengths)


def spec_errors(path) -> list[str]:
    with pytest.raises(SpecError) as info:
        load_task(path)
    return [d.message for d in info.value.diagnostics if d.severity is Severity.ERROR]


MIXED = spec(
    "mixed",
    """
input p in {'(', ')'}
input q in {2, 5, 7}
input r in [-3, 2]
length 3..6
output y = count(p == ')') + q * r
""",
)


@pytest.fixture
def mixed(write_spec):
    task, warnings = load_task(write_spec(MIXED, "mixed.mips"))
    assert warnings == []
    return task


# ---------------------------------------------------------------- seeds and independence


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


# ---------------------------------------------------------------- alphabets and lengths


def test_every_input_lies_in_its_alphabet_and_every_value_appears(mixed):
    data = make_dataset(mixed, n=2000, seed=0)
    mask = data.mask
    alphabets = {"p": {0, 1}, "q": {2, 5, 7}, "r": {-3, -2, -1, 0, 1, 2}}
    assert [c.name for c in mixed.inputs] == list(alphabets)
    assert mixed.inputs[0].symbols == ("(", ")")
    for i, (name, alphabet) in enumerate(alphabets.items()):
        seen = set(np.unique(data.x[..., i][mask]).tolist())
        assert seen == alphabet, name


def test_symbol_codes_reach_the_targets(mixed):
    data = make_dataset(mixed, n=500, seed=4)
    p, q, r = (data.x[..., i] for i in range(3))
    expected = np.cumsum(p == 1, axis=1) + q * r
    expected[~data.mask] = 0
    np.testing.assert_array_equal(data.y[..., 0], expected)


def test_variable_lengths_are_in_range_and_zero_past_the_end(mixed):
    data = make_dataset(mixed, n=2000, seed=6)
    assert set(np.unique(data.lengths).tolist()) == {3, 4, 5, 6}
    positions = np.arange(6)[None, :]
    np.testing.assert_array_equal(data.mask, positions < data.lengths[:, None])
    assert data.mask.dtype == bool and data.mask.shape == (2000, 6)
    assert (data.x[~data.mask] == 0).all() and (data.y[~data.mask] == 0).all()
    # q is never 0 inside a sequence, so it marks exactly the positions that belong to one
    np.testing.assert_array_equal(data.x[..., 1] != 0, data.mask)
    # and the output is not 0 everywhere inside (the zeros past the end are written, not found)
    assert (data.y[..., 0][data.mask] != 0).mean() > 0.5


def test_length_override_gives_fixed_longer_sequences(mixed):
    data = make_dataset(mixed, n=100, seed=0, length=15)
    assert data.x.shape == (100, 15, 3) and data.y.shape == (100, 15, 1)
    assert (data.lengths == 15).all() and data.mask.all()
    assert set(np.unique(data.x[..., 1]).tolist()) == {2, 5, 7}
    expected = np.cumsum(data.x[..., 0] == 1, axis=1) + data.x[..., 1] * data.x[..., 2]
    np.testing.assert_array_equal(data.y[..., 0], expected)


def test_fixed_length_spec_fills_every_position(write_spec):
    task, _ = load_task(write_spec(spec("f", "input x in [1, 4)\nlength 7\noutput y = x")))
    data = make_dataset(task, n=400, seed=0)
    assert (data.lengths == 7).all() and data.mask.all()
    assert set(np.unique(data.x).tolist()) == {1, 2, 3}


# ---------------------------------------------------------------- generators


def test_without_duplicates_gives_distinct_sequences(write_spec):
    task, _ = load_task(
        write_spec(
            spec(
                "u",
                "input x in {0, 1}\nlength 2..5\ngenerate uniform without duplicates\noutput y = x",
                60,
            )
        )
    )
    # 4 + 8 + 16 + 32 = 60 sequences exist; ask for all of them, then for fewer.
    for n in (60, 45):
        data = make_dataset(task, n=n, seed=2)
        keys = {
            (int(length), tuple(row[:length, 0].tolist()))
            for row, length in zip(data.x, data.lengths, strict=True)
        }
        assert len(keys) == n
    full = make_dataset(task, n=60, seed=2)
    assert Counter(full.lengths.tolist()) == {2: 4, 3: 8, 4: 16, 5: 32}


def test_asking_for_more_distinct_sequences_than_exist_is_a_data_error(write_spec):
    task, _ = load_task(
        write_spec(
            spec(
                "u",
                "input x in {0, 1}\nlength 3\ngenerate uniform without duplicates\noutput y = x",
                8,
            )
        )
    )
    assert len(make_dataset(task, n=8, seed=0)) == 8
    with pytest.raises(DataError) as info:
        make_dataset(task, n=9, seed=0)
    message = str(info.value)
    assert "8" in message and "9" in message and "distinct" in message


def test_spec_whose_data_size_exceeds_the_distinct_sequences_is_rejected(write_spec):
    path = write_spec(
        spec(
            "u",
            "input x in {0, 1}\nlength 3\ngenerate uniform without duplicates\noutput y = x",
            50,
        )
    )
    assert any("distinct" in m for m in spec_errors(path))


def test_non_uniform_generator_that_cannot_give_enough_distinct_sequences(write_spec):
    task, _ = load_task(
        write_spec(
            spec(
                "w",
                "input x in {0, 1}\nlength 2\n"
                "generate weighted {0: 1, 1: 1} without duplicates\noutput y = x",
                4,
            )
        )
    )
    assert len({tuple(r.ravel()) for r in make_dataset(task, n=4, seed=0).x}) == 4
    with pytest.raises(DataError, match="distinct"):
        make_dataset(task, n=5, seed=0)


def is_palindrome(rows) -> bool:
    rows = [tuple(r) for r in rows]
    return rows == rows[::-1]


def longest_palindromic_prefix(sequence) -> int:
    return max(k for k in range(1, len(sequence) + 1) if is_palindrome(sequence[:k]))


def test_palindrome_then_uniform_starts_each_sequence_with_a_palindrome():
    task, _ = load_task(SPECS / "bit_palindrome.mips")
    data = make_dataset(task, n=2000, seed=0)
    longest = [longest_palindromic_prefix(row.tolist()) for row in data.x]
    assert min(longest) >= 2
    # lengths 2..10 are drawn uniformly, so about a tenth of the sequences are palindromes
    # all the way (far more than the 2**-5 uniform bits would give)
    assert 0.07 < np.mean(np.array(longest) == 10) < 0.2
    # labels: palindrome(x) over the prefix
    for row, labels in zip(data.x[:200, :, 0], data.y[:200, :, 0], strict=True):
        assert labels.tolist() == [
            int(is_palindrome(row[: t + 1].reshape(-1, 1))) for t in range(10)
        ]


def test_uniform_bits_alone_do_not_always_start_with_a_palindrome(write_spec):
    """The control for the test above: without the palindrome part, the check would fail."""
    task, _ = load_task(
        write_spec(spec("c", "input x in {0, 1}\nlength 10\noutput y = palindrome(x)"))
    )
    data = make_dataset(task, n=2000, seed=0)
    longest = [longest_palindromic_prefix(row.tolist()) for row in data.x]
    assert min(longest) == 1


def test_palindrome_part_spans_every_channel_and_fits_short_sequences(write_spec):
    task, _ = load_task(
        write_spec(
            spec(
                "pc",
                "input a in [0, 5)\ninput b in {'x', 'y', 'z'}\nlength 3..6\n"
                "generate palindrome length 2..4 then uniform\n"
                "output y = palindrome(a) and palindrome(b)",
            )
        )
    )
    data = make_dataset(task, n=2000, seed=1)
    for row, length in zip(data.x, data.lengths, strict=True):
        assert longest_palindromic_prefix(row[:length].tolist()) >= 2
        assert (row[length:] == 0).all()
    assert set(np.unique(data.x[..., 1][data.mask]).tolist()) == {0, 1, 2}


def test_weighted_values_follow_their_weights(write_spec):
    task, warnings = load_task(
        write_spec(
            spec("w", "input x in {0, 1}\nlength 10\ngenerate weighted {0: 3, 1: 1}\noutput y = x")
        )
    )
    assert warnings == []
    values = make_dataset(task, n=4000, seed=0).x.ravel()
    share = np.mean(values == 0)
    assert abs(share - 0.75) < 0.02, share
    assert set(np.unique(values).tolist()) == {0, 1}


def test_weighted_symbols_and_unlisted_values(write_spec):
    task, warnings = load_task(
        write_spec(
            spec(
                "ws",
                "input p in {'a', 'b', 'c'}\nlength 8\n"
                "generate weighted {'c': 1, 'a': 4}\noutput y = p",
            )
        )
    )
    assert any("never produces 1" in w.message for w in warnings)
    values = make_dataset(task, n=3000, seed=0).x.ravel()
    counts = Counter(values.tolist())
    assert set(counts) == {0, 2}  # 'b' (code 1) has no weight
    assert abs(counts[0] / len(values) - 0.8) < 0.02


def test_uniform_is_roughly_uniform(write_spec):
    task, _ = load_task(write_spec(spec("u", "input x in [0, 4)\nlength 10\noutput y = x")))
    values = make_dataset(task, n=4000, seed=0).x.ravel()
    shares = np.bincount(values, minlength=4) / len(values)
    assert np.all(np.abs(shares - 0.25) < 0.02), shares


def test_parts_cover_their_stretches(write_spec):
    task, _ = load_task(
        write_spec(
            spec(
                "parts",
                "input x in [0, 4)\nlength 8\n"
                "generate weighted {3: 1} length 2..3 then weighted {0: 1, 1: 1, 2: 1}\n"
                "output y = x",
            ),
        )
    )
    data = make_dataset(task, n=2000, seed=0)
    x = data.x[..., 0]
    assert (x[:, :2] == 3).all()
    assert (x[:, 4:] != 3).all()
    threes = (x == 3).sum(axis=1)
    assert set(threes.tolist()) == {2, 3}
    assert (x[np.arange(len(x)), threes] != 3).all()  # the first part is a prefix


def test_check_memory_refuses_what_generation_could_not_hold_with_an_estimate():
    check_memory(1_000_000, 10, 2)  # about 0.7 GiB at the peak: fine
    with pytest.raises(DataError, match=r"^1,000,000 sequences of length 1000 need about 74.5 GiB"):
        check_memory(1_000_000, 1000, 2)
    with pytest.raises(DataError, match="this tool keeps in memory"):  # check_size's bound too
        check_memory(100_000_000, 10_000, 3)


# ---------------------------------------------------------------- save, load, examples


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


# ---------------------------------------------------------------- labels


def test_newton_spring_labels_match_a_hand_written_loop():
    task, _ = load_task(SPECS / "newton_spring.mips")
    data = make_dataset(task, n=300, seed=4)
    assert set(np.unique(data.x).tolist()) <= set(range(-10, 11))
    for forces, labels in zip(data.x[..., 0].tolist(), data.y[..., 0].tolist(), strict=True):
        v = p = 0
        expected = []
        for force in forces:
            a = force - p
            v = v + a
            p = p + v
            expected.append(p)
        assert labels == expected
    lo, hi = task.outputs[0].lo, task.outputs[0].hi
    assert lo <= data.y.min() and data.y.max() <= hi


STATEFUL = spec(
    "stateful",
    """
input x in [0, 4)
length 2..7
state s = 1, m = 0
let d = x * 2 - 3
update s = if s > 20 then s % 7 else s + d * d
update m = max(m, s)
let total = sum(x)
let prev = total[t-1]
output y = s - m + total
output z = m * 10 + prev
""",
)


def test_stateful_targets_label_like_a_python_loop(write_spec):
    task, _ = load_task(write_spec(STATEFUL, "stateful.mips"))
    data = make_dataset(task, n=500, seed=2)
    for xs, ys, length in zip(
        data.x[..., 0].tolist(), data.y.tolist(), data.lengths.tolist(), strict=True
    ):
        s, m, total = 1, 0, 0
        expected = []
        for t in range(length):
            d = xs[t] * 2 - 3
            s = s % 7 if s > 20 else s + d * d
            m = max(m, s)
            prev = total
            total += xs[t]
            expected.append([s - m + total, m * 10 + prev])
        expected += [[0, 0]] * (7 - length)
        assert ys == expected


def test_division_by_zero_on_generated_data_rejects_the_spec(write_spec):
    path = write_spec(spec("dz", "input x in [0, 3)\nlength 5\noutput y = 12 // x"))
    (message,) = spec_errors(path)
    assert "'y'" in message and "divides by zero" in message
    with pytest.raises(SpecError) as info:
        load_task(path)
    assert info.value.diagnostics[0].span.line == 4  # the output statement
    # the same data, generated directly, fails the same way, naming the output
    task, _ = check(parse(path.read_text(encoding="utf-8"), str(path)))
    with pytest.raises(DataError) as direct:
        make_dataset(task, n=2000, seed=0)
    assert direct.value.output == "y" and str(direct.value) == message
    # ... and the place it names is the first zero divisor of those inputs
    x, _ = generate_inputs(task, 2000, rng_for(0), task.length)
    sequence, position = np.argwhere(x[..., 0] == 0)[0]
    assert f"(sequence {sequence}, position {position})" in message


def test_division_by_zero_in_a_state_update_rejects_the_spec(write_spec):
    path = write_spec(
        spec("dzs", "input x in [0, 3)\nlength 5\nstate s = 0\nupdate s = s + 6 % x\noutput y = s")
    )
    assert any("divides by zero" in m for m in spec_errors(path))


def test_guarded_division_and_zeros_past_the_end_are_fine(write_spec):
    # x is never 0 inside a sequence, but the padding past each end is 0: that must not count.
    task, _ = load_task(
        write_spec(
            spec(
                "ok",
                "input x in [1, 4)\ninput w in [0, 3)\nlength 2..6\nstate s = 0\n"
                "let inv = 12 // x\nupdate s = s + inv\n"
                "output y = s + 12 % x + (if w != 0 then 6 // w else -1) + sum(6 // x, last 2)",
            )
        )
    )
    data = make_dataset(task, n=300, seed=0)
    assert (data.lengths < 6).any()
    for xs, ws, ys, length in zip(
        data.x[..., 0].tolist(),
        data.x[..., 1].tolist(),
        data.y[..., 0].tolist(),
        data.lengths.tolist(),
        strict=True,
    ):
        s = 0
        for t in range(length):
            s += 12 // xs[t]
            window = sum(6 // xs[k] for k in range(max(0, t - 1), t + 1))
            assert ys[t] == s + 12 % xs[t] + (6 // ws[t] if ws[t] else -1) + window
        assert ys[length:] == [0] * (6 - length)
