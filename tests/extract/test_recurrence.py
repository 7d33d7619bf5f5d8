"""The linear-recurrence path: a linear network's outputs as an integer recurrence."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract import ExtractionError
from mipsdsl.extract.assemble import assemble
from mipsdsl.extract.recurrence import linear_recurrence
from mipsdsl.extract.trace import run_network
from tests.extract_standins import StandIn, circle


class LinearNetwork:
    """h' = A h + B x + c, y = round(C h + d): a trained linear RNN, weights given."""

    def __init__(self, A, B, c, C, d):
        self.A, self.B, self.c, self.C, self.d = (
            np.asarray(v, dtype=np.float64) for v in (A, B, c, C, d)
        )

    def initial_hidden(self):
        return np.zeros(len(self.A))

    def step(self, h, x):
        return h @ self.A.T + x @ self.B.T + self.c

    def readout(self, h):
        return np.rint(h @ self.C.T + self.d).astype(np.int64)


def newton(drift: float, gravity: int = 0) -> LinearNetwork:
    """Velocity and position of a unit mass, v' = v + F - gravity, p' = p + v', hidden in a
    rotated, scaled 3-d space with a third, decaying direction; `drift` spoils the velocity's
    integration, as a network trained on short sequences may, so states leave the lattice."""
    rng = np.random.default_rng(0)
    T = rng.normal(size=(3, 3)) * 0.05  # hidden = T @ (v, p, noise)
    J = np.array([[1.0 - drift, 0.0, 0.0], [1.0 - drift, 1.0, 0.0], [0.0, 0.0, 0.3]])
    Tinv = np.linalg.inv(T)
    return LinearNetwork(
        A=T @ J @ Tinv,
        B=T @ np.array([[1.0], [1.0], [0.5]]),
        c=T @ np.array([-gravity, -gravity, 0.2]),
        C=np.array([[0.0, 1.0, 0.0]]) @ Tinv,
        d=[0.0],
    )


def newton_outputs(F: np.ndarray, gravity: int = 0) -> np.ndarray:
    v = np.cumsum(F[..., 0] - gravity, axis=1)
    return np.cumsum(v, axis=1)[..., None]


@pytest.mark.parametrize("gravity", [0, 1])
def test_a_drifting_newton_integrator_gives_the_exact_recurrence(gravity):
    network = newton(drift=1e-4, gravity=gravity)
    F = np.random.default_rng(1).integers(-10, 11, size=(2000, 10, 1))
    fit = run_network(network, F, np.full(2000, 10))
    assert np.array_equal(fit.outputs, newton_outputs(F, gravity))  # the network is right...
    formulas, details = linear_recurrence(network, ("F",), ("y",), fit)
    assert details["order"] == 2
    # ...and the program it gives stays right far beyond the traced length
    longer = np.random.default_rng(2).integers(-10, 11, size=(200, 300, 1))
    np.testing.assert_array_equal(assemble(formulas).run(longer), newton_outputs(longer, gravity))


def test_a_delay_line_is_a_register_of_inputs():
    # a 3-d shift register read at its end: y = the x of two steps back
    shift = np.eye(3, k=-1)
    network = LinearNetwork(shift, [[1.0], [0], [0]], [0, 0, 0], [[0, 0, 1.0]], [0])
    x = np.random.default_rng(0).integers(0, 50, size=(500, 10, 1))
    formulas, details = linear_recurrence(
        network, ("x",), ("y",), run_network(network, x, np.full(500, 10))
    )
    assert details["order"] == 2
    longer = np.random.default_rng(1).integers(0, 50, size=(50, 40, 1))
    expected = np.zeros_like(longer)
    expected[:, 2:] = longer[:, :-2]
    np.testing.assert_array_equal(assemble(formulas).run(longer), expected)


def test_a_nonlinear_network_is_refused():
    embed, decode = circle(5)
    network = StandIn(
        update=lambda s, x: (s + x[:, 0]) % 5,
        output=lambda s, x: ((s + x[:, 0]) % 5)[:, None],
        embed=embed,
        decode=decode,
    )
    x = np.random.default_rng(0).integers(0, 5, size=(300, 10, 1))
    with pytest.raises(ExtractionError, match="not affine"):
        linear_recurrence(network, ("x",), ("y",), run_network(network, x, np.full(300, 10)))


def test_outputs_no_recurrence_explains_are_reported():
    # a linear network read out through a fold: |h| is not a linear recurrence
    network = LinearNetwork([[1.0]], [[1.0]], [0.0], [[1.0]], [0.0])
    network.readout = lambda h: np.abs(np.rint(h)).astype(np.int64)
    x = np.random.default_rng(0).integers(-3, 4, size=(300, 10, 1))
    with pytest.raises(ExtractionError, match="no integer linear recurrence"):
        linear_recurrence(network, ("x",), ("y",), run_network(network, x, np.full(300, 10)))
