"""Candidate invariants, learned from both programs run side by side: what the induction tries.

Each candidate is a truth-valued IR expression over the two programs' states, named
`spec.<state>` and `program.<state>`. They are guesses from traces (induction keeps only those it
proves), found the way extraction finds formulas: each state of one program as a formula over the
other's states (`program.s == spec.sum % 3`, or `spec.r == program.s` when the program keeps
more than the spec), and each state's observed range.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from mipsdsl import expr as E
from mipsdsl.program import Program, unroll
from mipsdsl.prove.symbolic import Domain

TRACE_SEQUENCES = 256
REGRESS_SECONDS = 2.0  # nominal seconds of formula search per direction
MAX_FORMULA_SIZE = 9
START_POSITIONS = 4  # "before position k every state holds its initial value", for k < this


# The kinds of candidate relation, each of which `candidates` can leave out (for the ablation in
# benchmarks/prove_ablation.py, which measures which tasks need each).
KINDS = ("facts", "ranges", "program from spec", "spec from program", "start")


def candidates(
    reference: Program,
    program: Program,
    domain: Domain,
    length: int,
    facts: Sequence[E.Expr] = (),
    terms: Sequence[tuple[str, E.Expr]] = (),
    counter: str | None = None,
    seed: int = 0,
    kinds: Collection[str] = KINDS,
) -> list[E.Expr]:
    """Relations that hold on every state pair reached by random inputs of `length`, after the
    reference's `facts` (relations over its own state names). The spec's named `terms` are
    offered to the formula search beside its states; its position `counter` tells the state
    before the first position from the others. `kinds`: which of `KINDS` to offer."""
    spec = _states(reference, domain, length, seed, "spec")
    mine = _states(program, domain, length, seed, "program")
    found: list[E.Expr] = [_tagged(fact, "spec") for fact in facts] if "facts" in kinds else []
    for side in (spec, mine) if "ranges" in kinds else ():
        for name, values in side.items():
            found.append(E.Binary(">=", E.Var(name), E.Const(int(values.min()))))
            found.append(E.Binary("<=", E.Var(name), E.Const(int(values.max()))))
    words = {**spec, **_values(terms, spec)}
    if "program from spec" in kinds:
        found += _formulas(mine, words)
    if "spec from program" in kinds:
        found += _formulas(spec, mine)
    if counter is not None and "start" in kinds:
        found += _around_the_start(reference, program, spec, mine, words, counter)
    return [c for c in dict.fromkeys(found) if _mirror(c) not in found[: found.index(c)]]


def _around_the_start(reference, program, spec, mine, words, counter: str) -> list[E.Expr]:
    """Where the spec counts positions: before the first one every state holds its initial
    value (and, for a state that starts moving later, before the k-th), and from the first on,
    relations learned on those rows alone (a register the program starts
    at -1 and the spec at its pad is equal from then on)."""
    started = E.Binary(">=", E.Var(f"spec.{counter}"), E.Const(0))
    found: list[E.Expr] = []
    for k in range(START_POSITIONS):  # registers k steps back still hold their start at t < k
        reached = E.Binary(">=", E.Var(f"spec.{counter}"), E.Const(k))
        for tag, states in (("spec", reference.states), ("program", program.states)):
            for name, initial in states:
                unmoved = E.Binary("==", E.Var(f"{tag}.{name}"), E.Const(initial))
                found.append(E.Binary("or", reached, unmoved))
    after = spec[f"spec.{counter}"] >= 0
    mine, words, spec = ({n: v[after] for n, v in side.items()} for side in (mine, words, spec))
    from_start = _formulas(mine, words) + _formulas(spec, mine)
    return found + [E.Binary("or", E.Unary("not", started), r) for r in from_start]


def _tagged(e: E.Expr, tag: str) -> E.Expr:
    """`e` with each variable `v` renamed `tag.v`."""
    if isinstance(e, E.Var):
        return E.Var(f"{tag}.{e.name}")
    if isinstance(e, E.Unary):
        return E.Unary(e.op, _tagged(e.arg, tag))
    if isinstance(e, E.Binary):
        return E.Binary(e.op, _tagged(e.left, tag), _tagged(e.right, tag))
    if isinstance(e, E.Cond):
        return E.Cond(_tagged(e.test, tag), _tagged(e.then, tag), _tagged(e.orelse, tag))
    return e


def _mirror(relation: E.Expr) -> E.Expr | None:
    """`b == a` for `a == b` between two names: the same relation, kept once."""
    if isinstance(relation, E.Binary) and relation.op == "==":
        if isinstance(relation.left, E.Var) and isinstance(relation.right, E.Var):
            return E.Binary("==", relation.right, relation.left)
    return None


def _states(program: Program, domain: Domain, length: int, seed: int, tag: str):
    """Each state's value before the first position and after each, on random inputs (one row
    per sequence and position), keyed `tag.name`."""
    rng = np.random.default_rng(seed)
    inputs = {
        name: rng.choice(np.asarray(values, dtype=np.int64), size=(TRACE_SEQUENCES, length))
        for name, values in zip(domain.names, domain.alphabets, strict=True)
    }
    valid = np.ones((TRACE_SEQUENCES, length), dtype=bool)
    recorded, _ = unroll(program.states, program.steps, inputs, valid, program.state_names)
    return {
        f"{tag}.{name}": np.concatenate(
            [[initial], np.asarray(recorded[name], dtype=object).ravel()]
        ).astype(np.int64)
        for name, initial in program.states
    }


def _values(terms: Sequence[tuple[str, E.Expr]], spec: dict[str, np.ndarray]) -> dict:
    """Each term's values on the rows of the spec's states."""
    env = {name.removeprefix("spec."): values for name, values in spec.items()}
    rows = len(next(iter(spec.values()))) if spec else 0
    return {f"spec.{name}": E.evaluate(expr, env, (rows,), 0) for name, expr in terms}


def _formulas(targets: dict[str, np.ndarray], columns: dict[str, np.ndarray]) -> list[E.Expr]:
    """`target == formula(columns)` for each target a formula is found for."""
    from mipsdsl.extract.tables import regress_table

    if not targets or not columns:
        return []
    names = list(columns) + list(targets)
    stacked = np.stack([columns[n] for n in columns] + [targets[n] for n in targets])
    rows = np.unique(stacked, axis=1)
    table = dict(zip(names, rows, strict=True))
    found, _ = regress_table(
        {n: table[n] for n in columns},
        [table[n] for n in targets],
        REGRESS_SECONDS,
        MAX_FORMULA_SIZE,
    )
    return [
        E.Binary("==", E.Var(name), formula)
        for name, formula in zip(targets, found, strict=True)
        if formula is not None
    ]
