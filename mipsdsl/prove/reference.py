"""The spec as a streaming program: the reference the prover holds an extracted program against.

A declarative target reads whole prefixes (`sum(x)`, `x[t-2]`, `mode(x, last 5)`). Its streaming
form keeps one state per prefix fold and a chain of registers per shifted value, so that the
reference is a `Program` like the extracted one and both can be stepped side by side:

- `sum`, `count`, `any`, `all`, `min`, `max` over the prefix: one state each (`min`/`max` take
  the first value at t = 0);
- `e[t-k]` and windows `last w`: a chain of registers holding e's previous values, initialised
  to the padding (a shift's `pad`; the current value for windowed `min`/`max`, which is how the
  spec reads positions before the start);
- `mode`: one count per value the argument can take, and the tie rule as the order of a scan;
  `distinct`: one seen-flag per value over the prefix, a scan of the registers over a window;
- `run`: the run's length as a state (capped at the window), `changes` a count of the steps
  where the value differs from its register;
- `matches`: the automaton's state as one state variable, its transition table as nested `if`s;
- `last k, full`: the window's fold once k positions exist (a count of positions that stops at
  k), else 0;
- `t`: a counter state, -1 before the first position.

`palindrome` has no streaming form with bounded state: `NotStreamable` says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mipsdsl import expr as E
from mipsdsl.bounds import Interval
from mipsdsl.extract import fresh
from mipsdsl.program import Program, Step, expr_bounds
from mipsdsl.task import Task

MAX_MODE_VALUES = 64  # `mode` keeps one count per value of its argument


@dataclass(frozen=True)
class Reference:
    """The streaming program, facts its construction guarantees (relations over its states that
    hold between any two positions: a running minimum is at most the value it folds, which the
    induction may need and traces do not suggest; the prover checks them like any guess), and
    the spec's named values over its states."""

    program: Program
    facts: tuple[E.Expr, ...] = ()
    # the spec's own lets that are functions of the states (`depth`): words for the relations
    terms: tuple[tuple[str, E.Expr], ...] = ()
    counter: str | None = None  # the state counting positions (t), when the spec reads it


class NotStreamable(Exception):
    """The target has no streaming form with finitely many states (a reason in words)."""


@dataclass
class _Chain:
    """Registers holding the previous values of `value`: before the step at t, register j holds
    value(t-j), or `pad` while t < j. Emitted where it was first asked for, so that `value` is
    defined before and every reader after."""

    value: E.Expr
    pad: int
    registers: list[str] = field(default_factory=list)  # register j+1 at index j
    olds: list[str] = field(default_factory=list)  # lets reading each register before the step

    def steps(self) -> list[Step]:
        lets = [
            Step("let", old, E.Var(reg)) for old, reg in zip(self.olds, self.registers, strict=True)
        ]
        sources = [self.value] + [E.Var(old) for old in self.olds[:-1]]
        updates = [
            Step("update", reg, source) for reg, source in zip(self.registers, sources, strict=True)
        ]
        return lets + updates


class _Streaming:
    """Builds the reference for one task: `translate` turns a sequence-level expression into a
    step-level one, adding the states and steps it needs."""

    def __init__(self, task: Task):
        self.task = task
        self.taken: set[str] = {c.name for c in task.inputs} | {o.name for o in task.outputs}
        self.taken |= {name for name, _ in task.states} | {s.name for s in task.steps}
        self.states: list[tuple[str, int]] = list(task.states)
        self.parts: list[Step | _Chain] = []
        self.counter: str | None = None
        self.chains: dict[tuple[E.Expr, int], _Chain] = {}
        self.folds: dict[E.Aggregate | E.Matches, E.Expr] = {}
        self.fills: dict[int, E.Expr] = {}  # k -> whether k positions exist
        self.facts: list[E.Expr] = []
        self.definitions: dict[str, E.Expr] = {}  # lets that read states after the step only
        self.bounds: dict[str, Interval | None] = {c.name: (c.lo, c.hi) for c in task.inputs}

    def reference(self) -> Reference:
        # the spec's step-level assignments run first; its sequence-level lets read their results
        for step in sorted(self.task.steps, key=lambda s: s.sequence_level):
            self._emit(Step(step.kind, step.name, self.translate(step.expr)))
        outputs = [(o.name, self.translate(o.expr)) for o in self.task.outputs if o.expr]
        steps = [] if self.counter is None else [self._count()]
        for part in self.parts:
            steps.extend(part.steps() if isinstance(part, _Chain) else [part])
        inputs = tuple(c.name for c in self.task.inputs)
        program = Program(inputs, tuple(self.states), tuple(steps), tuple(outputs))
        named = {s.name for s in self.task.steps if s.kind == "let"}
        terms = tuple((n, e) for n, e in self.definitions.items() if n in named)
        return Reference(program, tuple(self.facts), terms, self.counter)

    def _emit(self, step: Step) -> None:
        self.parts.append(step)
        if step.kind == "let":
            self.bounds[step.name] = expr_bounds(step.expr, self._known())
            inlined = self._over_states(step.expr)
            if inlined is not None:
                self.definitions[step.name] = inlined

    def _over_states(self, e: E.Expr) -> E.Expr | None:
        """`e` as an expression of the states after the step alone (lets inlined), or None when
        it reads an input or a register's value from before the step."""
        states = {name for name, _ in self.states}
        if isinstance(e, E.Var):
            return e if e.name in states else self.definitions.get(e.name)
        if isinstance(e, E.Const):
            return e
        children = E.children(e)
        parts = [part for part in map(self._over_states, children) if part is not None]
        if len(parts) < len(children):
            return None
        if isinstance(e, E.Unary):
            return E.Unary(e.op, *parts)
        if isinstance(e, E.Binary):
            return E.Binary(e.op, *parts)
        return E.Cond(*parts)

    def _known(self) -> Mapping[str, Interval | None]:
        """Bounds of the names so far: inputs and lets exactly, states as unbounded."""
        return {**{name: None for name, _ in self.states}, **self.bounds}

    def _state(self, base: str, initial: int) -> str:
        name = fresh(base, self.taken)
        self.states.append((name, initial))
        return name

    def _count(self) -> Step:
        assert self.counter is not None
        return Step("update", self.counter, E.Binary("+", E.Var(self.counter), E.Const(1)))

    def position(self) -> E.Var:
        """t, as a counter updated first at every position."""
        if self.counter is None:
            self.counter = self._state("t", -1)
        return E.Var(self.counter)

    def translate(self, e: E.Expr) -> E.Expr:
        if isinstance(e, E.Const | E.Var):
            return e
        if isinstance(e, E.Position):
            return self.position()
        if isinstance(e, E.Unary):
            return E.Unary(e.op, self.translate(e.arg))
        if isinstance(e, E.Binary):
            return E.Binary(e.op, self.translate(e.left), self.translate(e.right))
        if isinstance(e, E.Cond):
            parts = (self.translate(e.test), self.translate(e.then), self.translate(e.orelse))
            return E.Cond(*parts)
        if isinstance(e, E.Shift):
            return self.previous(self.translate(e.arg), e.k, e.pad)
        if isinstance(e, E.Aggregate | E.Matches):
            if e not in self.folds:
                self.folds[e] = self._full(e) if isinstance(e, E.Aggregate) else self._matches(e)
            return self.folds[e]
        raise TypeError(f"not an expression node: {e!r}")

    def previous(self, value: E.Expr, k: int, pad: int) -> E.Var:
        """value(t-k), or `pad` while t < k."""
        chain = self.chains.get((value, pad))
        if chain is None:
            chain = self.chains[(value, pad)] = _Chain(value, pad)
            self.parts.append(chain)
        while len(chain.registers) < k:
            k_back = len(chain.registers) + 1
            back = "prev" if k_back == 1 else f"prev{k_back}"
            chain.registers.append(self._state(_named(back, value), pad))
            subject = value.name if isinstance(value, E.Var) else "value"
            chain.olds.append(fresh(f"{subject}_t{k_back}", self.taken))  # value(t-k)
        return E.Var(chain.olds[k - 1])

    def _full(self, e: E.Aggregate) -> E.Expr:
        """The fold, or with `full` 0 until the window is full."""
        folded = self._fold(e)
        if not e.full or e.window is None:
            return folded
        return E.Cond(self._filled(e.window), folded, E.Const(0))

    def _filled(self, k: int) -> E.Expr:
        """Whether k positions exist (t >= k-1), from a count of positions that stops at k: a
        bounded state, where the counter t grows without end."""
        if k <= 1:
            return E.Const(1)
        if k not in self.fills:
            seen = self._state(f"seen{k}", 0)
            self._emit(
                Step(
                    "update",
                    seen,
                    E.Binary("min", E.Binary("+", E.Var(seen), E.Const(1)), E.Const(k)),
                )
            )
            self.facts.append(
                E.Binary(
                    "and",
                    E.Binary(">=", E.Var(seen), E.Const(0)),
                    E.Binary("<=", E.Var(seen), E.Const(k)),
                )
            )
            self.fills[k] = E.Binary(">=", E.Var(seen), E.Const(k))
        return self.fills[k]

    def _fold(self, e: E.Aggregate) -> E.Expr:
        if e.kind == "palindrome":
            raise NotStreamable("palindrome(...) needs the whole prefix, not a bounded state")
        value = self.translate(e.arg)
        if e.kind in ("mode", "distinct"):
            return self._per_value(e, value)
        if e.kind in ("run", "changes"):
            return self._steps(e, value)
        truth = E.Binary("!=", value, E.Const(0))
        if e.window is not None:
            return self._window(e, value, truth)
        if e.kind in ("sum", "count"):
            term = value if e.kind == "sum" else truth
            total = self._state(_named(e.kind, value), 0)
            self._emit(Step("update", total, E.Binary("+", E.Var(total), term)))
            return E.Var(total)
        if e.kind in ("any", "all"):
            flag = self._state(_named(e.kind, value), int(e.kind == "all"))
            op = "or" if e.kind == "any" else "and"
            self._emit(Step("update", flag, E.Binary(op, E.Var(flag), value)))
            return E.Var(flag)
        # min, max: the first value, then the running fold
        best = self._state(_named(e.kind, value), 0)
        first = E.Binary("==", self.position(), E.Const(0))
        folded = E.Binary(e.kind, E.Var(best), value)
        self._emit(Step("update", best, E.Cond(first, value, folded)))
        current = self._over_states(value)
        if current is not None:  # the running minimum is at most the current value
            self.facts.append(E.Binary("<=" if e.kind == "min" else ">=", E.Var(best), current))
            self._start_at(best, current)  # and is, before the start: t = 0 overwrites it
        return E.Var(best)

    def _start_at(self, name: str, value: E.Expr) -> None:
        """Give state `name` the initial value of `value` over the initial states (when it is
        defined there)."""
        initial = {state: np.array([v], dtype=object) for state, v in self.states}
        try:
            start = int(E.evaluate(value, initial, (1,), 0, exact=True)[0])
        except E.EvaluationError:
            return
        self.states = [(state, start if state == name else v) for state, v in self.states]

    def _window(self, e: E.Aggregate, value: E.Expr, truth: E.Expr) -> E.Expr:
        """The fold of the last `window` values as one expression over registers."""
        assert e.window is not None
        back = range(1, e.window)
        if e.kind in ("sum", "count", "any"):
            term = value if e.kind == "sum" else truth
            op = "+" if e.kind != "any" else "or"
            terms = [term] + [self.previous(term, k, 0) for k in back]
        elif e.kind == "all":
            op, terms = "and", [truth] + [self.previous(truth, k, 1) for k in back]
        else:  # min, max: positions before the start read the current value
            started = [E.Binary(">=", self.position(), E.Const(k)) for k in back]
            olds: list[E.Expr] = [
                E.Cond(s, self.previous(value, k, 0), value)
                for s, k in zip(started, back, strict=True)
            ]
            op, terms = e.kind, [value, *olds]
        return E.fold(op, terms)

    def _steps(self, e: E.Aggregate, value: E.Expr) -> E.Expr:
        """`run` and `changes`, from the value and its register (value(t-1)); the run starts
        again at t = 0, when its state is still 0, and at every change."""
        previous = self.previous(value, 1, 0)
        if e.kind == "run":
            run = self._state(_named("run", value), 0)
            same = E.Binary(
                "and", E.Binary(">", E.Var(run), E.Const(0)), E.Binary("==", value, previous)
            )
            longer: E.Expr = E.Binary("+", E.Var(run), E.Const(1))
            if e.window is not None:  # capped, so that the state stays bounded
                longer = E.Binary("min", longer, E.Const(e.window))
            self._emit(Step("update", run, E.Cond(same, longer, E.Const(1))))
            self.facts.append(E.Binary(">=", E.Var(run), E.Const(0)))
            return E.Var(run)
        started = self._filled(2)
        changed = self._let("changed", E.Binary("and", started, E.Binary("!=", value, previous)))
        if e.window is not None:  # the last w positions have w - 1 steps between them
            steps = [changed] + [self.previous(changed, k, 0) for k in range(1, e.window - 1)]
            return E.fold("+", steps) if e.window > 1 else E.Const(0)
        total = self._state(_named("changes", value), 0)
        self._emit(Step("update", total, E.Binary("+", E.Var(total), changed)))
        return E.Var(total)

    def _per_value(self, e: E.Aggregate, value: E.Expr) -> E.Expr:
        """`mode` and `distinct`, from one count (or flag) per value the argument can take."""
        bound = expr_bounds(value, self._known())
        if bound is None or bound[1] - bound[0] + 1 > MAX_MODE_VALUES:
            raise NotStreamable(
                f"{e.kind}(...) of a value with more than {MAX_MODE_VALUES} possible values"
            )
        candidates = list(range(bound[0], bound[1] + 1))
        if e.ties == "largest" and e.kind == "mode":
            candidates.reverse()
        seen = e.kind == "distinct"  # whether a value occurs, not how often
        counts: list[E.Expr] = []
        for v in candidates:
            hit = E.Binary("==", value, E.Const(v))
            if e.window is None:
                subject = f"{value.name}_" if isinstance(value, E.Var) else ""
                base = f"{'seen' if seen else 'count'}_{subject}{v}".replace("-", "minus")
                total = self._state(base, 0)
                self._emit(
                    Step("update", total, E.Binary("or" if seen else "+", E.Var(total), hit))
                )
                counts.append(E.Var(total))
            else:  # before the start a register reads one below every candidate
                olds = [self.previous(value, k, bound[0] - 1) for k in range(1, e.window)]
                hits = [hit] + [E.Binary("==", old, E.Const(v)) for old in olds]
                counts.append(E.fold("or" if seen else "+", hits))
        if seen:
            return E.fold("+", counts)
        return self._mode(candidates, counts)

    def _mode(self, candidates: list[int], counts: list[E.Expr]) -> E.Expr:
        """A scan in the tie rule's order that moves only on a strictly larger count: the first
        of the most frequent values wins."""
        best: E.Expr = E.Const(candidates[0])
        most = counts[0]
        for i, (v, count) in enumerate(zip(candidates[1:], counts[1:], strict=True), start=2):
            better = self._let("better", E.Binary(">", count, most))
            best = self._let("mode", E.Cond(better, E.Const(v), best))
            if i < len(candidates):
                most = self._let("most", E.Binary("max", most, count))
        return best

    def _matches(self, e: E.Matches) -> E.Expr:
        """The automaton's state as one state variable, stepped by its table: per state, the
        targets grouped by symbol, the largest group as the `else`. Where the argument may take
        a value that is not a symbol, every group is tested and the `else` is the sink, a state
        after the automaton's own, as in evaluation."""
        value, automaton = self.translate(e.arg), e.automaton
        bound = expr_bounds(value, self._known())
        symbols = set(automaton.symbols)
        closed = bound is not None and all(v in symbols for v in range(bound[0], bound[1] + 1))
        state = self._state(_named("dfa", value), 0)
        sink = automaton.states
        rows: list[E.Expr] = []
        for row in automaton.table:
            groups: dict[int, list[int]] = {}
            for symbol, target in zip(automaton.symbols, row, strict=True):
                groups.setdefault(target, []).append(symbol)
            ordered = sorted(groups, key=lambda target: (-len(groups[target]), target))
            tested = ordered[1:] if closed else ordered
            step: E.Expr = E.Const(ordered[0] if closed else sink)
            for target in reversed(tested):
                test = E.fold("or", [E.Binary("==", value, E.Const(v)) for v in groups[target]])
                step = E.Cond(test, E.Const(target), step)
            rows.append(step)
        update = E.Const(sink) if not closed else rows.pop()
        for q in reversed(range(len(rows))):
            update = E.Cond(E.Binary("==", E.Var(state), E.Const(q)), rows[q], update)
        self._emit(Step("update", state, update))
        top = automaton.states - (1 if closed else 0)
        within = (
            E.Binary(">=", E.Var(state), E.Const(0)),
            E.Binary("<=", E.Var(state), E.Const(top)),
        )
        self.facts.append(E.Binary("and", *within))
        accepted = [E.Binary("==", E.Var(state), E.Const(q)) for q in automaton.accepting]
        return E.fold("or", accepted) if accepted else E.Const(0)

    def _let(self, base: str, value: E.Expr) -> E.Var:
        name = fresh(base, self.taken)
        self._emit(Step("let", name, value))
        return E.Var(name)


def _named(base: str, value: E.Expr) -> str:
    """`base_x` for a fold or register of the variable x (the names invariants are read in),
    `base` for one of a larger expression."""
    return f"{base}_{value.name}" if isinstance(value, E.Var) else base


def reference_program(task: Task) -> Reference:
    """The task's target as a streaming program with the same outputs at every position.

    Raises `NotStreamable` for targets without a bounded streaming form, and `ValueError` for a
    task given by examples (it has no target to stream)."""
    if task.examples is not None:
        raise ValueError(f"task {task.name!r} is given by examples and has no definition")
    return _Streaming(task).reference()


def may_divide_by_zero(program: Program) -> bool:
    """Some `//` or `%` divides by something other than a non-zero constant.

    The prover leaves such specs alone: where the spec is undefined the input has no target, and
    the streaming form is undefined on more inputs than the spec (its registers compute values
    the spec's `if` may never read)."""
    expressions = [s.expr for s in program.steps] + [e for _, e in program.outputs]
    return any(
        isinstance(node, E.Binary)
        and E.OPERATORS[node.op].partial
        and not (isinstance(node.right, E.Const) and node.right.value != 0)
        for expression in expressions
        for node in E.walk(expression)
    )
