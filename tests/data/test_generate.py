"""Input generation: inside the alphabet, of the lengths asked, and shaped by the generator."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.data import make_dataset
from mipsdsl.errors import DataError
from tests.conftest import SPECS
from tests.data.conftest import spec, spec_errors


def test_every_input_lies_in_its_alphabet_and_every_value_appears(mixed):
    data = make_dataset(mixed, n=2000, seed=0)
    mask = data.mask
    alphabets = {"p": {0, 1}, "q": {2, 5, 7}, "r": {-3, -2, -1, 0, 1, 2}}
    assert [c.name for c in mixed.inputs] == list(alphabets)
    assert mixed.inputs[0].symbols == ("(", ")")
    for i, (name, alphabet) in enumerate(alphabets.items()):
        seen = set(np.unique(data.x[..., i][mask]).tolist())
        assert seen == alphabet, name


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


def test_fixed_length_spec_fills_every_position(write_spec):
    task, _ = load_task(write_spec(spec("f", "input x in [1, 4)\nlength 7\noutput y = x")))
    data = make_dataset(task, n=400, seed=0)
    assert (data.lengths == 7).all() and data.mask.all()
    assert set(np.unique(data.x).tolist()) == {1, 2, 3}


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
