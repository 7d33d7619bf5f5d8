"""Reading examples files: x, y and lengths as int64, checked against the inputs before use."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.task import InputChannel

BITS = (InputChannel("x", (0, 1)),)
X = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.int32)
Y = np.array([[0, 1, 0], [1, 1, 1]], dtype=np.uint8)


def test_a_file_without_lengths_holds_full_length_sequences_as_int64(tmp_path):
    np.savez(tmp_path / "ex.npz", x=X, y=Y)
    x, y, lengths = read_examples(tmp_path / "ex.npz", BITS)
    assert x.dtype == y.dtype == lengths.dtype == np.int64
    assert x.shape == (2, 3, 1) and y.shape == (2, 3, 1)
    np.testing.assert_array_equal(x[..., 0], X)
    np.testing.assert_array_equal(lengths, [3, 3])


def test_positions_past_a_sequences_length_are_not_checked_against_the_alphabet(tmp_path):
    x = X.copy()
    x[1, 2] = 9  # past the end of the second sequence
    np.savez(tmp_path / "ex.npz", x=x, y=Y, lengths=np.array([3, 2]))
    _, _, lengths = read_examples(tmp_path / "ex.npz", BITS)
    np.testing.assert_array_equal(lengths, [3, 2])
    np.savez(tmp_path / "ex.npz", x=x, y=Y)
    with pytest.raises(ExamplesError, match=r"x\[1, 2\] = 9 lies outside the alphabet of 'x'"):
        read_examples(tmp_path / "ex.npz", BITS)


@pytest.mark.parametrize(
    "arrays, message",
    [
        ({"x": X}, "has no array 'y'"),
        ({"x": X, "y": Y[:, :2]}, "they must agree on (N, L)"),
        ({"x": X[:0], "y": Y[:0]}, "holds no sequences"),
        ({"x": X.astype(float), "y": Y}, "must hold integers, not float64"),
        ({"x": X[..., None].repeat(2, -1), "y": Y}, "x has 2 input channels but the spec"),
        ({"x": X, "y": Y, "lengths": np.array([3, 4])}, "one length in 1..L per sequence"),
        ({"x": X.ravel(), "y": Y}, "must have shape (N, L) or (N, L, channels)"),
    ],
)
def test_a_file_that_does_not_fit_the_inputs_is_refused_saying_why(tmp_path, arrays, message):
    np.savez(tmp_path / "ex.npz", **arrays)
    with pytest.raises(ExamplesError) as info:
        read_examples(tmp_path / "ex.npz", BITS)
    assert message in str(info.value)


def test_messages_name_the_file_as_the_user_wrote_it(tmp_path):
    with pytest.raises(ExamplesError, match="examples file 'data/ex.npz' not found"):
        read_examples(tmp_path / "ex.npz", BITS, shown="data/ex.npz")
    (tmp_path / "ex.npz").write_text("not a zip", encoding="utf-8")
    with pytest.raises(ExamplesError, match="'ex.npz' is not an .npz file"):
        read_examples(tmp_path / "ex.npz", BITS)
