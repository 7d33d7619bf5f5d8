"""Names resolved and syntax expressions lowered to the IR: states, lets, updates and outputs become
initial values, `Step`s and output expressions, with every misuse of a name reported.
"""

from __future__ import annotations

from mipsdsl import expr as E
from mipsdsl.check.context import FUNCTIONS, INT64_SAFE, MAX_LENGTH, Context, suggest
from mipsdsl.check.patterns import compile_pattern
from mipsdsl.diagnostics import Span
from mipsdsl.program import Step
from mipsdsl.syntax import tree as T
from mipsdsl.task import InputChannel

MAX_EXPR_DEPTH = 100


# ---- states, steps and outputs ----
def states(ctx: Context, inits: list[T.StateInit]) -> list[tuple[str, int, Span]]:
    found = []
    for init in inits:
        expr = resolve(ctx, init.value, set(ctx.names), sequence=False, where="an initial value")
        if expr is None or not ctx.declare(init.name, "a state variable"):
            continue
        if E.free_vars(expr) or any(isinstance(n, E.Position) for n in E.walk(expr)):
            ctx.error("an initial value must be a constant", init.value.span)
            continue
        try:
            value = int(E.evaluate(expr, {}, (), 0, exact=True))
        except E.EvaluationError:
            ctx.error("the initial value divides by zero", init.value.span)
            continue
        found.append((init.name.id, value, init.span))
    return found


def body(
    ctx: Context, inputs: tuple[InputChannel, ...], states: list[tuple[str, int, Span]]
) -> tuple[tuple[Step, ...], list[tuple[str, E.Expr, Span]]]:
    """The lets and updates as steps, in spec order, and the outputs with where each is declared."""
    step_visible = {c.name for c in inputs} | {name for name, _, _ in states}
    sequence_visible = set(step_visible)
    steps: list[Step] = []
    outputs: list[tuple[str, E.Expr, Span]] = []
    updated = set()
    state_names = {name for name, _, _ in states}
    for statement in ctx.spec.statements:
        if isinstance(statement, T.LetDecl):
            expr = resolve(ctx, statement.value, sequence_visible, sequence=True, where="a let")
            if not ctx.declare(statement.name, "a let"):
                continue
            if expr is None:
                ctx.broken.add(statement.name.id)
                continue
            sequence_level = E.is_sequence_level(expr) or bool(
                E.free_vars(expr) & ctx.sequence_lets
            )
            if sequence_level:
                ctx.sequence_lets.add(statement.name.id)
            else:
                step_visible.add(statement.name.id)
            sequence_visible.add(statement.name.id)
            steps.append(Step("let", statement.name.id, expr, sequence_level))
        elif isinstance(statement, T.UpdateDecl):
            name = statement.name.id
            if name not in state_names:
                hint = suggest(name, state_names) if state_names else "; declare it with 'state'"
                ctx.error(f"'{name}' is not a state variable{hint}", statement.name.span)
                continue
            updated.add(name)
            expr = resolve(ctx, statement.value, step_visible, sequence=False, where="an update")
            if expr is not None:
                steps.append(Step("update", name, expr))
        elif isinstance(statement, T.OutputDecl):
            if statement.value is None:
                ctx.error(
                    f"output '{statement.name.id}' needs a value ('= expression'), or give the "
                    "outputs as data with 'examples'",
                    statement.span,
                )
                continue
            expr = resolve(ctx, statement.value, sequence_visible, sequence=True, where="an output")
            if expr is not None and ctx.declare(statement.name, "an output"):
                outputs.append((statement.name.id, expr, statement.span))
    for name, _, span in states:
        if name not in updated:
            ctx.warn(f"state variable '{name}' is never updated", span)
    if not outputs and not any(isinstance(s, T.OutputDecl) for s in ctx.spec.statements):
        ctx.error("missing 'output' statement: a task needs at least one output", None)
    return tuple(steps), outputs


# ---- expressions ----
def resolve(
    ctx: Context, node: T.SExpr, visible: set[str], sequence: bool, where: str
) -> E.Expr | None:
    """Syntax expression -> IR, reporting every problem; None if there was any."""
    if _depth(node) > MAX_EXPR_DEPTH:
        ctx.error(f"this expression is nested more than {MAX_EXPR_DEPTH} levels deep", node.span)
        return None
    before = len(ctx.diagnostics)
    expr = _resolve(ctx, node, visible, sequence, where)
    return None if ctx.failed(since=before) else expr


def _resolve(ctx: Context, node, visible, sequence, where):
    r = lambda n: _resolve(ctx, n, visible, sequence, where)  # noqa: E731
    if isinstance(node, T.Num):
        if node.value >= INT64_SAFE:
            ctx.error(f"the number {node.value} is too large (at most 2**62 - 1)", node.span)
        return E.Const(node.value)
    if isinstance(node, T.Sym):
        if node.char not in ctx.symbols:
            ctx.error(f"{node.char!r} is not a symbol of any input alphabet", node.span)
            return E.Const(0)
        return E.Const(ctx.symbols[node.char])
    if isinstance(node, T.Pos):
        return E.Position()
    if isinstance(node, T.Name):
        return _name(ctx, node, visible, sequence, where)
    if isinstance(node, T.Unary):
        return E.Unary("neg" if node.op == "-" else "not", r(node.operand))
    if isinstance(node, T.Binary):
        return E.Binary(node.op, r(node.left), r(node.right))
    if isinstance(node, T.Conditional):
        return E.Cond(r(node.test), r(node.then), r(node.orelse))
    if isinstance(node, T.Shift):
        return _shift(ctx, node, r, sequence, where)
    if isinstance(node, T.Call):
        return _call(ctx, node, r, sequence, where)
    raise TypeError(f"unknown syntax node {node!r}")


def _name(ctx: Context, node: T.Name, visible, sequence, where):
    if node.id in visible:
        return E.Var(node.id)
    if node.id in ctx.broken:  # its definition is already reported as wrong
        return E.Const(0)
    kind = ctx.names.get(node.id, (None,))[0]
    if kind == "an output":
        ctx.error(
            f"outputs cannot be read back; define '{node.id}' with 'let' and use that",
            node.span,
        )
    elif node.id in ctx.sequence_lets and not sequence:
        ctx.error(
            f"'{node.id}' uses a shift or an aggregate, so it is only known after the whole "
            f"step; {where} runs one step at a time",
            node.span,
        )
    elif kind is not None:
        ctx.error(f"'{node.id}' is used before it is defined", node.span)
    else:
        ctx.error(f"unknown name '{node.id}'{suggest(node.id, visible)}", node.span)
    return E.Const(0)


def _shift(ctx: Context, node: T.Shift, r, sequence, where):
    if node.offset < 0:
        ctx.error(
            "an output may depend on the past and present only: write t-k, not t+k", node.span
        )
        return E.Const(0)
    operand = r(node.operand)
    if node.offset == 0:
        return operand
    if not sequence:
        ctx.error(
            f"{where} runs one step at a time and cannot look back with [t-k]; keep the value "
            "in a state variable",
            node.span,
        )
        return operand
    if node.offset > MAX_LENGTH:
        ctx.error(f"a shift of {node.offset} is longer than any sequence", node.span)
    pad = ctx.pads.get(node.operand.id, 0) if isinstance(node.operand, T.Name) else 0
    return E.Shift(operand, node.offset, pad)


def _call(ctx: Context, node: T.Call, r, sequence, where):
    func, args = node.func, node.args
    if func not in FUNCTIONS:
        ctx.error(f"unknown function '{func}'{suggest(func, FUNCTIONS)}", node.func_span)
        return E.Const(0)
    resolved = [r(a) for a in args]
    elementwise = func == "abs" or (func in ("min", "max") and len(args) >= 2)
    if node.ties is not None and func != "mode":
        ctx.error("'ties' applies to mode() only", node.span)
    if node.pattern is not None and func != "matches":
        ctx.error(f"only matches() takes a regular expression, not {func}()", node.pattern.span)
    if node.full and node.window is None:
        ctx.error("'full' applies to a window: write 'last k, full'", node.span)
    if elementwise:
        if node.window is not None:
            ctx.error(
                f"'last' applies to aggregates; {func}() of several values has no window",
                node.span,
            )
        if func == "abs":
            if len(args) != 1:
                ctx.error(f"abs() takes one argument, not {len(args)}", node.span)
            return E.Unary("abs", resolved[0])
        return E.fold(func, resolved)
    if len(args) != 1:
        ctx.error(f"{func}() folds one sequence and takes one argument, not {len(args)}", node.span)
        return E.Const(0)
    if not sequence:
        ctx.error(
            f"{where} runs one step at a time and cannot use the aggregate {func}(); keep a "
            "running value in a state variable",
            node.span,
        )
        return E.Const(0)
    if func == "matches":
        return _matches(ctx, node, resolved[0])
    if node.window is not None:
        if func == "palindrome":
            ctx.error("palindrome() looks at the whole prefix and takes no 'last'", node.span)
        elif not 1 <= node.window <= MAX_LENGTH:
            ctx.error(
                f"a window of {node.window} positions is out of range (1 to {MAX_LENGTH})",
                node.span,
            )
    ties = node.ties or "smallest"
    if ties not in ("smallest", "largest"):
        ctx.error(f"ties go to the 'smallest' or the 'largest' value, not '{ties}'", node.span)
    return E.Aggregate(func, resolved[0], node.window, ties, node.full)


def _matches(ctx: Context, node: T.Call, arg: E.Expr) -> E.Expr:
    """`matches(e, "REGEX")`: an input with a character alphabet reads as its characters, any
    other value as a digit 0..9 (checked once bounds are known)."""
    if node.pattern is None:
        ctx.error('matches() takes a regular expression: matches(e, "1(01)*")', node.span)
        return E.Const(0)
    if node.window is not None:
        ctx.error("matches() reads the whole prefix and takes no 'last'", node.span)
    channel = ctx.channels.get(arg.name) if isinstance(arg, E.Var) else None
    if channel is not None and channel.symbols is not None:
        symbols, values = channel.symbols, channel.values
    else:
        ctx.digit_args.append((arg, node.args[0].span))
        digits = channel.values if channel is not None else range(10)
        values = tuple(v for v in digits if 0 <= v <= 9)
        symbols = tuple(str(v) for v in values)
    automaton = compile_pattern(ctx, node.pattern, symbols, values) if values else None
    return E.Const(0) if automaton is None else E.Matches(arg, automaton)


def _syntax_children(node) -> tuple:
    if isinstance(node, T.Unary | T.Shift):
        return (node.operand,)
    if isinstance(node, T.Binary):
        return (node.left, node.right)
    if isinstance(node, T.Conditional):
        return (node.test, node.then, node.orelse)
    if isinstance(node, T.Call):
        return node.args
    return ()


def _depth(root) -> int:
    """Nesting depth of a syntax expression, computed without recursion."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in _syntax_children(node))
    return deepest
