"""Program assembly: from extracted formulas to a `Program`, whichever path found them.

Extraction produces formulas in Mealy form: each state variable's new value and each output as an
expression of the *old* state variables and the current inputs (or, flagged, outputs over the new
states, which a program computes as they are). A `Program` runs its steps in
order and its outputs see the *new* states, so assembly orders the updates (a variable is updated
only after every update that reads its old value), keeps an output that equals a state's new value
as that state, computes other state-reading outputs in a `let` before the updates, drops state
variables no output depends on, and simplifies.
"""

from __future__ import annotations

from dataclasses import dataclass

from mipsdsl import expr as E
from mipsdsl.extract import fresh
from mipsdsl.program import Program, Step


@dataclass(frozen=True)
class StateVariable:
    name: str
    initial: int
    update: E.Expr  # the new value, over old states and inputs


@dataclass(frozen=True)
class Formulas:
    inputs: tuple[str, ...]
    states: tuple[StateVariable, ...]
    outputs: tuple[tuple[str, E.Expr], ...]  # over old states and inputs
    outputs_read_new: bool = False  # the outputs read the new states instead (Moore form)

    def size(self) -> int:
        """IR nodes in all formulas: how a path's results are compared."""
        exprs = [s.update for s in self.states] + [e for _, e in self.outputs]
        return sum(E.size(e) for e in exprs)


def assemble(formulas: Formulas) -> Program:
    states = _needed(formulas)
    names = {s.name for s in states}
    taken = set(formulas.inputs) | names | {name for name, _ in formulas.outputs}
    lets, outputs = [], list(formulas.outputs)
    if not formulas.outputs_read_new:
        lets, outputs = _before_updates(formulas.outputs, states, taken)
    program = Program(
        inputs=formulas.inputs,
        states=tuple((s.name, s.initial) for s in states),
        steps=tuple(lets) + _updates(states, taken),
        outputs=tuple(outputs),
    )
    return program.simplified()


def _before_updates(outputs, states: list[StateVariable], taken: set[str]):
    """Lets and outputs that read the old states while the program's outputs see the new ones:
    an output equal to a state's new value is that state, others are computed before updates."""
    names = {s.name for s in states}
    lets, result = [], []
    for name, expr in outputs:
        same_state = next((s.name for s in states if s.update == expr), None)
        if same_state is not None:
            result.append((name, E.Var(same_state)))
        elif E.free_vars(expr) & names:
            let_name = fresh(f"{name}_out", taken)
            lets.append(Step("let", let_name, expr))
            result.append((name, E.Var(let_name)))
        else:
            result.append((name, expr))
    return lets, result


def _needed(formulas: Formulas) -> list[StateVariable]:
    """The state variables some output depends on, directly or through other updates."""
    by_name = {s.name: s for s in formulas.states}
    needed: set[str] = set()
    frontier = set().union(*(E.free_vars(e) for _, e in formulas.outputs)) & by_name.keys()
    while frontier:
        name = frontier.pop()
        needed.add(name)
        frontier |= (E.free_vars(by_name[name].update) & by_name.keys()) - needed
    return [s for s in formulas.states if s.name in needed]


def _updates(states: list[StateVariable], taken: set[str]) -> tuple[Step, ...]:
    """Updates in an order where every update reads old values; through lets if there is none."""
    order: list[StateVariable] = []
    left = list(states)
    while left:
        # a variable can be updated once no other pending update reads it
        ready = next(
            (
                s
                for s in left
                if not any(s.name in E.free_vars(o.update) for o in left if o is not s)
            ),
            None,
        )
        if ready is None:  # a cycle (e.g. a swap): compute every new value first
            lets = [Step("let", fresh(f"{s.name}_next", taken), s.update) for s in left]
            return tuple(
                [Step("update", s.name, s.update) for s in order]
                + lets
                + [
                    Step("update", s.name, E.Var(let.name))
                    for s, let in zip(left, lets, strict=True)
                ]
            )
        order.append(ready)
        left.remove(ready)
    return tuple(Step("update", s.name, s.update) for s in order)
