"""Lints for the traps at the start of a sequence, found by labelling generated data twice.

Windows are cut at position 0 and shifts read the input's pad there: documented, and what most
specs mean (`x xor x[t-1]`, `sum(x, last 3)`). Two readings are almost never meant, and each is
reported when it changes an output on the sample:

- `all(e, last k)` counts the missing positions as true, so it holds at t = 0 when e[0] does;
  the output is labelled again with `all(e, last k, full)` (false until k positions exist);
- a shift's pad kept by a fold over the whole prefix, so that the made-up value still counts
  where every window and shift of the output is full: the output is labelled again with other
  pads and compared there (an input that declares its `pad` says what it reads there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from mipsdsl import expr as E
from mipsdsl.data.dataset import Dataset
from mipsdsl.data.label import label
from mipsdsl.diagnostics import Diagnostic, Span, warning
from mipsdsl.errors import DataError
from mipsdsl.task import Task

Rule = Callable[[E.Expr], E.Expr]


def start_traps(
    task: Task, data: Dataset, spans: dict[str, Span], path: str, padded: set[str]
) -> list[Diagnostic]:
    """The start-of-sequence traps in `task`, found on `data` (labelled by `task`); the inputs
    in `padded` declare their pad, which is then what the spec means."""
    found = []
    for window in _cut_alls(task):
        change = _first_change(task, data, partial(_swapped, window, replace(window, full=True)))
        if change is not None:
            name, t = change
            found.append(
                warning(
                    f"all(..., last {window.window}) counts the positions before the start as "
                    f"true: output '{name}' changes at t = {t} with 'last {window.window}, full' "
                    f"(false until {window.window} positions exist); write that if it is meant",
                    path,
                    spans.get(name),
                )
            )
    lets = {step.name: step.expr for step in task.steps if step.sequence_level}
    reach = {o.name: _reach(o.expr, lets) for o in task.outputs if o.expr is not None}
    for step in (1, -1):
        rule = partial(_repadded, step=step, padded=padded)
        change = _first_change(task, data, rule, reach)
        if change is not None:
            name, t = change
            found.append(
                warning(
                    f"output '{name}' at t = {t} still depends on what a shift reads before the "
                    "start (its pad): an aggregate over the whole prefix keeps that value; "
                    "declare the pad the task means with 'pad', or guard the shift with "
                    "'t >= k'",
                    path,
                    spans.get(name),
                )
            )
            break
    return found


def _swapped(old: E.Expr, new: E.Expr, e: E.Expr) -> E.Expr:
    return new if e == old else e


def _repadded(e: E.Expr, step: int, padded: set[str]) -> E.Expr:
    """A shift with its pad moved by `step`, unless it shifts an input with a declared pad."""
    if not isinstance(e, E.Shift) or (isinstance(e.arg, E.Var) and e.arg.name in padded):
        return e
    return replace(e, pad=e.pad + step)


def _cut_alls(task: Task) -> list[E.Aggregate]:
    """The windowed `all`s (without `full`) of the outputs and sequence-level lets, each once."""
    exprs = [o.expr for o in task.outputs if o.expr is not None]
    exprs += [s.expr for s in task.steps if s.sequence_level]
    found: dict[E.Aggregate, None] = {}
    for expr in exprs:
        for node in E.walk(expr):
            if (
                isinstance(node, E.Aggregate)
                and node.kind == "all"
                and node.window not in (None, 1)
                and not node.full
            ):
                found[node] = None
    return list(found)


def _reach(e: E.Expr, lets: dict[str, E.Expr]) -> int:
    """How far back from t the windows and shifts of `e` reach (through the lets it reads): from
    t = reach on, none of them is cut. A fold over the whole prefix adds nothing: it is what
    keeps a cut value."""
    if isinstance(e, E.Var):
        return _reach(lets[e.name], lets) if e.name in lets else 0
    inner = max((_reach(child, lets) for child in E.children(e)), default=0)
    if isinstance(e, E.Shift):
        return inner + e.k
    if isinstance(e, E.Aggregate) and e.window is not None:
        return inner + e.window - 1
    return inner


def _first_change(
    task: Task, data: Dataset, rule: Rule, since: dict[str, int] | None = None
) -> tuple[str, int] | None:
    """The first output and position where labels of `task` rewritten by `rule` differ from
    `data`'s (from position `since[name]` on, when given); None when none does, or when the
    rewritten task cannot be labelled."""
    steps = tuple(
        replace(s, expr=E.rewrite(s.expr, rule)) if s.sequence_level else s for s in task.steps
    )
    outputs = tuple(
        o if o.expr is None else replace(o, expr=E.rewrite(o.expr, rule)) for o in task.outputs
    )
    if steps == task.steps and outputs == task.outputs:
        return None
    try:
        y = label(replace(task, steps=steps, outputs=outputs), data.x, data.lengths, exact=True)
    except DataError:
        return None
    positions = np.arange(data.x.shape[1])
    for i, output in enumerate(task.outputs):
        start = 0 if since is None else since.get(output.name, 0)
        differ = (y[..., i] != data.y[..., i]) & data.mask & (positions >= start)
        if differ.any():
            return output.name, int(np.argwhere(differ)[:, 1].min())
    return None
