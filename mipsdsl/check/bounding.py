"""Bounds of every let, state and output over the longest sequence, by unrolling the steps; a value
too wide to bound exactly is an error, an output beyond 64-bit integers a warning.
"""

from __future__ import annotations

from mipsdsl import expr as E
from mipsdsl.bounds import Interval, TooLarge, in_int64, interval, unrolled, within_bits
from mipsdsl.check.context import Context
from mipsdsl.diagnostics import Span
from mipsdsl.program import Step
from mipsdsl.syntax import tree as T
from mipsdsl.task import InputChannel, OutputChannel


def bound_outputs(
    ctx: Context,
    inputs: tuple[InputChannel, ...],
    states: list[tuple[str, int, Span]],
    steps: tuple[Step, ...],
    outputs: list[tuple[str, E.Expr, Span]],
    length: int,
) -> tuple[OutputChannel, ...] | None:
    """Bounds of every value over the longest sequence, or None after reporting one too wide
    to compute exactly."""
    env: dict[str, Interval] = {c.name: (c.lo, c.hi) for c in inputs}
    # where a value is first assigned (a state that is never updated: declared)
    spans: dict[str, Span] = {}
    for statement in ctx.spec.statements:
        if isinstance(statement, T.LetDecl | T.UpdateDecl | T.OutputDecl):
            spans.setdefault(statement.name.id, statement.span)
    for name, _, span in states:
        spans.setdefault(name, span)
    initial = [(name, value) for name, value, _ in states]
    try:
        env = unrolled(env, initial, [s for s in steps if not s.sequence_level], length)
        for step in steps:
            if step.sequence_level:
                env[step.name] = within_bits(step.name, interval(step.expr, env, length), length)
        bounded = [
            (name, expr, span, within_bits(name, interval(expr, env, length), length))
            for name, expr, span in outputs
        ]
    except TooLarge as exc:
        ctx.error(str(exc), spans[exc.name])
        return None
    for arg, span in ctx.digit_args:
        lo, hi = interval(arg, env, length)
        if lo < 0 or hi > 9:
            ctx.error(
                f"matches() reads each value as one digit, 0 to 9, but this one lies in "
                f"[{lo}, {hi}]; map it onto digits first (for example with '%' or 'if')",
                span,
            )
    channels = []
    for name, expr, span, (lo, hi) in bounded:
        if not in_int64((lo, hi)):
            ctx.warn(
                f"output '{name}' may exceed 64-bit integers (bounds {lo}..{hi}); labels "
                "beyond them cannot be stored as training data",
                span,
            )
        channels.append(OutputChannel(name, expr, lo, hi))
    return tuple(channels)
