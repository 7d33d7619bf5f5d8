"""Targets from a task's definition: run the state updates step by step, then evaluate the
sequence-level lets and the outputs over whole sequences."""

from __future__ import annotations

import numpy as np

from mipsdsl.errors import DataError
from mipsdsl.expr import EvaluationError, evaluate
from mipsdsl.task import Task


def label(task: Task, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Outputs (N, L, output channels) for inputs x (N, L, input channels); 0 past each end."""
    n, length, _ = x.shape
    valid = np.arange(length)[None, :] < lengths[:, None]
    env = {channel.name: x[..., i] for i, channel in enumerate(task.inputs)}
    step_level = [s for s in task.steps if not s.sequence_level]
    if task.states or step_level:
        env.update(_run_steps(task, step_level, env, valid, n, length))
    positions = np.arange(length)
    for step in task.steps:
        if step.sequence_level:
            env[step.name] = _evaluate(step.expr, env, (n, length), positions, valid, step.name)
    y = np.stack(
        [_evaluate(o.expr, env, (n, length), positions, valid, o.name) for o in task.outputs],
        axis=-1,
    )
    y[~valid] = 0
    return y


def _run_steps(task, steps, env, valid, n, length) -> dict[str, np.ndarray]:
    state = {name: np.full(n, value, dtype=np.int64) for name, value in task.states}
    recorded = {name: np.zeros((n, length), dtype=np.int64) for name in state}
    recorded.update({s.name: np.zeros((n, length), dtype=np.int64) for s in steps})
    for t in range(length):
        scope = {name: column[:, t] for name, column in env.items()}
        scope.update(state)
        for step in steps:
            scope[step.name] = _evaluate(step.expr, scope, (n,), t, valid[:, t], step.name, t)
            if step.kind == "update":
                state[step.name] = scope[step.name]
        for name, column in recorded.items():
            column[:, t] = scope[name]
    return recorded


def _evaluate(expr, env, shape, position, valid, name, t=None):
    try:
        return evaluate(expr, env, shape, position, valid)
    except EvaluationError as exc:
        sequence = exc.index[0]
        at = exc.index[1] if t is None else t
        raise DataError(
            f"'{name}' divides by zero (sequence {sequence}, position {at})", output=name
        ) from None
