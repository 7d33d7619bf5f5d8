"""Integer lattices in hidden states: h = origin + z @ basis, with z an integer vector.

Counters, running sums and registers of past inputs show up in a network's hidden states as the
points of a lattice (possibly rotated, sheared, scaled, offset, in a subspace, and noisy). The
paper found it with an integer autoencoder that worked below 4 dimensions. Here:

1. the origin is the initial hidden state, so the initial state is z = 0 exactly;
2. the points' differences from it lie near a k-dimensional subspace (SVD), k as small as
   explains every point;
3. short differences between points are lattice vectors: the successive shortest independent
   ones are a basis candidate, refined (Hermite normal form over the rationals) while some point
   has fractional coordinates in it;
4. every point must then have integer coordinates within `tolerance`, or there is no lattice.

Several generating sets are tried and the lattice needing the fewest bits to describe the points
(the coordinates' ranges) wins, which prefers the coarsest lattice that explains them all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_DIMENSIONS = 8
TOLERANCE = 0.3  # largest distance of a coordinate from an integer, in lattice units
SUBSPACE_NOISE = 1e-6  # singular values below this share of the largest are float noise
MAX_POINTS = 100  # distinct points whose differences are candidate lattice vectors
CANDIDATES_PER_DIMENSION = 16  # short lattice vectors gathered per dimension of the subspace
# Differences shorter than this share of the longest are ignored: noise between copies of one
# point must not become a lattice vector. Each floor gives a candidate lattice.
FLOORS = (1e-6, 1e-3, 1e-2)
MAX_REFINEMENTS = 20  # times a basis of a sublattice is refined by a point it misses
MAX_DENOMINATOR = 12  # a sublattice's index per refinement
INDEPENDENT = 0.05  # a vector this share of its length off a span is a new direction


@dataclass(frozen=True, eq=False)
class Lattice:
    origin: np.ndarray  # (n,) the hidden state where z = 0
    basis: np.ndarray  # (k, n)

    @property
    def dimensions(self) -> int:
        return self.basis.shape[0]

    def coordinates(self, h: np.ndarray) -> np.ndarray:
        """Real coordinates (m, k) of hidden states h (m, n), by least squares."""
        solution, *_ = np.linalg.lstsq(self.basis.T, (h - self.origin).T, rcond=None)
        return solution.T

    def integer_coordinates(self, h: np.ndarray, tolerance: float = TOLERANCE) -> np.ndarray | None:
        """Integer coordinates of h, or None if some point is off the lattice by more than
        `tolerance` (in lattice units)."""
        real = self.coordinates(h)
        z = np.rint(real)
        off_lattice = np.abs(real - z).max(initial=0.0) > tolerance
        # and off the lattice's subspace: what the coordinates cannot explain
        off_plane = np.linalg.norm(self.origin + real @ self.basis - h, axis=1)
        if off_lattice or off_plane.max(initial=0.0) > tolerance * _shortest(self.basis):
            return None
        return z.astype(np.int64)

    def bits(self, h: np.ndarray) -> float:
        """Description length of the points in this lattice: bits for their coordinates."""
        z = self.integer_coordinates(h)
        if z is None:
            return np.inf
        spans = z.max(axis=0) - z.min(axis=0) + 1 if len(z) else np.ones(self.dimensions)
        return float(np.log2(spans).sum())


def find_lattice(
    points: np.ndarray,
    origin: np.ndarray,
    tolerance: float = TOLERANCE,
    hints: np.ndarray | None = None,
) -> Lattice | None:
    """The lattice through `origin` that puts every point at integer coordinates, or None.

    `hints` (m, n) are vectors believed to be in the lattice (e.g. how the network's state moves
    when one input changes by one): they join the short differences as candidate basis vectors,
    which matters when the points are too sparse for their differences to show a basis."""
    points = np.asarray(points, dtype=np.float64)
    origin = np.asarray(origin, dtype=np.float64)
    differences = _distinct(points - origin, tolerance)
    if len(differences) == 0:
        return Lattice(origin, np.zeros((0, len(origin))))
    _, singular, directions = np.linalg.svd(differences, full_matrices=False)
    rank = int((singular > SUBSPACE_NOISE * singular[0]).sum())
    best, best_bits = None, np.inf
    for k in range(1, min(rank, MAX_DIMENSIONS) + 1):  # the fewest dimensions that explain all
        frame = directions[:k]  # (k, n): an orthonormal frame of the subspace
        local = differences @ frame.T  # (m, k)
        longest = float(np.linalg.norm(local, axis=1).max())
        hinted = np.zeros((0, k)) if hints is None else np.asarray(hints) @ frame.T
        for floor in (None, *FLOORS):  # the hints alone first, then with short differences
            generators = hinted
            if floor is not None:
                short = _short_vectors(local, CANDIDATES_PER_DIMENSION * k, floor * longest)
                generators = np.concatenate([short, hinted])
            basis = _basis(generators, local, k, tolerance)
            if basis is None:
                continue
            lattice = Lattice(origin, _oriented(basis, local) @ frame)
            bits = lattice.bits(points)
            if bits < best_bits:
                best, best_bits = lattice, bits
        if best is not None:
            return best
    return None


def _distinct(vectors: np.ndarray, tolerance: float) -> np.ndarray:
    """Vectors with near-duplicates dropped (rounded to a fine grid), in a fixed order."""
    scale = np.abs(vectors).max(initial=0.0)
    if scale == 0:
        return vectors[:0]
    keys = np.round(vectors / (scale * 1e-6)).astype(np.int64)
    _, first = np.unique(keys, axis=0, return_index=True)
    vectors = vectors[np.sort(first)]
    return vectors[np.linalg.norm(vectors, axis=1) > scale * 1e-9]


def _short_vectors(local: np.ndarray, count: int, floor: float) -> np.ndarray:
    """The `count` shortest differences between points (and the points themselves) longer than
    `floor`, skipping whole multiples of those already taken (give or take a quarter of their
    length): lattice vectors in as many directions as possible, likely including a basis."""
    sample = local[:MAX_POINTS]
    pairs = (sample[:, None, :] - sample[None, :, :]).reshape(-1, local.shape[1])
    candidates = np.concatenate([sample, pairs])
    lengths = np.linalg.norm(candidates, axis=1)
    keep = lengths > floor
    candidates, lengths = candidates[keep], lengths[keep]
    chosen = np.zeros((0, local.shape[1]))
    for index in np.argsort(lengths, kind="stable"):
        v = candidates[index]
        # skip v when it is (nearly) a whole multiple of a vector already taken
        multiple = np.rint(chosen @ v / np.einsum("ij,ij->i", chosen, chosen))
        off = np.linalg.norm(v - multiple[:, None] * chosen, axis=1)
        if (off > 0.25 * np.linalg.norm(chosen, axis=1)).all():
            chosen = np.vstack([chosen, v])
            if len(chosen) == count:
                break
    return chosen


def _basis(candidates: np.ndarray, local: np.ndarray, k: int, tolerance: float):
    """A basis (k, k) of the lattice the points lie on, or None.

    Start from successive minima: the shortest candidates, each taken when it leaves the span of
    those before. If some point then has fractional coordinates, the basis spans a sublattice
    only: the coordinates, read as fractions with small denominators, join the generators, and
    the Hermite normal form of the generators (scaled to integers) is the finer lattice's basis.
    """
    chosen: list[np.ndarray] = []
    # a hint can be (nearly) zero, as where a saturated state does not move with the input
    scale = float(np.linalg.norm(local, axis=1).max(initial=0.0))
    for v in sorted(candidates, key=lambda v: float(np.linalg.norm(v))):
        if len(chosen) == k:
            break
        if np.linalg.norm(v) <= 1e-9 * scale:
            continue
        if not chosen or _off_span(v, np.asarray(chosen)) > INDEPENDENT * np.linalg.norm(v):
            chosen.append(v)
    if len(chosen) < k:
        return None
    basis = np.asarray(chosen)
    for _ in range(MAX_REFINEMENTS):
        real = np.linalg.solve(basis.T, local.T).T
        fractional = np.abs(real - np.rint(real)).max(axis=1)
        worst = int(np.argmax(fractional))
        if fractional[worst] <= tolerance:
            return basis
        finer = _finer(real[worst] - np.floor(real[worst]))
        if finer is None:
            return None
        basis = finer @ basis
    return None


def _finer(offset: np.ndarray) -> np.ndarray | None:
    """Basis, in the current basis' coordinates, of the lattice Z^k + Z*offset, with offset read
    as fractions of the smallest common denominator (up to MAX_DENOMINATOR) that fits, or None."""
    for denominator in range(2, MAX_DENOMINATOR + 1):
        numerators = np.rint(offset * denominator)
        if np.abs(offset * denominator - numerators).max() < 0.2:
            break
    else:
        return None
    k = len(offset)
    rows = [[denominator * (i == j) for j in range(k)] for i in range(k)]
    rows.append([int(v) for v in numerators])
    # sympy takes about 0.4 s to import (benchmarks/startup.py); few networks need a finer lattice
    from sympy import Matrix
    from sympy.matrices.normalforms import hermite_normal_form

    # the columns of the HNF of the (k, k+1) generator matrix span the same integer lattice
    hnf = hermite_normal_form(Matrix(rows).T)
    return np.asarray(hnf.T.tolist(), dtype=np.float64) / denominator


def _off_span(v: np.ndarray, rows: np.ndarray) -> float:
    """Distance from v to the span of the rows."""
    coefficients = np.linalg.lstsq(rows.T, v, rcond=None)[0]
    return float(np.linalg.norm(v - coefficients @ rows))


def _oriented(basis: np.ndarray, local: np.ndarray) -> np.ndarray:
    """Each basis vector signed so that most points have non-negative coordinates on it."""
    z = np.linalg.lstsq(basis.T, local.T, rcond=None)[0]
    signs = np.where(z.sum(axis=1) < 0, -1.0, 1.0)
    return basis * signs[:, None]


def _shortest(basis: np.ndarray) -> float:
    return float(np.linalg.norm(basis, axis=1).min()) if len(basis) else 1.0
