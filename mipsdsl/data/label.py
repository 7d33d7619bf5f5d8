"""Targets from a task's definition: run the state updates step by step (`mipsdsl.program.unroll`,
shared with programs), then evaluate the sequence-level lets and the outputs over whole sequences.
"""

from __future__ import annotations

import numpy as np

from mipsdsl.errors import DataError
from mipsdsl.expr import EvaluationError, evaluate
from mipsdsl.program import UndefinedValue, unroll
from mipsdsl.task import Task


def label(task: Task, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Outputs (N, L, output channels) for inputs x (N, L, input channels); 0 past each end."""
    n, length, _ = x.shape
    valid = np.arange(length)[None, :] < lengths[:, None]
    env = {channel.name: x[..., i] for i, channel in enumerate(task.inputs)}
    step_level = [s for s in task.steps if not s.sequence_level]
    try:
        env.update(unroll(task.states, step_level, env, valid))
    except UndefinedValue as exc:
        raise DataError(str(exc), output=exc.name) from None
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


def _evaluate(expr, env, shape, position, valid, name):
    try:
        return evaluate(expr, env, shape, position, valid)
    except EvaluationError as exc:
        raise DataError(str(UndefinedValue(name, exc.index)), output=name) from None
