"""The checker: syntax tree -> `Task`, or every error it can find as `file:line:col` diagnostics.

Each job is a module of its own, reporting into one shared `Context`: `declarations` (task, inputs,
length, generator, data, hints), `lowering` (names resolved, expressions turned into the IR),
`bounding` (every value bounded by unrolling the steps), `examples` (a task whose outputs come
from a data file) and `lints` (the warnings that need generated data, run by `load_task`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from mipsdsl.check import bounding, declarations, lowering
from mipsdsl.check.context import MAX_LENGTH, Context
from mipsdsl.check.examples import examples_task
from mipsdsl.check.lints import lint_on_data
from mipsdsl.diagnostics import Diagnostic, Severity, SpecError, error
from mipsdsl.syntax import parse, read_spec
from mipsdsl.syntax import tree as T
from mipsdsl.task import Task

__all__ = ["MAX_LENGTH", "check", "load_task"]


def _task(ctx: Context) -> Task | None:
    """The task the passes build, or None once an error leaves nothing to build it from."""
    by_type: dict[type, list] = {}
    for statement in ctx.spec.statements:
        by_type.setdefault(type(statement), []).append(statement)

    task_decl = declarations.single(ctx, by_type, T.TaskDecl, "task", required=True)
    inputs = declarations.inputs(ctx, by_type.get(T.InputDecl, []))
    examples = declarations.single(ctx, by_type, T.ExamplesDecl, "examples")
    length_decl = declarations.single(
        ctx, by_type, T.LengthDecl, "length", required=examples is None
    )
    generate = declarations.single(ctx, by_type, T.GenerateDecl, "generate")
    data = declarations.data(ctx, declarations.single(ctx, by_type, T.DataDecl, "data"))
    hints = declarations.hints(ctx, by_type.get(T.HintDecl, []))

    if task_decl is not None:
        declarations.check_task_name(ctx, task_decl)

    if examples is not None:
        return examples_task(ctx, task_decl, inputs, examples, by_type, data, hints)

    length = declarations.length(ctx, length_decl)
    generator = declarations.generator(ctx, generate, inputs, length)
    states = lowering.states(ctx, by_type.get(T.StateInit, []))
    steps, outputs = lowering.body(ctx, inputs, states)
    if ctx.failed() or task_decl is None or length is None:
        return None
    bounded = bounding.bound_outputs(ctx, inputs, states, steps, outputs, length[1])
    if bounded is None:
        return None
    declarations.check_memory(ctx, data, length, inputs, bounded)
    return Task(
        name=task_decl.name.id,
        description=task_decl.description or "",
        path=ctx.spec.path,
        sha256=hashlib.sha256(ctx.spec.source.encode("utf-8")).hexdigest(),
        inputs=inputs,
        length=length,
        generator=generator,
        states=tuple((name, value) for name, value, _ in states),
        steps=steps,
        outputs=bounded,
        data=data,
        hints=hints,
    )


def check(spec: T.Spec) -> tuple[Task, list[Diagnostic]]:
    """Check a parsed spec. Returns the task and its warnings; raises `SpecError` on any error."""
    ctx = Context(spec)
    task = _task(ctx)
    diagnostics = sorted(
        ctx.diagnostics, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)
    )
    if task is None or any(d.severity is Severity.ERROR for d in diagnostics):
        if not any(d.severity is Severity.ERROR for d in diagnostics):
            diagnostics.append(error("the spec is incomplete", spec.path))
        raise SpecError(diagnostics, spec.source)
    return task, diagnostics


def load_task(path: str | Path, sample: int = 2000) -> tuple[Task, list[Diagnostic]]:
    """Read, parse and check a spec file, then lint it on `sample` generated sequences."""
    source = read_spec(path)
    spec = parse(source, str(path))
    task, diagnostics = check(spec)
    diagnostics += lint_on_data(task, spec, sample)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        raise SpecError(diagnostics, source)
    return task, diagnostics
