"""Proof for every length, by induction over the pair (spec state, program state).

An invariant, a conjunction of relations between the two programs' states, proves them equal on
every input of every length when z3 shows, over unbounded integers:

- it holds for the initial states;
- one step on any input from the alphabet keeps it;
- under it, one step gives equal outputs and the program does not divide by zero.

The invariant is the largest inductive subset of the candidates (Houdini: drop every candidate a
counterexample to the step breaks, until none is broken), so a wrong guess costs a solver call,
never soundness. A proving invariant is then cut down to the relations the proof needs, one
removal at a time, so that what the module records is what a reader needs to follow it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import z3

from mipsdsl import expr as E
from mipsdsl.program import Program
from mipsdsl.prove.symbolic import (
    Domain,
    differs,
    initial_states,
    relation_env,
    state_variables,
    step,
    truth,
)


@dataclass(frozen=True)
class Induction:
    proved: bool
    invariant: tuple[E.Expr, ...]  # the inductive relations kept
    complete: bool  # False: stopped by the deadline or an unknown answer


class _Unknown(Exception):
    """The solver gave no answer in time."""


def induct(
    reference: Program,
    program: Program,
    domain: Domain,
    relations: Sequence[E.Expr],
    deadline: float,
    terms: Sequence[tuple[str, E.Expr]] = (),
) -> Induction:
    """The relations proved inductive, and whether they prove the outputs equal; relations read
    both programs' states and the spec's named `terms` (see `symbolic.relation_env`)."""
    pair = _Pair(reference, program, domain, deadline, terms)
    kept = [c for c in relations if pair.initially(c)]
    try:
        kept = pair.inductive(kept)
        if not pair.outputs_agree(kept):
            return Induction(False, tuple(kept), True)
        for relation in list(kept):  # the ranges come first: the likeliest to be redundant
            fewer = [c for c in kept if c is not relation]
            if pair.inductive(fewer) == fewer and pair.outputs_agree(fewer):
                kept = fewer
    except _Unknown:
        return Induction(False, tuple(kept), False)
    return Induction(True, tuple(kept), True)


class _Pair:
    """One step of both programs from arbitrary states on any input from the alphabet."""

    def __init__(self, reference: Program, program: Program, domain: Domain, deadline, terms):
        spec, mine = state_variables(reference, "spec"), state_variables(program, "program")
        x = domain.variables("")
        r, p = step(reference, spec, x), step(program, mine, x)
        self.before = relation_env(spec, mine, terms)
        self.after = relation_env(r.states, p.states, terms)
        self.start = relation_env(initial_states(reference), initial_states(program), terms)
        self.wrong = z3.Or(p.undefined, differs(r, p, reference.output_names))
        self.solver = z3.Solver()
        self.solver.add(domain.constraint(x))
        self.deadline = deadline

    def initially(self, relation: E.Expr) -> bool:
        return z3.is_true(z3.simplify(truth(relation, self.start)))

    def inductive(self, relations: list[E.Expr]) -> list[E.Expr]:
        """The largest subset of `relations` that one step keeps (Houdini)."""
        kept = list(relations)
        while kept:
            posts = [truth(c, self.after) for c in kept]
            model = self._counterexample(kept, z3.Or(*(z3.Not(post) for post in posts)))
            if model is None:
                break
            holds = [not z3.is_false(model.eval(post, model_completion=True)) for post in posts]
            kept = [c for c, held in zip(kept, holds, strict=True) if held]
        return kept

    def outputs_agree(self, relations: list[E.Expr]) -> bool:
        return self._counterexample(relations, self.wrong) is None

    def _counterexample(self, relations: list[E.Expr], goal: z3.BoolRef) -> z3.ModelRef | None:
        """A model of the relations before the step and `goal`, or None when there is none."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Unknown
        self.solver.push()
        self.solver.add(*(truth(c, self.before) for c in relations), goal)
        self.solver.set("timeout", max(1, int(remaining * 1000)))
        answer = self.solver.check()
        model = self.solver.model() if answer == z3.sat else None
        self.solver.pop()
        if answer == z3.unknown:
            raise _Unknown
        return model
