"""Input encodings and output heads: how a task's integers meet the network, and back."""

from __future__ import annotations

import numpy as np
import torch

from mipsdsl.train.encoding import (
    InputEncoding,
    OutputHead,
    make_input_encoding,
    make_output_head,
)
from tests.train.conftest import small_task


def test_one_hot_inputs_have_one_unit_per_value_of_each_channel():
    encoding = InputEncoding("onehot", ((0, 1), (-2, 3, 7)))
    assert encoding.dim == 5
    x = np.array([[[1, 7], [0, -2]]])
    np.testing.assert_array_equal(encoding.encode(x).numpy(), [[[0, 1, 0, 0, 1], [1, 0, 1, 0, 0]]])


def test_raw_inputs_are_scaled_by_the_largest_magnitude_of_their_alphabet():
    encoding = InputEncoding("raw", ((0, 1), (-8, 4)))
    assert encoding.dim == 2
    out = encoding.encode(np.array([[[1, -8], [0, 2]]]))
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out.numpy(), [[[1.0, -1.0], [0.0, 0.25]]])


def test_classified_outputs_predict_the_class_offset_by_the_low_bound():
    head = OutputHead("classify", lows=(-1, 0), sizes=(3, 2), scales=(1.0, 1.0))
    assert head.dim == 5
    out = torch.tensor([[[[0.1, 0.2, 5.0, 3.0, 0.0]]]])  # (M, B, L, dim)
    assert head.predict(out).tolist() == [[[[1, 0]]]]
    y = torch.tensor([[[1, 0]]])
    mask = torch.ones(1, 1, dtype=torch.bool)
    wrong = torch.tensor([[[[5.0, 0.2, 0.1, 0.0, 3.0]]]])
    assert head.loss(out, y, mask) < head.loss(wrong, y, mask)


def test_regressed_outputs_are_scaled_back_and_rounded():
    head = OutputHead("regress", lows=(0,), sizes=(100,), scales=(50.0,))
    assert head.dim == 1
    out = torch.tensor([[[[0.5], [0.51]]]])
    assert head.predict(out).tolist() == [[[[25], [26]]]]
    y = torch.tensor([[[25], [26]]])
    mask = torch.tensor([[True, False]])  # the second position is past the end
    assert head.loss(out, y, mask).item() == 0.0
    assert head.loss(out, y, mask, paper=True).item() == 0.0


def test_heads_follow_the_checkers_bounds_and_scales_follow_the_training_data(write_spec):
    task = small_task(write_spec, "sum(x)", inputs="input x in [0, 50)")
    head = make_output_head(task, "regress", np.array([[[3], [-120], [7]]]))
    (out,) = task.outputs
    assert head.lows == (out.lo,) and head.sizes == (out.cardinality,)
    assert head.scales == (120.0,)
    assert make_output_head(task, "classify", np.zeros((1, 1, 1))).scales == (1.0,)
    encoding = make_input_encoding(task, "onehot")
    assert encoding.alphabets == (tuple(range(50)),) and encoding.dim == 50
