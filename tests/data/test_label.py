"""Labelling: targets computed as a hand-written loop would, division by zero reported."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import check, load_task
from mipsdsl.data import make_dataset
from mipsdsl.data.dataset import rng_for
from mipsdsl.data.generate import generate_inputs
from mipsdsl.diagnostics import SpecError
from mipsdsl.errors import DataError
from mipsdsl.syntax import parse
from tests.conftest import SPECS
from tests.data.conftest import spec, spec_errors


def test_symbol_codes_reach_the_targets(mixed):
    data = make_dataset(mixed, n=500, seed=4)
    p, q, r = (data.x[..., i] for i in range(3))
    expected = np.cumsum(p == 1, axis=1) + q * r
    expected[~data.mask] = 0
    np.testing.assert_array_equal(data.y[..., 0], expected)


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
