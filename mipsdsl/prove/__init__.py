"""Proof that a program equals its spec: on every input up to a length, or on every input.

The spec's target becomes a streaming reference program (`reference`); both are encoded in z3
(`encode`, `symbolic`). A bounded search over symbolic inputs (`bounded`) proves them equal up to
the spec's length or finds a shortest counterexample; induction over the pair of states
(`induction`) with relations learned from traces (`relations`) proves them equal at every length.
The extracted program meets the spec only here and in `mipsdsl.verify`.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np

from mipsdsl import expr as E
from mipsdsl.bounds import TooLarge
from mipsdsl.emit.printer import to_mips
from mipsdsl.program import Program, UndefinedValue
from mipsdsl.prove.bounded import Counterexample, search
from mipsdsl.prove.induction import induct
from mipsdsl.prove.reference import NotStreamable, may_divide_by_zero, reference_program
from mipsdsl.prove.relations import KINDS, candidates
from mipsdsl.prove.symbolic import Domain
from mipsdsl.task import Task

EVERY_LENGTH = "every length"
DEFAULT_SECONDS = 30.0


@dataclass(frozen=True)
class Proof:
    """What was proved (`proved`: "every length", "length <= N" or None), and how."""

    proved: str | None
    reason: str  # in words: how it was proved, or why not
    invariant: tuple[str, ...] = ()  # the inductive relations, in .mips syntax
    # (program state, spec state) for each relation of the invariant that says the two are equal
    equal_states: tuple[tuple[str, str], ...] = ()
    counterexample: Counterexample | None = None
    expected: tuple[tuple[int, ...], ...] = ()  # the spec's outputs on the counterexample
    got: tuple[tuple[int, ...], ...] = ()  # the program's outputs on it
    seconds: float = field(default=0.0, compare=False)

    def to_json(self) -> dict:
        return {"proved": self.proved, "reason": self.reason, "invariant": list(self.invariant)}

    def summary(self) -> str:
        """What was proved, in words, for the module's docstring."""
        if self.proved == EVERY_LENGTH:
            return "proof: equal to the spec on every input of every length (z3, by induction)"
        if self.proved is not None:
            bound = self.proved.removeprefix("length <= ")
            return f"proof: equal to the spec on every input of length up to {bound} (z3)"
        return f"proof: none ({self.reason.removeprefix('not proved: ')})"

    def table(self) -> str:
        """The counterexample position by position: inputs, the spec's and the program's
        outputs (the program's last is missing when it divides by zero there)."""
        if self.counterexample is None:
            return ""
        lines = [f"{'t':>4}  {'input':>12}  {'spec':>12}  {'program':>12}"]
        for t, (x, want) in enumerate(zip(self.counterexample.inputs, self.expected, strict=True)):
            have = _cells(self.got[t]) if t < len(self.got) else "divides by 0"
            mark = "  <--" if t == len(self.expected) - 1 else ""
            lines.append(f"{t:>4}  {_cells(x):>12}  {_cells(want):>12}  {have:>12}{mark}")
        return "\n".join(lines)


def _cells(values: tuple[int, ...]) -> str:
    return ", ".join(map(str, values))


def prove(
    task: Task,
    program: Program,
    length: int | None = None,
    seconds: float = DEFAULT_SECONDS,
    kinds: Collection[str] = KINDS,
) -> Proof:
    """Prove `program` equal to `task`'s target on every input of every length (by induction),
    else on every input up to `length` (default: the spec's longest), else find a shortest
    counterexample. `kinds`: the kinds of candidate relation offered to the induction."""
    started = time.monotonic()
    deadline = started + seconds
    length = task.max_length if length is None else length
    try:
        streaming = reference_program(task)
    except NotStreamable as exc:
        return Proof(None, f"not proved: {exc}")
    reference = streaming.program
    if may_divide_by_zero(reference):
        return Proof(None, "not proved: the spec divides by a value that may be 0")
    domain = Domain(tuple(c.name for c in task.inputs), tuple(c.values for c in task.inputs))
    terms = streaming.terms
    try:
        relations = candidates(
            reference,
            program,
            domain,
            max(length, 1),
            streaming.facts,
            terms,
            streaming.counter,
            kinds=kinds,
        )
    except (UndefinedValue, TooLarge):  # no traces to learn from: the bounded search shows why
        relations = []
    induction = induct(reference, program, domain, relations, deadline, terms)
    invariant = tuple(to_mips(r) for r in induction.invariant)
    if induction.proved:
        equal = _equal_states(induction.invariant)
        return Proof(
            EVERY_LENGTH,
            "proved by induction",
            invariant,
            equal_states=equal,
            seconds=_since(started),
        )
    bounded = search(reference, program, domain, length, deadline, induction.invariant, terms)
    if bounded.counterexample is not None:
        return _refuted(reference, program, bounded.counterexample, started)
    if not bounded.complete:
        why = f"no counterexample up to length {bounded.checked}"
        return Proof(None, f"not proved: {why}", seconds=_since(started))
    why = "no inductive invariant found" if induction.complete else "the solver ran out of time"
    reason = f"proved up to length {bounded.checked}, not for every length: {why}"
    return Proof(f"length <= {bounded.checked}", reason, seconds=_since(started))


def _equal_states(relations) -> tuple[tuple[str, str], ...]:
    """(program state, spec state) for each relation `program.a == spec.b` (either way round)."""
    pairs = []
    for r in relations:
        if isinstance(r, E.Binary) and r.op == "==":
            sides = {}
            for side in (r.left, r.right):
                if isinstance(side, E.Var) and "." in side.name:
                    tag, name = side.name.split(".", 1)
                    sides[tag] = name
            if set(sides) == {"program", "spec"}:
                pairs.append((sides["program"], sides["spec"]))
    return tuple(pairs)


def _since(started: float) -> float:
    return time.monotonic() - started


def _refuted(reference: Program, program: Program, found: Counterexample, started) -> Proof:
    """The counterexample with both programs' outputs, computed by running them (not by the
    solver), so that what is shown is what the programs do."""
    x = np.asarray(found.inputs, dtype=np.int64)[None]
    expected = reference.run(x)[0]
    got = program.run(x[:, :-1] if found.undefined else x)[0]
    if not found.undefined and np.array_equal(got[-1], expected[-1]):
        raise RuntimeError("the solver's counterexample does not reproduce: an encoding bug")
    what = "the program divides by zero" if found.undefined else "an output differs"
    return Proof(
        None,
        f"refuted: {what} at position {len(found.inputs) - 1}",
        counterexample=found,
        expected=tuple(tuple(int(v) for v in row) for row in expected),
        got=tuple(tuple(int(v) for v in row) for row in got),
        seconds=_since(started),
    )
