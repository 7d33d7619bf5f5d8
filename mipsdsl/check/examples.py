"""The examples-file route: a spec whose outputs come from a data file rather than from formulas.

The file is read here, at check time, so a file that does not fit the inputs is a diagnostic on the
`examples` line, and the task's length is the one the file holds; the output bounds are those the
spec states (`output y in [0, 40]`, which the file must respect), else those the file holds.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import numpy as np

from mipsdsl.check.context import Context
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.syntax import tree as T
from mipsdsl.task import DataConfig, Generator, InputChannel, OutputChannel, Task

# statements the data file stands in for, with the keyword each is written with
_DEFINED_BY_THE_FILE = (
    (T.LengthDecl, "length"),
    (T.GenerateDecl, "generate"),
    (T.StateInit, "state"),
    (T.LetDecl, "let"),
    (T.UpdateDecl, "update"),
)


def examples_task(
    ctx: Context,
    task_decl: T.TaskDecl | None,
    inputs: tuple[InputChannel, ...],
    examples: T.ExamplesDecl,
    by_type,
    data: DataConfig,
    hints: tuple[tuple[str, int | str], ...],
) -> Task | None:
    for cls, word in _DEFINED_BY_THE_FILE:
        for statement in by_type.get(cls, []):
            ctx.error(
                f"'{word}' cannot be used with 'examples': the data file defines the task",
                statement.span,
            )
    names, stated = [], {}
    for decl in by_type.get(T.OutputDecl, []):
        if decl.value is not None:
            ctx.error(
                "with 'examples' the outputs come from the data file; name them without '='",
                decl.value.span,
            )
        elif ctx.declare(decl.name, "an output"):
            names.append(decl.name.id)
            if decl.bounds is not None and decl.bounds[0] > decl.bounds[1]:
                ctx.error(f"the bounds [{decl.bounds[0]}, {decl.bounds[1]}] are empty", decl.span)
            elif decl.bounds is not None:
                stated[decl.name.id] = (decl.bounds, decl.span)
    if "\0" in examples.path:
        ctx.error("an examples file name cannot hold a NUL character", examples.span)
        return None
    path = (Path(ctx.spec.path).parent / examples.path).resolve()
    try:
        x, y, lengths = read_examples(path, inputs, shown=examples.path)
    except ExamplesError as exc:
        ctx.error(str(exc), examples.span)
        return None
    if ctx.failed() or task_decl is None:
        return None
    if not names:
        names = ["y"] if y.shape[2] == 1 else [f"y{i}" for i in range(y.shape[2])]
    if len(names) != y.shape[2]:
        ctx.error(
            f"{len(names)} outputs are named but {path.name} has {y.shape[2]} output channels",
            examples.span,
        )
        return None
    outputs = []
    valid = np.arange(y.shape[1])[None, :] < lengths[:, None]
    for i, name in enumerate(names):
        column = y[:, :, i][valid]
        seen = (int(column.min()), int(column.max()))
        (lo, hi), span = stated.get(name, (seen, None))
        if seen[0] < lo or seen[1] > hi:
            ctx.error(
                f"output '{name}' reaches {seen[0] if seen[0] < lo else seen[1]} in "
                f"{path.name}, outside its stated bounds [{lo}, {hi}]",
                span,
            )
        outputs.append(OutputChannel(name, None, lo, hi, from_data=name not in stated))
    if ctx.failed():
        return None
    digest = hashlib.sha256(ctx.spec.source.encode("utf-8"))
    digest.update(path.read_bytes())
    return Task(
        name=task_decl.name.id,
        description=task_decl.description or "",
        path=ctx.spec.path,
        sha256=digest.hexdigest(),
        inputs=inputs,
        length=(int(lengths.min()), int(lengths.max())),
        generator=Generator(),
        states=(),
        steps=(),
        outputs=tuple(outputs),
        data=replace(data, size=min(data.size, x.shape[0])),
        hints=hints,
        examples=str(path),
    )
