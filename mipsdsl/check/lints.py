"""The lints that need data: a small generated sample is labelled, so a division by zero, an
output that never changes or a trap at the start of a sequence (`mipsdsl.check.traps`) is
reported before anyone trains on it.
"""

from __future__ import annotations

from mipsdsl.check.traps import start_traps
from mipsdsl.data import make_dataset
from mipsdsl.diagnostics import Diagnostic, error, warning
from mipsdsl.errors import DataError
from mipsdsl.syntax import tree as T
from mipsdsl.task import Task


def lint_on_data(task: Task, spec: T.Spec, sample: int) -> list[Diagnostic]:
    """Label a small sample: catch division by zero, outputs that never change and traps at the
    start of a sequence."""
    if sample <= 0:
        return []
    spans = {s.name.id: s.span for s in spec.statements if isinstance(s, T.OutputDecl)}
    try:
        data = make_dataset(task, n=min(sample, task.data.size), seed=task.data.seed)
    except DataError as exc:
        return [error(str(exc), spec.path, spans.get(exc.output or ""))]
    found = []
    for i, channel in enumerate(task.outputs):
        values = data.y[..., i][data.mask]
        if values.size and values.min() == values.max():
            found.append(
                warning(
                    f"output '{channel.name}' is {values[0]} on every generated sequence",
                    spec.path,
                    spans.get(channel.name),
                )
            )
    padded = {
        name.id
        for s in spec.statements
        if isinstance(s, T.InputDecl) and s.pad is not None
        for name in s.names
    }
    return found + start_traps(task, data, spans, spec.path, padded)
