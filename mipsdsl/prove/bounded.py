"""Bounded proof: both programs unrolled over symbolic inputs, position by position, and z3 asked
for an input prefix on which an output differs or the program divides by zero.

unsat at every position up to N proves the program right on every input of length up to N (an
output at position t depends only on the first t+1 inputs). The spec never divides by zero here:
`mipsdsl.prove.prove` leaves such specs alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import z3

from mipsdsl import expr as E
from mipsdsl.program import Program
from mipsdsl.prove.symbolic import Domain, differs, initial_states, relation_env, step, truth


@dataclass(frozen=True)
class Counterexample:
    """An input prefix (per position, per channel) whose last position is wrong."""

    inputs: tuple[tuple[int, ...], ...]
    undefined: bool  # the program divides by zero there (else an output differs)


@dataclass(frozen=True)
class Bounded:
    checked: int  # every input of length up to this is proved right
    counterexample: Counterexample | None
    complete: bool  # False: stopped by the deadline or an unknown answer before `length`


def search(
    reference: Program,
    program: Program,
    domain: Domain,
    length: int,
    deadline: float,
    lemmas: Sequence[E.Expr] = (),
    terms: Sequence[tuple[str, E.Expr]] = (),
) -> Bounded:
    """Check positions 0..length-1 in turn; the first wrong one gives a shortest counterexample.

    `lemmas` are proved invariants (relations over `spec.<state>` and `program.<state>` that hold
    at every position, reading the spec's named `terms` too): stated at each position, they spare
    the solver rediscovering them."""
    solver = z3.Solver()
    spec, candidate = initial_states(reference), initial_states(program)
    inputs: list[dict[str, z3.ArithRef]] = []
    names = reference.output_names
    for t in range(length):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Bounded(t, None, False)
        x = domain.variables(f"@{t}")
        inputs.append(x)
        solver.add(domain.constraint(x))
        r, p = step(reference, spec, x), step(program, candidate, x)
        solver.push()
        solver.add(z3.Or(p.undefined, differs(r, p, names)))
        solver.set("timeout", max(1, int(remaining * 1000)))
        answer = solver.check()
        if answer == z3.sat:
            model = solver.model()
            undefined = z3.is_true(model.eval(p.undefined, model_completion=True))
            return Bounded(t, Counterexample(_values(model, inputs, domain), undefined), True)
        solver.pop()
        if answer != z3.unsat:
            return Bounded(t, None, False)
        spec = _named(solver, r.states, f"spec@{t}")
        candidate = _named(solver, p.states, f"program@{t}")
        states = relation_env(spec, candidate, terms)
        solver.add(*(truth(lemma, states) for lemma in lemmas))
    return Bounded(length, None, True)


def _named(solver: z3.Solver, states: dict[str, z3.ArithRef], tag: str) -> dict:
    """Each state's term as a fresh constant, so that terms do not grow with the length."""
    named = {}
    for name, term in states.items():
        named[name] = z3.Int(f"{tag}.{name}")
        solver.add(named[name] == term)
    return named


def _values(model: z3.ModelRef, inputs: list[dict], domain: Domain) -> tuple:
    return tuple(
        tuple(model.eval(x[name], model_completion=True).as_long() for name in domain.names)
        for x in inputs
    )
