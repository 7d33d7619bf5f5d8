"""Targets from a task's definition: run the state updates step by step (`mipsdsl.program.unroll`,
shared with programs), then evaluate the sequence-level lets and the outputs over whole sequences.

Every value is exact: int64 where bounds over the length labelled (or the values themselves) show
it cannot overflow, Python ints elsewhere. Labels are int64 for training and data files, so an
output whose values leave int64 is refused, unless the caller asks for `exact` labels (object
arrays) to compare against.
"""

from __future__ import annotations

import numpy as np

from mipsdsl.bounds import INT64, fits_int64, interval, within_bits
from mipsdsl.errors import DataError
from mipsdsl.expr import EvaluationError, free_vars
from mipsdsl.program import UndefinedValue, evaluate_exactly, narrowed, unroll
from mipsdsl.task import Task


def label(task: Task, x: np.ndarray, lengths: np.ndarray, exact: bool = False) -> np.ndarray:
    """Outputs (N, L, output channels) for inputs x (N, L, input channels); 0 past each end.

    int64, or with `exact` an object array of Python ints when some output's values leave int64
    (without `exact`, such an output raises `DataError`).
    """
    length = x.shape[1]
    valid = np.arange(length)[None, :] < lengths[:, None]
    env = {channel.name: x[..., i] for i, channel in enumerate(task.inputs)}
    step_level = [s for s in task.steps if not s.sequence_level]
    try:
        read = [o.expr for o in task.outputs] + [s.expr for s in task.steps if s.sequence_level]
        recorded, known = unroll(task.states, step_level, env, valid, _free_vars(read))
    except UndefinedValue as exc:
        raise DataError(str(exc), output=exc.name) from None
    env.update(recorded)
    positions = np.arange(length)
    for step in task.steps:
        if step.sequence_level:
            env[step.name], known[step.name] = _evaluate(step, env, known, positions, valid)
    columns = []
    for output in task.outputs:
        values = narrowed(np.where(valid, _evaluate(output, env, known, positions, valid)[0], 0))
        if values.dtype == object and not exact:
            raise _beyond_int64(output.name, values)
        columns.append(values)
    return np.stack(columns, axis=-1)


def _free_vars(exprs) -> set[str]:
    return set().union(*(free_vars(e) for e in exprs))


def _evaluate(target, env, known, positions, valid):
    """The values and bounds of a sequence-level let or an output (`name`, `expr`) over whole
    sequences; `TooLarge` before any work when its bounds are too wide to compute exactly."""
    length = positions.shape[0]
    bound = within_bits(target.name, interval(target.expr, known, length), length)
    wide = not fits_int64(target.expr, known, length)
    try:
        values = evaluate_exactly(target.expr, env, valid.shape, positions, valid, length, wide)
    except EvaluationError as exc:
        undefined = UndefinedValue(target.name, exc.index)
        raise DataError(str(undefined), output=target.name) from None
    return values, bound


def _beyond_int64(name: str, values: np.ndarray) -> DataError:
    """The error naming the output and its first value beyond int64."""
    beyond = ((values < INT64[0]) | (values > INT64[1])).astype(bool)
    i, t = (int(k) for k in np.argwhere(beyond)[0])
    return DataError(
        f"output '{name}' is {values[i, t]} at sequence {i}, position {t}, beyond 64-bit "
        "integers; data for training holds int64 values",
        output=name,
    )
