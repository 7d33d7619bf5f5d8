"""`Program`: a streaming algorithm over integer state variables, the value extraction produces.

A program reads one input position at a time. At each position its steps run in order (a `let`
names an intermediate value, an `update` gives a state variable its new value), then its outputs are
evaluated over the inputs, the states after the step and the lets. This is the same semantics as a
spec's stateful part, so `unroll` runs both: `mipsdsl.data.label` uses it for spec targets and
`Program.run` for programs. Only step-level IR is allowed (no shifts, aggregates or position
`t`): an RNN has no clock and no memory other than its state, and the emitted `step(state, x)`
has neither.

Values are exact: each expression runs in int64 when interval bounds over the length actually run,
or failing them the values at hand, show that none of its nodes can leave int64, and in Python ints
otherwise (`evaluate_exactly`).
"""

from __future__ import annotations

import keyword
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from mipsdsl import expr as E
from mipsdsl.bounds import BOOL, RULES, Interval, fits_int64, hull, in_int64, unrolled
from mipsdsl.simplify import simplify

if TYPE_CHECKING:
    from mipsdsl.task import Task

STEP_KINDS = ("let", "update")
MAX_BOUND_ROUNDS = 32  # state bounds still growing after this many steps are treated as unbounded


class UndefinedValue(E.EvaluationError):
    """Division or modulo by zero in the value named `name`, at index (sequence, position)."""

    def __init__(self, name: str, index: tuple[int, ...]):
        super().__init__(
            f"'{name}' divides by zero (sequence {index[0]}, position {index[1]})", index
        )
        self.name = name


@dataclass(frozen=True)
class Step:
    """`let name = expr` (a named intermediate) or `update name = expr` (a state's new value): one
    type for a program's steps and a spec's (`Task.steps`).

    Step-level assignments run in order at every position. A spec's sequence-level lets (those
    using a shift or an aggregate, or another such let) are evaluated over whole sequences after
    the steps, like outputs; a program has none.
    """

    kind: str  # "let" or "update"
    name: str
    expr: E.Expr
    sequence_level: bool = False


@dataclass(frozen=True)
class Program:
    """Named integer states with initial values, step assignments and output expressions; checked
    on construction, so that every Program can be run, printed and emitted."""

    inputs: tuple[str, ...]  # input channel names, in the task's order
    states: tuple[tuple[str, int], ...]  # (name, initial value)
    steps: tuple[Step, ...]
    outputs: tuple[tuple[str, E.Expr], ...]

    def __post_init__(self):
        for name in ("inputs", "states", "steps", "outputs"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _validate(self)

    @property
    def state_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.states)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.outputs)

    def simplified(self) -> Program:
        """The same program with every expression simplified (same values everywhere)."""
        return Program(
            self.inputs,
            self.states,
            tuple(Step(s.kind, s.name, simplify(s.expr)) for s in self.steps),
            tuple((name, simplify(expr)) for name, expr in self.outputs),
        )

    def renamed(self, names: Mapping[str, str]) -> Program:
        """The same program with its states and lets renamed (`names`: old -> new)."""

        def rename(e: E.Expr) -> E.Expr:
            return E.Var(names.get(e.name, e.name)) if isinstance(e, E.Var) else e

        return Program(
            self.inputs,
            tuple((names.get(name, name), value) for name, value in self.states),
            tuple(
                replace(s, name=names.get(s.name, s.name), expr=E.rewrite(s.expr, rename))
                for s in self.steps
            ),
            tuple((name, E.rewrite(expr, rename)) for name, expr in self.outputs),
        )

    def run(self, x: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Outputs (N, L, outputs) for int64 inputs x (N, L, inputs); 0 past each sequence's end.

        The outputs are int64 when their values fit it, else an object array of Python ints.
        Raises `UndefinedValue` when a division by zero reaches a position inside a sequence, and
        `mipsdsl.bounds.TooLarge` when a value may grow too wide to compute exactly.
        """
        n, length, channels = x.shape
        if channels != len(self.inputs):
            raise ValueError(
                f"x has {channels} input channels, the program reads {len(self.inputs)}"
            )
        if lengths is None:
            lengths = np.full(n, length, dtype=np.int64)
        valid = np.arange(length)[None, :] < lengths[:, None]
        env = {name: x[..., i] for i, name in enumerate(self.inputs)}
        read = set().union(*(E.free_vars(expr) for _, expr in self.outputs))
        recorded, known = unroll(self.states, self.steps, env, valid, read)
        env.update(recorded)
        positions = np.arange(length)
        columns = []
        for name, expr in self.outputs:
            try:
                wide = not fits_int64(expr, known, length)
                column = evaluate_exactly(expr, env, (n, length), positions, valid, length, wide)
            except E.EvaluationError as exc:
                raise UndefinedValue(name, exc.index) from None
            columns.append(narrowed(np.where(valid, column, 0)))
        return np.stack(columns, axis=-1)

    def variable_bounds(self, inputs: Mapping[str, Interval]) -> dict[str, Interval | None]:
        """Sound bounds of every named value over sequences of any length (None: unbounded).

        State bounds are iterated to a fixpoint, so they hold however long the input is; a state
        still growing after `MAX_BOUND_ROUNDS` steps is unbounded. The printer uses these to know
        which values are 0/1.
        """
        states: dict[str, Interval | None] = {name: (v, v) for name, v in self.states}
        for round_ in range(MAX_BOUND_ROUNDS + len(states) + 1):
            env = self._step_bounds(inputs, states)
            merged = {name: hull(states[name], env[name]) for name in states}
            if merged == states:
                break
            if round_ >= MAX_BOUND_ROUNDS:  # widen: whatever still grows is unbounded
                merged = {n: None if merged[n] != states[n] else merged[n] for n in merged}
            states = merged
        env = self._step_bounds(inputs, states)
        env.update(states)
        for name, expr in self.outputs:
            env[name] = expr_bounds(expr, env)
        return env

    def _step_bounds(self, inputs, states) -> dict[str, Interval | None]:
        env: dict[str, Interval | None] = {**inputs, **states}
        for step in self.steps:
            env[step.name] = expr_bounds(step.expr, env)
        return env


def expr_bounds(e: E.Expr, env: Mapping[str, Interval | None]) -> Interval | None:
    """Bounds of a step-level expression where some variables may be unbounded (None).

    Truth-valued operators and `%` by a bounded divisor stay bounded whatever their operands; the
    rest is the operator's rule in `mipsdsl.bounds.RULES` applied to the operands' bounds.
    """
    if isinstance(e, E.Const):
        return e.value, e.value
    if isinstance(e, E.Var):
        return env.get(e.name)
    if isinstance(e, E.Member) or (
        isinstance(e, E.Unary | E.Binary) and E.OPERATORS[e.op].truth_valued
    ):
        return BOOL
    if isinstance(e, E.Unary):
        a = expr_bounds(e.arg, env)
        return None if a is None else RULES[e.op](a)
    if isinstance(e, E.Binary):
        a, b = expr_bounds(e.left, env), expr_bounds(e.right, env)
        if e.op == "%" and b is not None and a is None:
            return min(0, b[0] + 1), max(0, b[1] - 1)
        if a is None or b is None:
            return None
        return RULES[e.op](a, b)
    if isinstance(e, E.Cond):
        return hull(expr_bounds(e.then, env), expr_bounds(e.orelse, env))
    raise TypeError(f"not a step-level expression: {e!r}")


def evaluate_exactly(
    expr: E.Expr,
    env: Mapping[str, np.ndarray],
    shape: tuple[int, ...],
    position: np.ndarray | int,
    valid: np.ndarray | None,
    length: int,
    wide: bool,
) -> np.ndarray:
    """`E.evaluate` in int64, unless `wide` (the bounds of some node leave int64, `fits_int64`)
    and the values at hand confirm it: then in Python ints, the result int64 where it fits.

    The values are asked because interval bounds can be far looser than they are (the Newton
    tasks' bounds leave int64 within 50 steps while their values stay small)."""
    if wide:
        actual = {name: _value_bounds(env[name]) for name in E.free_vars(expr)}
        wide = not fits_int64(expr, actual, length)
    if not wide:
        return E.evaluate(expr, env, shape, position, valid)
    return narrowed(E.evaluate(expr, env, shape, position, valid, exact=True))


def _value_bounds(values: np.ndarray) -> Interval:
    values = np.asarray(values)
    return (int(values.min()), int(values.max())) if values.size else (0, 0)


def narrowed(values: np.ndarray) -> np.ndarray:
    """`values` as int64 when every one fits (interval bounds can be far looser than the values),
    else unchanged."""
    if values.dtype == object and (values.size == 0 or in_int64((values.min(), values.max()))):
        return values.astype(np.int64)
    return values


def unroll(
    states: Sequence[tuple[str, int]],
    steps: Sequence,
    inputs: Mapping[str, np.ndarray],
    valid: np.ndarray,
    record: Collection[str],
) -> tuple[dict[str, np.ndarray], dict[str, Interval]]:
    """Run step-level assignments (anything with `kind`, `name`, `expr`) at every position.

    `inputs` maps names to (N, L) arrays and `valid` (N, L) marks the positions inside each
    sequence. Returns (N, L) arrays of the states (after the step) and assigned names in `record`
    (only those: a spec with 10,000 lets would otherwise hold 10,000 arrays), each int64 or, once
    one of its values leaves int64, Python ints; and the bounds of the inputs (from their values)
    and of every name, over L positions.
    Raises `UndefinedValue` when a division by zero reaches a valid position, and
    `mipsdsl.bounds.TooLarge` when a value may grow too wide to compute exactly.
    """
    n, length = valid.shape
    known = {name: _value_bounds(column) for name, column in inputs.items()}
    if not states and not steps:
        return {}, known
    known = unrolled(known, states, steps, length)
    state = {name: np.full(n, value, dtype=_dtype_for(value)) for name, value in states}
    assigned = set(state) | {s.name for s in steps}
    recorded = {name: np.zeros((n, length), dtype=np.int64) for name in assigned & set(record)}
    wide = [not fits_int64(s.expr, known, length) for s in steps]
    for t in range(length):
        scope = {name: column[:, t] for name, column in inputs.items()}
        scope.update(state)
        for step, step_wide in zip(steps, wide, strict=True):
            try:
                scope[step.name] = evaluate_exactly(
                    step.expr, scope, (n,), t, valid[:, t], length, step_wide
                )
            except E.EvaluationError as exc:
                raise UndefinedValue(step.name, (exc.index[0], t)) from None
            if step.kind == "update":
                state[step.name] = scope[step.name]
        for name, column in recorded.items():
            if scope[name].dtype == object and column.dtype != object:
                recorded[name] = column = column.astype(object)
            column[:, t] = scope[name]
    return recorded, known


def _dtype_for(value: int):
    return np.int64 if in_int64((value, value)) else object


def is_name(name: str) -> bool:
    """A name that can appear in generated Python: an identifier, not a keyword, not dunder."""
    return (
        isinstance(name, str)
        and name.isidentifier()
        and not keyword.iskeyword(name)
        and not name.startswith("__")
    )


def _validate(p: Program) -> None:
    defined: set[str] = set()

    def declare(name: str, what: str) -> None:
        if not is_name(name):
            raise ValueError(f"{what} name {name!r} is not a usable Python identifier")
        if name in defined:
            raise ValueError(f"{what} name {name!r} is already defined")
        defined.add(name)

    def check_expr(expr, what: str, visible: set[str]) -> None:
        for node in E.walk(expr):
            if isinstance(node, E.Shift | E.Aggregate | E.Matches | E.Position):
                raise ValueError(
                    f"{what} uses {type(node).__name__}; a program runs one step at a time"
                )
        unknown = sorted(E.free_vars(expr) - visible)
        if unknown:
            raise ValueError(f"{what} reads {', '.join(unknown)} before it is defined")

    if not p.inputs:
        raise ValueError("a program needs at least one input")
    for name in p.inputs:
        declare(name, "input")
    for name, value in p.states:
        declare(name, "state")
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"the initial value of {name!r} must be an int, not {value!r}")
    states = set(p.state_names)
    for step in p.steps:
        if step.kind not in STEP_KINDS:
            raise ValueError(f"a step is a 'let' or an 'update', not {step.kind!r}")
        check_expr(step.expr, f"{step.kind} {step.name!r}", defined)
        if step.sequence_level:
            raise ValueError(f"{step.kind} {step.name!r} is sequence-level; a program has none")
        if step.kind == "update":
            if step.name not in states:
                raise ValueError(f"update of {step.name!r}, which is not a state variable")
        else:
            declare(step.name, "let")
    if not p.outputs:
        raise ValueError("a program needs at least one output")
    readable = set(defined)  # outputs cannot read each other
    for name, expr in p.outputs:
        check_expr(expr, f"output {name!r}", readable)
        declare(name, "output")


def program_from_task(task: Task) -> Program:
    """The stateful part of a spec as a Program (for writing programs as .mips text).

    Refuses specs whose targets need shifts, aggregates or the position: those are not programs.
    """
    if task.examples is not None:
        raise ValueError(f"task {task.name!r} is given by examples and has no definition")
    return Program(
        inputs=tuple(c.name for c in task.inputs),
        states=task.states,
        steps=task.steps,
        outputs=tuple((o.name, o.expr) for o in task.outputs if o.expr is not None),
    )
