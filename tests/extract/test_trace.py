"""Tracing a network over the task's input domain."""

from __future__ import annotations

import numpy as np

from mipsdsl.check import load_task
from mipsdsl.extract.trace import CHECK_STREAM, domain_inputs, trace
from tests.extract.conftest import counter


def test_trace_records_the_networks_steps(add_mod_5):
    network = counter(5)
    t = trace(network, add_mod_5, 50, 0)
    assert t.before.shape == t.after.shape == t.x.shape[:2] + (3,)
    np.testing.assert_array_equal(t.before[:, 1:], t.after[:, :-1])
    expected = np.cumsum(t.x[..., 0], axis=1) % 5
    np.testing.assert_array_equal(t.outputs[..., 0][t.valid], expected[t.valid])
    # every short sequence is in the trace, so every state within that many steps is seen
    assert len(t.x) > 50


def test_domain_inputs_of_an_examples_task_never_read_its_outputs(tmp_path):
    x = np.random.default_rng(0).integers(0, 2, (40, 6, 1))
    y = np.full((40, 6, 1), 7)  # nonsense outputs: extraction must not care
    np.savez(tmp_path / "ex.npz", x=x, y=y)
    spec = tmp_path / "ex.mips"
    spec.write_text('task ex "by example"\ninput x in {0, 1}\nexamples "ex.npz"\noutput y\n')
    task, _ = load_task(spec)
    got, lengths = domain_inputs(task, 10, 0, CHECK_STREAM)
    assert got.shape == (10, 6, 1) and (lengths == 6).all()
    rows = {r.tobytes() for r in x}
    assert all(r.tobytes() in rows for r in got)
