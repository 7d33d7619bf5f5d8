"""The regression stage: enumerative search for smallest formulas."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from mipsdsl import expr as E
from mipsdsl.extract import enumerative
from mipsdsl.extract.enumerative import RegressionBudget, regress

LIMIT = 2**31


def grid(**ranges) -> dict[str, np.ndarray]:
    """Every combination of the given values, one row each."""
    mesh = np.meshgrid(*[np.asarray(values) for values in ranges.values()], indexing="ij")
    return {name: axis.ravel().astype(np.int64) for name, axis in zip(ranges, mesh, strict=True)}


def size(e: E.Expr) -> int:
    return sum(1 for _ in E.walk(e))


def value(e: E.Expr, columns) -> np.ndarray:
    """Values on every row; raises if `e` divides by zero on any row."""
    rows = len(next(iter(columns.values())))
    return E.evaluate(e, columns, (rows,), 0)


def reference_sizes(columns, constants, max_size) -> dict[tuple, int]:
    """Smallest size of every value vector reachable by the regression's grammar and rules."""
    leaves = [columns[name] for name in columns]
    leaves += [np.full(len(leaves[0]), c, dtype=np.int64) for c in (0, 1, 2, -1, *constants)]
    levels: dict[int, np.ndarray] = {}
    best: dict[tuple, int] = {}

    def admit(size: int, vectors: np.ndarray):
        vectors = vectors[(np.abs(vectors) < LIMIT).all(axis=1)]
        fresh = [v for v in map(tuple, np.unique(vectors, axis=0)) if v not in best]
        for v in fresh:
            best[v] = size
        levels[size] = np.array(fresh, dtype=np.int64).reshape(len(fresh), len(leaves[0]))

    admit(1, np.stack(leaves))
    for size in range(2, max_size + 1):
        below = levels[size - 1]
        made = [-below, (below == 0).astype(np.int64), np.abs(below)]
        for left in range(1, size - 1):
            a, b = levels[left][:, None, :], levels[size - 1 - left][None, :, :]
            safe_b = np.where(b == 0, 1, b)
            divisible = np.broadcast_to((b != 0).all(axis=-1), (a.shape[0], b.shape[1]))
            outcomes = [a + b, a - b, a * b, np.minimum(a, b), np.maximum(a, b)]
            outcomes += [(a // safe_b)[divisible], (a % safe_b)[divisible]]
            for compare in (
                np.equal,
                np.not_equal,
                np.less,
                np.less_equal,
                np.greater,
                np.greater_equal,
            ):
                outcomes.append(compare(a, b).astype(np.int64))
            for logic in (np.logical_and, np.logical_or, np.logical_xor):
                outcomes.append(logic(a != 0, b != 0).astype(np.int64))
            made += [o.reshape(-1, below.shape[1]) for o in outcomes]
        for t_size, a_size in itertools.product(range(1, size - 2), repeat=2):
            b_size = size - 1 - t_size - a_size
            if b_size < 1:
                continue
            tests = levels[t_size][((levels[t_size] == 0) | (levels[t_size] == 1)).all(axis=1)]
            picked = np.where(
                tests[:, None, None, :] != 0,
                levels[a_size][None, :, None, :],
                levels[b_size][None, None, :, :],
            )
            made.append(picked.reshape(-1, below.shape[1]))
        admit(size, np.concatenate(made))
    return best


def test_matches_the_reference_on_every_reachable_vector():
    """Same set of value vectors, and each found at its smallest size."""
    columns = grid(s=[0, 1, 2], x=[0, 1])
    best = reference_sizes(columns, (), 5)
    unreachable = np.array([7, -5, 3, 11, 0, 2])
    assert tuple(unreachable) not in best
    result = regress(columns, [unreachable], budget=RegressionBudget(max_size=5, seconds=60))
    assert result.expressions == (None,) and result.exhausted
    assert result.candidates == len(best)
    rng = np.random.default_rng(0)
    vectors = list(best)
    sample = [vectors[i] for i in rng.choice(len(vectors), 60, replace=False)]
    found = regress(columns, [np.array(v) for v in sample], budget=RegressionBudget(max_size=5))
    for v, e in zip(sample, found.expressions, strict=True):
        assert size(e) == best[v], (v, e)
        assert tuple(value(e, columns)) == v


def test_finds_modular_sum_at_its_smallest_size():
    columns = grid(s=range(3), x=range(3))
    target = (columns["s"] + columns["x"]) % 3
    result = regress(columns, [target], constants=[3])
    (e,) = result.expressions
    assert size(e) == 5
    assert np.array_equal(value(e, columns), target)
    # without the constant 3 it must be spelled out, and is therefore larger
    (longer,) = regress(columns, [target]).expressions
    assert size(longer) == 7 and np.array_equal(value(longer, columns), target)


def test_target_equal_to_a_column_is_that_variable():
    columns = grid(s=range(3), x=range(4))
    result = regress(columns, [columns["x"], columns["s"], np.zeros(12, np.int64)])
    assert result.expressions == (E.Var("x"), E.Var("s"), E.Const(0))


def test_full_adder():
    columns = grid(a=[0, 1], b=[0, 1], c=[0, 1])
    total = columns["a"] + columns["b"] + columns["c"]
    carry, parity = total // 2, total % 2
    result = regress(columns, [carry, parity])
    assert all(e is not None for e in result.expressions)
    assert np.array_equal(value(result.expressions[0], columns), carry)
    assert np.array_equal(value(result.expressions[1], columns), parity)
    assert size(result.expressions[0]) == 6  # e.g. (not a) < b + c
    assert size(result.expressions[1]) == 5  # e.g. a == (b == c)


@pytest.mark.parametrize(
    "formula, expected_size",
    [
        (lambda s, x: s + x, 3),
        (lambda s, x: x - s, 3),
        (lambda s, x: np.maximum(s, x), 3),
        (lambda s, x: np.minimum(s, x), 3),
        (lambda s, x: np.abs(x), 2),
        (lambda s, x: (x == 0).astype(np.int64), 2),  # not x
        (lambda s, x: (s != 0) ^ (x != 0), 3),
        (lambda s, x: np.where(x == 0, s, x), None),
        (lambda s, x: np.where(x > s, s, x + 1), None),
    ],
)
def test_small_state_machine_families(formula, expected_size):
    columns = grid(s=range(-2, 3), x=range(-2, 3))
    target = np.asarray(formula(columns["s"], columns["x"]), dtype=np.int64)
    (e,) = regress(columns, [target]).expressions
    assert e is not None
    assert np.array_equal(value(e, columns), target)
    if expected_size is not None:
        assert size(e) == expected_size


def test_conditionals_are_found():
    columns = grid(s=range(4), x=range(4), y=[0, 1])
    s, x, y = columns["s"], columns["x"], columns["y"]
    targets = [np.where(y == 1, s, x), np.where(x == 2, s + 1, y)]
    result = regress(columns, targets)
    assert result.expressions[0] == E.Cond(E.Var("y"), E.Var("s"), E.Var("x"))
    assert size(result.expressions[1]) == 8
    assert np.array_equal(value(result.expressions[1], columns), targets[1])


def test_one_search_serves_several_targets():
    columns = grid(s=range(3), x=range(3))
    s, x = columns["s"], columns["x"]
    targets = [(s + x) % 3, s * x, (x == 0).astype(np.int64), np.maximum(s, x)]
    result = regress(columns, targets, constants=[3])
    for e, target in zip(result.expressions, targets, strict=True):
        assert np.array_equal(value(e, columns), target)


def test_masked_rows_are_dont_care():
    columns = grid(s=range(3), x=range(3))
    target = columns["x"].copy()
    target[columns["s"] == 2] = 99
    mask = columns["s"] != 2
    budget = RegressionBudget(max_size=3)
    masked = regress(columns, [target, target], masks=[mask, np.ones(9, bool)], budget=budget)
    assert masked.expressions == (E.Var("x"), None)


def test_never_returns_a_division_by_zero():
    columns = {"x": np.array([7, 6, 9, 8, 5]), "y": np.array([0, 1, 2, 3, 4])}
    target = np.array([0, 6, 4, 2, 1])  # x // y where y != 0
    mask = columns["y"] != 0
    (e,) = regress(columns, [target], masks=[mask]).expressions
    assert e is not None
    assert np.array_equal(value(e, columns)[mask], target[mask])  # value() raises on x // 0
    assert e != E.Binary("//", E.Var("x"), E.Var("y"))


def test_overflowing_candidates_are_discarded():
    big = 2**20
    columns = {"x": np.array([big, big + 1, big + 2])}
    target = columns["x"] * columns["x"]  # needs a value of 2**40
    result = regress(columns, [target], budget=RegressionBudget(max_size=3))
    assert result.expressions == (None,) and result.exhausted


def test_unreachable_target_reports_honestly():
    columns = grid(s=range(3), x=range(3))
    target = np.array([5, -7, 13, 2, 2, 40, -1, 0, 8])
    exhaustive = regress(columns, [target], budget=RegressionBudget(max_size=4))
    assert exhaustive.expressions == (None,) and exhaustive.exhausted
    by_time = regress(columns, [target], budget=RegressionBudget(max_size=9, seconds=0.0))
    assert by_time.expressions == (None,) and not by_time.exhausted
    by_count = regress(columns, [target], budget=RegressionBudget(max_candidates=50))
    assert by_count.expressions == (None,) and not by_count.exhausted
    assert by_count.candidates == 50


def test_a_budget_is_an_amount_of_work_not_of_time(monkeypatch):
    # the same search stops at the same point whatever the machine's speed: here time stands
    # still in one run and moves on at every look at the clock in the other, and neither changes
    # where the work limit ends it
    columns = grid(s=range(3), x=range(3))
    target = np.array([5, -7, 13, 2, 2, 40, -1, 0, 8])
    budget = RegressionBudget(max_size=9, seconds=0.01)
    results = []
    for tick in (0.0, 1e-6):
        clock = itertools.count(0.0, tick)
        monkeypatch.setattr(
            "mipsdsl.extract.enumerative.time.perf_counter", lambda clock=clock: next(clock)
        )
        results.append(regress(columns, [target], budget=budget))
    assert results[0].work == results[1].work > budget.work
    assert results[0].candidates == results[1].candidates and not results[0].exhausted


def test_solved_targets_end_the_search_early():
    columns = grid(s=range(3), x=range(3))
    result = regress(columns, [columns["s"] + columns["x"]])
    assert result.exhausted and result.candidates < 1000


def test_deterministic():
    columns = grid(s=range(4), x=range(3), y=[0, 1])
    s, x, y = columns["s"], columns["x"], columns["y"]
    targets = [(s + x * y) % 4, np.where(y == 1, s, x), s - x + 1]
    first = regress(columns, targets, constants=[4])
    second = regress(columns, targets, constants=[4])
    assert first.expressions == second.expressions
    assert first.candidates == second.candidates
    assert all(e is not None for e in first.expressions)


def test_variables_win_ties_against_constants():
    columns = {"z": np.zeros(4, np.int64), "x": np.arange(4)}
    (e,) = regress(columns, [np.zeros(4, np.int64)]).expressions
    assert e == E.Var("z")


def test_constants_read_on_the_right():
    columns = grid(x=range(-3, 4))
    result = regress(columns, [columns["x"] + 2, (columns["x"] > 0).astype(np.int64)])
    assert result.expressions == (
        E.Binary("+", E.Var("x"), E.Const(2)),
        E.Binary(">", E.Var("x"), E.Const(0)),
    )


def test_chunking_does_not_change_the_answer(monkeypatch):
    """Tiny chunks split every operator's work into many blocks, in the same order."""
    columns = grid(s=range(3), x=range(3), y=[0, 1])
    s, x, y = columns["s"], columns["x"], columns["y"]
    targets = [np.where(y == 1, s + 1, x), s - x * y, np.arange(18) * 5 - 17]
    budget = RegressionBudget(max_size=6, seconds=60)
    whole = regress(columns, targets, budget=budget)
    monkeypatch.setattr(enumerative, "_CHUNK", 100)
    pieces = regress(columns, targets, budget=budget)
    assert pieces.expressions == whole.expressions
    assert pieces.candidates == whole.candidates and pieces.exhausted
    assert whole.expressions[2] is None
    assert any(isinstance(node, E.Cond) for node in E.walk(whole.expressions[0]))


def test_bad_shapes_are_rejected():
    with pytest.raises(ValueError):
        regress({"x": np.arange(3)}, [np.arange(4)])
    with pytest.raises(ValueError):
        regress({"x": np.arange(3)}, [np.arange(3)], masks=[None, None])


def test_seven_nodes_on_thirty_rows_is_quick():
    rng = np.random.default_rng(1)
    columns = grid(s=range(5), x=range(6))
    columns["y"] = rng.integers(0, 4, 30)
    target = rng.integers(0, 100, 30)
    result = regress(columns, [target], budget=RegressionBudget(max_size=7, seconds=30))
    assert result.exhausted
    assert result.seconds < 5  # goal ~2 s; generous for slow machines
