"""Integer lattices in hidden states."""

from __future__ import annotations

import numpy as np
import pytest

from mipsdsl.extract.lattice import find_lattice


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


def test_a_zero_hint_is_no_basis_vector():
    # a network probed at a saturated state does not move with the input: its hint is zero
    origin = np.array([0.3, -1.0])
    points = origin + np.arange(0, 40)[:, None] * np.array([[0.02, 0.05]])
    lattice = find_lattice(points, origin, hints=np.zeros((2, 2)))
    assert lattice is not None and lattice.dimensions == 1
    assert sorted(abs(lattice.integer_coordinates(points)[:, 0])) == list(range(40))
