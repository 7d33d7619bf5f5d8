"""The integer-lattice path end to end on stand-in linear networks."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.check import load_task
from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.paths import integer_lattice
from mipsdsl.extract.trace import trace
from mipsdsl.verify import verify
from tests.conftest import SPECS


class LinearNetwork:
    """h' = h @ W + x @ U + b, read out as round(h @ g + c): a linear RNN, as training finds."""

    def __init__(self, W, U, b, g, c):
        self.W, self.U, self.b, self.g, self.c = map(np.asarray, (W, U, b, g, c))

    def initial_hidden(self):
        return np.zeros(self.W.shape[0], dtype=np.float32)

    def step(self, h, x):
        return (h @ self.W + x @ self.U + self.b).astype(np.float32)

    def readout(self, h):
        return np.rint(h @ self.g + self.c).astype(np.int64)


def test_the_lattice_path_reads_a_window_sum_out_of_a_linear_network():
    task, _ = load_task(SPECS / "sum_last2.mips")
    # state (x_t, x_{t-1}) mixed by a rotation and scaled, with a bias: y = x_t + x_{t-1}
    mix = np.array([[0.6, -0.8], [0.8, 0.6]]) * 0.03
    shift = np.array([[0.0, 1.0], [0.0, 0.0]])  # (a, b) -> (0, a): a one-step register
    W = np.linalg.inv(mix) @ shift @ mix
    U = np.array([[1.0, 0.0]]) @ mix
    b = np.array([0.004, -0.002])  # a bias smaller than half a lattice step
    bias_fixed = b @ np.linalg.inv(np.eye(2) - W)  # readout offset of the settled bias
    g = np.linalg.inv(mix) @ np.array([[1.0], [1.0]])
    network = LinearNetwork(W, U, b, g, -(bias_fixed @ g))
    fit = trace(network, task, 500, 0)
    extraction = integer_lattice.extract(_context(network, fit, Regression(10, 7, regress)))
    program = assemble(extraction.formulas)
    assert verify(task, program).passed
    assert extraction.formulas.size() <= 8


def test_the_lattice_path_refuses_a_network_with_no_lattice():
    task, _ = load_task(SPECS / "sum_last2.mips")
    rng = np.random.default_rng(0)
    network = LinearNetwork(
        rng.normal(size=(3, 3)) * 0.7,
        rng.normal(size=(1, 3)),
        np.zeros(3),
        np.ones((3, 1)),
        np.zeros(1),
    )
    fit = trace(network, task, 100, 0)
    with pytest.raises(ExtractionError):
        integer_lattice.extract(_context(network, fit, Regression(2, 5, regress)))


def _context(network, fit, regression) -> Context:
    """The lattice path reads only the network, the alphabet, names and the fit trace."""
    return Context(network, "regress", ((*range(100),),), ("x",), ("y",), fit, fit, regression)
