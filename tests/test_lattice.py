"""Integer lattices in hidden states, integer linear regression, and the lattice path end to end
on stand-in networks."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl.check import load_task
from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.context import Context, Regression
from mipsdsl.extract.enumerative import regress
from mipsdsl.extract.lattice import find_lattice
from mipsdsl.extract.linear import integer_linear
from mipsdsl.extract.paths import integer_lattice
from mipsdsl.extract.tables import regress_table
from mipsdsl.extract.trace import trace
from mipsdsl.verify import verify
from tests.conftest import SPECS


def synthetic(k: int, noise: float, seed: int = 0, extra: int = 2, span: int = 2):
    """Lattice points z @ A + b in k + extra dimensions: rotated, scaled, offset, noisy."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(k, k + extra)) * rng.uniform(0.5, 5)
    origin = rng.normal(size=k + extra) * 10
    z = np.unique(rng.integers(-span, span + 1, size=(1500, k)), axis=0)
    points = origin + z @ basis + rng.normal(0, noise, size=(len(z), k + extra))
    return z, points, origin, basis


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5, 6])
@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_lattice_recovery_up_to_a_unimodular_change_of_basis(k, noise):
    # in 5 and 6 dimensions, 1500 points of a 5**k box are too sparse for short differences to
    # show a basis; hidden states of a trained network are dense in a small box, as with span 1
    z, points, origin, _ = synthetic(k, noise, seed=k, span=2 if k < 5 else 1)
    lattice = find_lattice(np.vstack([points, origin]), origin)
    assert lattice is not None and lattice.dimensions == k
    found = lattice.integer_coordinates(points)
    assert found is not None
    # the coordinates are the true ones through an integer matrix with determinant +-1
    change = np.linalg.lstsq(z.astype(float), found.astype(float), rcond=None)[0]
    assert np.allclose(change, np.rint(change), atol=1e-6)
    assert abs(round(np.linalg.det(change))) == 1
    assert (lattice.integer_coordinates(origin[None]) == 0).all()


def test_points_off_any_lattice_are_refused():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(300, 3))
    assert find_lattice(points, points[0]) is None


def test_a_counter_on_a_line_is_one_dimensional():
    origin = np.array([0.3, -1.0])
    points = origin + np.arange(0, 40)[:, None] * np.array([[0.02, 0.05]])
    lattice = find_lattice(points, origin)
    assert lattice.dimensions == 1
    z = lattice.integer_coordinates(points)[:, 0]
    assert list(z) == list(range(40)) or list(z) == list(range(0, -40, -1))


def test_integer_linear_regression_finds_the_sparsest_exact_formula():
    rng = np.random.default_rng(0)
    s, x, p = (rng.integers(-20, 20, 200) for _ in range(3))
    columns = {"s": s, "x": x, "p": p}
    found = integer_linear(columns, 3 * s - x + 7)
    assert found is not None and E.free_vars(found) == {"s", "x"}
    np.testing.assert_array_equal(E.evaluate(found, columns, (200,), 0), 3 * s - x + 7)
    # collinear on the table: a register that equals the input is not split between them
    assert integer_linear({"r": x, "x": x}, x) == E.Var("r")
    assert integer_linear(columns, s * x) is None  # not linear


def test_regress_table_falls_back_to_enumeration_on_a_growing_sample():
    rng = np.random.default_rng(1)
    m, x = rng.integers(0, 50, 2000), rng.integers(0, 50, 2000)
    found, linear = regress_table(
        {"m": m, "x": x}, [np.maximum(m, x), m + x], seconds=10, max_size=5
    )
    assert linear == [False, True]
    assert found[1] == E.Binary("+", E.Var("m"), E.Var("x"))
    values = E.evaluate(found[0], {"m": m, "x": x}, (2000,), 0)
    np.testing.assert_array_equal(values, np.maximum(m, x))


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
