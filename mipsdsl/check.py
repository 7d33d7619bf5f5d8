"""The checker: syntax tree -> `Task`, or every error it can find as `file:line:col` diagnostics.

It resolves names, turns expressions into the IR, bounds every value by interval analysis, refuses
sizes no laptop could handle, and warns about likely mistakes. `load_task` adds the checks that need
data: a sample is generated and labelled, so an output that never changes or a division by zero
is reported before anyone trains on it.
"""

from __future__ import annotations

import difflib
import hashlib
import keyword
from dataclasses import replace
from pathlib import Path

import numpy as np

from mipsdsl import expr as E
from mipsdsl.bounds import Interval, TooLarge, in_int64, interval, unrolled, within_bits
from mipsdsl.data import make_dataset
from mipsdsl.data.dataset import check_size
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.diagnostics import (
    Diagnostic,
    Severity,
    Span,
    SpecError,
    error,
    warning,
)
from mipsdsl.errors import DataError
from mipsdsl.program import Step
from mipsdsl.syntax import parse, read_spec
from mipsdsl.syntax import tree as T
from mipsdsl.task import (
    DataConfig,
    Generator,
    GeneratorPart,
    InputChannel,
    OutputChannel,
    Task,
)

MAX_ALPHABET = 1 << 16
MAX_LENGTH = 10_000
MAX_CHANNELS = 64
MAX_DATA_SIZE = 100_000_000
INT64_SAFE = 1 << 62  # literals, alphabet values and pads stay below this
MAX_EXPR_DEPTH = 100

RESERVED = {
    "t",
    "task",
    "input",
    "in",
    "pad",
    "length",
    "generate",
    "then",
    "without",
    "duplicates",
    "uniform",
    "weighted",
    "palindrome",
    "state",
    "let",
    "update",
    "output",
    "examples",
    "data",
    "size",
    "train",
    "seed",
    "hint",
    "if",
    "else",
    "and",
    "or",
    "xor",
    "not",
    "last",
    "ties",
}

FUNCTIONS = ("abs", "min", "max", "sum", "count", "mode", "all", "any", "palindrome")
HINTS = {
    "hidden": range(1, 1025),
    "layers": range(1, 9),
    "width": range(1, 4097),
    "encoding": ("onehot", "raw"),
    "head": ("classify", "regress"),
    "transition": ("linear", "mlp"),
}


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Checker:
    def __init__(self, spec: T.Spec):
        self.spec = spec
        self.diagnostics: list[Diagnostic] = []
        self.names: dict[str, tuple[str, Span]] = {}  # name -> (kind, where defined)
        self.symbols: dict[str, int] = {}
        self.sequence_lets: set[str] = set()
        self.pads: dict[str, int] = {}  # input name -> what it reads before the start
        self.broken: set[str] = (
            set()
        )  # declared, but their definition had an error already reported

    # ---- reporting ----
    def error(self, message: str, span: Span | None) -> None:
        self.diagnostics.append(error(message, self.spec.path, span))

    def warn(self, message: str, span: Span | None) -> None:
        self.diagnostics.append(warning(message, self.spec.path, span))

    # ---- names ----
    def declare(self, ident: T.Ident, kind: str) -> bool:
        name = ident.id
        if (
            name in RESERVED
            or keyword.iskeyword(name)
            or name.startswith("__")
            or name in FUNCTIONS
        ):
            self.broken.add(name)  # report the bad name once, not at every use
        if name in RESERVED:
            self.error(f"'{name}' is a reserved word and cannot name {kind}", ident.span)
            return False
        if keyword.iskeyword(name) or name.startswith("__"):
            self.error(
                f"'{name}' cannot be used as a name (it would clash in generated Python)",
                ident.span,
            )
            return False
        if name in FUNCTIONS:
            self.error(f"'{name}' is a built-in function and cannot name {kind}", ident.span)
            return False
        if name in self.names:
            first_kind, first = self.names[name]
            self.error(
                f"'{name}' is already defined as {first_kind} on line {first.line}", ident.span
            )
            return False
        self.names[name] = (kind, ident.span)
        return True

    # ---- top level ----
    def run(self) -> Task | None:
        by_type: dict[type, list] = {}
        for statement in self.spec.statements:
            by_type.setdefault(type(statement), []).append(statement)

        task_decl = self._single(by_type, T.TaskDecl, "task", required=True)
        inputs = self._inputs(by_type.get(T.InputDecl, []))
        examples = self._single(by_type, T.ExamplesDecl, "examples")
        length_decl = self._single(by_type, T.LengthDecl, "length", required=examples is None)
        generate = self._single(by_type, T.GenerateDecl, "generate")
        data = self._data(self._single(by_type, T.DataDecl, "data"))
        hints = self._hints(by_type.get(T.HintDecl, []))

        if task_decl is not None:
            self._check_task_name(task_decl)

        if examples is not None:
            return self._examples_task(task_decl, inputs, examples, by_type, data, hints)

        length = self._length(length_decl)
        generator = self._generator(generate, inputs, length)
        states = self._states(by_type.get(T.StateInit, []))
        steps, outputs = self._body(inputs, states)
        failed = any(d.severity is Severity.ERROR for d in self.diagnostics)
        if failed or task_decl is None or length is None:
            return None
        outputs = self._bound_outputs(inputs, states, steps, outputs, length[1])
        if outputs is None:
            return None
        self._check_memory(data, length, inputs, outputs)
        return Task(
            name=task_decl.name.id,
            description=task_decl.description or "",
            path=self.spec.path,
            sha256=hashlib.sha256(self.spec.source.encode("utf-8")).hexdigest(),
            inputs=inputs,
            length=length,
            generator=generator,
            states=tuple((name, value) for name, value, _ in states),
            steps=steps,
            outputs=outputs,
            data=data,
            hints=hints,
        )

    def _single(self, by_type, cls, keyword_: str, required: bool = False):
        found = by_type.get(cls, [])
        for extra in found[1:]:
            self.error(
                f"'{keyword_}' is given more than once (first on line {found[0].span.line})",
                extra.span,
            )
        if required and not found:
            self.error(f"missing '{keyword_}' statement", None)
        return found[0] if found else None

    def _check_task_name(self, decl: T.TaskDecl) -> None:
        name = decl.name.id
        if keyword.iskeyword(name) or name.startswith("__"):
            self.error(
                f"'{name}' cannot be a task name (it would clash in generated Python)",
                decl.name.span,
            )

    # ---- inputs ----
    def _inputs(self, decls: list[T.InputDecl]) -> tuple[InputChannel, ...]:
        if not decls:
            self.error("missing 'input' statement: a task needs at least one input channel", None)
        channels = []
        for decl in decls:
            values, symbols = self._alphabet(decl.alphabet)
            if decl.pad is not None and abs(decl.pad) >= INT64_SAFE:
                self.error("the pad value must lie below 2**62 in size", decl.span)
                values = ()
            for ident in decl.names:
                if not self.declare(ident, "an input"):
                    continue
                if not values:
                    self.broken.add(ident.id)
                    continue
                self.pads[ident.id] = decl.pad or 0
                channels.append(InputChannel(ident.id, values, symbols, decl.pad or 0))
        if len(channels) > MAX_CHANNELS:
            self.error(
                f"{len(channels)} input channels is too many (at most {MAX_CHANNELS})",
                decls[-1].span,
            )
        return tuple(channels)

    def _alphabet(self, alphabet) -> tuple[tuple[int, ...], tuple[str, ...] | None]:
        span = alphabet.span
        if (
            isinstance(alphabet, T.RangeAlphabet)
            and max(abs(alphabet.lo), abs(alphabet.hi)) >= INT64_SAFE
        ):
            self.error("alphabet bounds must lie below 2**62 in size", span)
            return (), None
        if isinstance(alphabet, T.RangeAlphabet):
            hi = alphabet.hi + (1 if alphabet.closed else 0)
            if hi <= alphabet.lo:
                shown = f"[{alphabet.lo}, {alphabet.hi}{']' if alphabet.closed else ')'}"
                self.error(f"the alphabet {shown} is empty", span)
                return (), None
            if hi - alphabet.lo > MAX_ALPHABET:
                self.error(
                    f"an alphabet of {hi - alphabet.lo} values is too large "
                    f"(at most {MAX_ALPHABET})",
                    span,
                )
                return (), None
            if hi - alphabet.lo == 1:
                self.warn("the alphabet has a single value: the input carries no information", span)
            return tuple(range(alphabet.lo, hi)), None
        items = alphabet.items
        if any(isinstance(i, int) and abs(i) >= INT64_SAFE for i in items):
            self.error("alphabet values must lie below 2**62 in size", span)
            return (), None
        if len(set(items)) != len(items):
            dup = next(i for i in items if items.count(i) > 1)
            self.error(f"{dup!r} appears more than once in the alphabet", span)
            return (), None
        kinds = {type(i) for i in items}
        if kinds == {str}:
            for code, char in enumerate(items):
                if self.symbols.get(char, code) != code:
                    self.error(
                        f"the symbol {char!r} stands for {self.symbols[char]} in an earlier "
                        f"alphabet but for {code} here; list shared symbols in the same order",
                        span,
                    )
                self.symbols[char] = code
            return tuple(range(len(items))), tuple(items)
        if kinds != {int}:
            self.error(
                "an alphabet is either all integers or all quoted characters, not a mix", span
            )
            return (), None
        if len(items) > MAX_ALPHABET:
            self.error(
                f"an alphabet of {len(items)} values is too large (at most {MAX_ALPHABET})", span
            )
            return (), None
        return tuple(sorted(items)), None

    # ---- length, generator, data, hints ----
    def _length(self, decl: T.LengthDecl | None) -> tuple[int, int] | None:
        if decl is None:
            return None
        if decl.lo < 1:
            self.error("a sequence needs at least one position", decl.span)
            return None
        if decl.lo > decl.hi:
            self.error(f"the length range {decl.lo}..{decl.hi} is empty", decl.span)
            return None
        if decl.hi > MAX_LENGTH:
            self.error(f"length {decl.hi} is too long (at most {MAX_LENGTH})", decl.span)
            return None
        return decl.lo, decl.hi

    def _generator(self, decl, inputs, length) -> Generator:
        if decl is None:
            return Generator()
        parts = []
        for index, part in enumerate(decl.parts):
            last = index == len(decl.parts) - 1
            if part.length is not None:
                lo, hi = part.length
                if not 1 <= lo <= hi:
                    self.error(f"a part's length range {lo}..{hi} is empty or zero", part.span)
                elif length and hi > length[1]:
                    self.error(
                        f"a part of length up to {hi} does not fit sequences of length {length[1]}",
                        part.span,
                    )
            if last and part.length is not None and len(decl.parts) > 1:
                self.error(
                    "the last part fills the rest of the sequence; leave out its 'length'",
                    part.span,
                )
            if not last and part.length is None:
                self.error("every part but the last needs a 'length'", part.span)
            weights = self._weights(part, inputs) if part.kind == "weighted" else ()
            parts.append(
                GeneratorPart(
                    part.kind, part.length if not last or len(decl.parts) == 1 else None, weights
                )
            )
        if len(parts) == 1 and parts[0].length is not None:
            self.error(
                "a single part covers the whole sequence; set the sequence length with 'length'",
                decl.parts[0].span,
            )
        return Generator(tuple(parts), decl.without_duplicates)

    def _weights(self, part: T.Part, inputs) -> tuple[tuple[int, float], ...]:
        weights = []
        for item, weight in part.weights:
            code = self.symbols.get(item) if isinstance(item, str) else item
            if code is None:
                self.error(f"{item!r} is not a symbol of any input alphabet", part.span)
                continue
            outside = [c.name for c in inputs if code not in c.values]
            if outside:
                self.error(
                    f"the generator value {item!r} lies outside the alphabet of "
                    f"{', '.join(outside)}",
                    part.span,
                )
            weights.append((code, weight))
        if weights and sum(w for _, w in weights) <= 0:
            self.error("the weights must not all be zero", part.span)
        given = {c for c, w in weights if w > 0}
        for channel in inputs:
            never = [v for v in channel.values if v not in given]
            if never and len(never) < len(channel.values):
                shown = ", ".join(map(str, never[:5])) + (", ..." if len(never) > 5 else "")
                self.warn(
                    f"the generator never produces {shown} of the alphabet of {channel.name}",
                    part.span,
                )
        return tuple(weights)

    def _data(self, decl: T.DataDecl | None) -> DataConfig:
        if decl is None:
            return DataConfig()
        seen: dict[str, T.DataOption] = {}
        values = {}
        before = len(self.diagnostics)
        for option in decl.options:
            if option.key in seen:
                self.error(f"'{option.key}' is given more than once", option.span)
                continue
            seen[option.key] = option
            value = option.value
            if option.key == "size" and not 1 <= value <= MAX_DATA_SIZE:
                self.error(
                    f"a data set of {value} sequences is out of range (1 to {MAX_DATA_SIZE})",
                    option.span,
                )
            elif option.key == "train" and not 0 < value < 100:
                self.error("the training share must lie strictly between 0% and 100%", option.span)
            elif option.key == "seed" and value >= 2**32:
                self.error("the seed must be below 2**32", option.span)
            values[option.key] = value
        config = DataConfig()
        config = DataConfig(
            size=int(values.get("size", config.size)),
            train_fraction=values.get("train", config.train_fraction * 100) / 100,
            seed=int(values.get("seed", config.seed)),
        )
        n_train = round(config.size * config.train_fraction)  # as the data set splits it
        if len(self.diagnostics) == before and n_train == 0:
            self.error(
                f"{config.train_fraction:.0%} of {config.size} sequences leaves none for training",
                (seen.get("train") or seen.get("size") or decl).span,
            )
        return config

    def _check_memory(self, data: DataConfig, length, inputs, outputs) -> None:
        try:
            check_size(data.size, length[1], len(inputs) + len(outputs))
        except DataError as exc:
            self.error(f"{exc}; lower 'data size'", None)

    def _hints(self, decls: list[T.HintDecl]) -> tuple[tuple[str, int | str], ...]:
        hints = {}
        for decl in decls:
            name, value = decl.name.id, decl.value
            if name not in HINTS:
                self.error(f"unknown hint '{name}'{_suggest(name, HINTS)}", decl.name.span)
                continue
            if value not in HINTS[name]:
                allowed = HINTS[name]
                shown = (
                    f"{allowed.start}..{allowed.stop - 1}"
                    if isinstance(allowed, range)
                    else ", ".join(map(str, allowed))
                )
                self.error(f"hint '{name}' takes {shown}, not {value!r}", decl.span)
                continue
            hints[name] = value
        return tuple(sorted(hints.items()))

    # ---- states, steps and outputs ----
    def _states(self, inits: list[T.StateInit]) -> list[tuple[str, int, Span]]:
        states = []
        for init in inits:
            expr = self.resolve(
                init.value, set(self.names), sequence=False, where="an initial value"
            )
            if expr is None or not self.declare(init.name, "a state variable"):
                continue
            if E.free_vars(expr) or any(isinstance(n, E.Position) for n in E.walk(expr)):
                self.error("an initial value must be a constant", init.value.span)
                continue
            try:
                value = int(E.evaluate(expr, {}, (), 0, exact=True))
            except E.EvaluationError:
                self.error("the initial value divides by zero", init.value.span)
                continue
            states.append((init.name.id, value, init.span))
        return states

    def _body(self, inputs, states):
        step_visible = {c.name for c in inputs} | {name for name, _, _ in states}
        sequence_visible = set(step_visible)
        steps, outputs, updated = [], [], set()
        state_names = {name for name, _, _ in states}
        for statement in self.spec.statements:
            if isinstance(statement, T.LetDecl):
                expr = self.resolve(statement.value, sequence_visible, sequence=True, where="a let")
                if not self.declare(statement.name, "a let"):
                    continue
                if expr is None:
                    self.broken.add(statement.name.id)
                    continue
                sequence_level = E.is_sequence_level(expr) or bool(
                    E.free_vars(expr) & self.sequence_lets
                )
                if sequence_level:
                    self.sequence_lets.add(statement.name.id)
                else:
                    step_visible.add(statement.name.id)
                sequence_visible.add(statement.name.id)
                steps.append(Step("let", statement.name.id, expr, sequence_level))
            elif isinstance(statement, T.UpdateDecl):
                name = statement.name.id
                if name not in state_names:
                    hint = (
                        _suggest(name, state_names) if state_names else "; declare it with 'state'"
                    )
                    self.error(f"'{name}' is not a state variable{hint}", statement.name.span)
                    continue
                updated.add(name)
                expr = self.resolve(
                    statement.value, step_visible, sequence=False, where="an update"
                )
                if expr is not None:
                    steps.append(Step("update", name, expr))
            elif isinstance(statement, T.OutputDecl):
                if statement.value is None:
                    self.error(
                        f"output '{statement.name.id}' needs a value ('= expression'), or give the "
                        "outputs as data with 'examples'",
                        statement.span,
                    )
                    continue
                expr = self.resolve(
                    statement.value, sequence_visible, sequence=True, where="an output"
                )
                if expr is not None and self.declare(statement.name, "an output"):
                    outputs.append((statement.name.id, expr, statement.span))
        for name, _, span in states:
            if name not in updated:
                self.warn(f"state variable '{name}' is never updated", span)
        if not outputs and not any(isinstance(s, T.OutputDecl) for s in self.spec.statements):
            self.error("missing 'output' statement: a task needs at least one output", None)
        return tuple(steps), outputs

    def _bound_outputs(
        self, inputs, states, steps, outputs, length
    ) -> tuple[OutputChannel, ...] | None:
        """Bounds of every value over the longest sequence, or None after reporting one too wide
        to compute exactly."""
        env: dict[str, Interval] = {c.name: (c.lo, c.hi) for c in inputs}
        spans: dict[str, T.Span] = (
            {}
        )  # where a value is first assigned (a state that is never updated: declared)
        for statement in self.spec.statements:
            if isinstance(statement, T.LetDecl | T.UpdateDecl | T.OutputDecl):
                spans.setdefault(statement.name.id, statement.span)
        for name, _, span in states:
            spans.setdefault(name, span)
        initial = [(name, value) for name, value, _ in states]
        try:
            env = unrolled(env, initial, [s for s in steps if not s.sequence_level], length)
            for step in steps:
                if step.sequence_level:
                    env[step.name] = within_bits(
                        step.name, interval(step.expr, env, length), length
                    )
            bounded = [
                (name, expr, span, within_bits(name, interval(expr, env, length), length))
                for name, expr, span in outputs
            ]
        except TooLarge as exc:
            self.error(str(exc), spans[exc.name])
            return None
        channels = []
        for name, expr, span, (lo, hi) in bounded:
            if not in_int64((lo, hi)):
                self.warn(
                    f"output '{name}' may exceed 64-bit integers (bounds {lo}..{hi}); labels "
                    "beyond them cannot be stored as training data",
                    span,
                )
            channels.append(OutputChannel(name, expr, lo, hi))
        return tuple(channels)

    # ---- expressions ----
    def resolve(
        self, node: T.SExpr, visible: set[str], sequence: bool, where: str
    ) -> E.Expr | None:
        """Syntax expression -> IR, reporting every problem; None if there was any."""
        if _depth(node) > MAX_EXPR_DEPTH:
            self.error(
                f"this expression is nested more than {MAX_EXPR_DEPTH} levels deep", node.span
            )
            return None
        before = len(self.diagnostics)
        expr = self._resolve(node, visible, sequence, where)
        failed = any(d.severity is Severity.ERROR for d in self.diagnostics[before:])
        return None if failed else expr

    def _resolve(self, node, visible, sequence, where):
        r = lambda n: self._resolve(n, visible, sequence, where)  # noqa: E731
        if isinstance(node, T.Num):
            if node.value >= INT64_SAFE:
                self.error(f"the number {node.value} is too large (at most 2**62 - 1)", node.span)
            return E.Const(node.value)
        if isinstance(node, T.Sym):
            if node.char not in self.symbols:
                self.error(f"{node.char!r} is not a symbol of any input alphabet", node.span)
                return E.Const(0)
            return E.Const(self.symbols[node.char])
        if isinstance(node, T.Pos):
            return E.Position()
        if isinstance(node, T.Name):
            return self._name(node, visible, sequence, where)
        if isinstance(node, T.Unary):
            return E.Unary("neg" if node.op == "-" else "not", r(node.operand))
        if isinstance(node, T.Binary):
            return E.Binary(node.op, r(node.left), r(node.right))
        if isinstance(node, T.Conditional):
            return E.Cond(r(node.test), r(node.then), r(node.orelse))
        if isinstance(node, T.Shift):
            return self._shift(node, r, sequence, where)
        if isinstance(node, T.Call):
            return self._call(node, r, sequence, where)
        raise TypeError(f"unknown syntax node {node!r}")

    def _name(self, node: T.Name, visible, sequence, where):
        if node.id in visible:
            return E.Var(node.id)
        if node.id in self.broken:  # its definition is already reported as wrong
            return E.Const(0)
        kind = self.names.get(node.id, (None,))[0]
        if kind == "an output":
            self.error(
                f"outputs cannot be read back; define '{node.id}' with 'let' and use that",
                node.span,
            )
        elif node.id in self.sequence_lets and not sequence:
            self.error(
                f"'{node.id}' uses a shift or an aggregate, so it is only known after the whole "
                f"step; {where} runs one step at a time",
                node.span,
            )
        elif kind is not None:
            self.error(f"'{node.id}' is used before it is defined", node.span)
        else:
            self.error(f"unknown name '{node.id}'{_suggest(node.id, visible)}", node.span)
        return E.Const(0)

    def _shift(self, node: T.Shift, r, sequence, where):
        if node.offset < 0:
            self.error(
                "an output may depend on the past and present only: write t-k, not t+k", node.span
            )
            return E.Const(0)
        operand = r(node.operand)
        if node.offset == 0:
            return operand
        if not sequence:
            self.error(
                f"{where} runs one step at a time and cannot look back with [t-k]; keep the value "
                "in a state variable",
                node.span,
            )
            return operand
        if node.offset > MAX_LENGTH:
            self.error(f"a shift of {node.offset} is longer than any sequence", node.span)
        pad = self.pads.get(node.operand.id, 0) if isinstance(node.operand, T.Name) else 0
        return E.Shift(operand, node.offset, pad)

    def _call(self, node: T.Call, r, sequence, where):
        func, args = node.func, node.args
        if func not in FUNCTIONS:
            self.error(f"unknown function '{func}'{_suggest(func, FUNCTIONS)}", node.func_span)
            return E.Const(0)
        resolved = [r(a) for a in args]
        elementwise = func == "abs" or (func in ("min", "max") and len(args) >= 2)
        if node.ties is not None and func != "mode":
            self.error("'ties' applies to mode() only", node.span)
        if elementwise:
            if node.window is not None:
                self.error(
                    f"'last' applies to aggregates; {func}() of several values has no window",
                    node.span,
                )
            if func == "abs":
                if len(args) != 1:
                    self.error(f"abs() takes one argument, not {len(args)}", node.span)
                return E.Unary("abs", resolved[0])
            return E.fold(func, resolved)
        if len(args) != 1:
            self.error(
                f"{func}() folds one sequence and takes one argument, not {len(args)}", node.span
            )
            return E.Const(0)
        if not sequence:
            self.error(
                f"{where} runs one step at a time and cannot use the aggregate {func}(); keep a "
                "running value in a state variable",
                node.span,
            )
            return E.Const(0)
        if node.window is not None:
            if func == "palindrome":
                self.error("palindrome() looks at the whole prefix and takes no 'last'", node.span)
            elif not 1 <= node.window <= MAX_LENGTH:
                self.error(
                    f"a window of {node.window} positions is out of range (1 to {MAX_LENGTH})",
                    node.span,
                )
        ties = node.ties or "smallest"
        if ties not in ("smallest", "largest"):
            self.error(f"ties go to the 'smallest' or the 'largest' value, not '{ties}'", node.span)
        return E.Aggregate(func, resolved[0], node.window, ties)

    # ---- examples ----
    def _examples_task(self, task_decl, inputs, examples: T.ExamplesDecl, by_type, data, hints):
        for cls, word in (
            (T.LengthDecl, "length"),
            (T.GenerateDecl, "generate"),
            (T.StateInit, "state"),
            (T.LetDecl, "let"),
            (T.UpdateDecl, "update"),
        ):
            for statement in by_type.get(cls, []):
                self.error(
                    f"'{word}' cannot be used with 'examples': the data file defines the task",
                    statement.span,
                )
        names = []
        for decl in by_type.get(T.OutputDecl, []):
            if decl.value is not None:
                self.error(
                    "with 'examples' the outputs come from the data file; name them without '='",
                    decl.value.span,
                )
            elif self.declare(decl.name, "an output"):
                names.append(decl.name.id)
        if "\0" in examples.path:
            self.error("an examples file name cannot hold a NUL character", examples.span)
            return None
        path = (Path(self.spec.path).parent / examples.path).resolve()
        try:
            x, y, lengths = read_examples(path, inputs, shown=examples.path)
        except ExamplesError as exc:
            self.error(str(exc), examples.span)
            return None
        if any(d.severity is Severity.ERROR for d in self.diagnostics) or task_decl is None:
            return None
        if not names:
            names = ["y"] if y.shape[2] == 1 else [f"y{i}" for i in range(y.shape[2])]
        if len(names) != y.shape[2]:
            self.error(
                f"{len(names)} outputs are named but {path.name} has {y.shape[2]} output channels",
                examples.span,
            )
            return None
        outputs = []
        valid = np.arange(y.shape[1])[None, :] < lengths[:, None]
        for i, name in enumerate(names):
            column = y[:, :, i][valid]
            outputs.append(OutputChannel(name, None, int(column.min()), int(column.max())))
        digest = hashlib.sha256(self.spec.source.encode("utf-8"))
        digest.update(path.read_bytes())
        return Task(
            name=task_decl.name.id,
            description=task_decl.description or "",
            path=self.spec.path,
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


def check(spec: T.Spec) -> tuple[Task, list[Diagnostic]]:
    """Check a parsed spec. Returns the task and its warnings; raises `SpecError` on any error."""
    checker = _Checker(spec)
    task = checker.run()
    diagnostics = sorted(
        checker.diagnostics, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0)
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
    diagnostics += _lint_on_data(task, spec, sample)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        raise SpecError(diagnostics, source)
    return task, diagnostics


def _lint_on_data(task: Task, spec: T.Spec, sample: int) -> list[Diagnostic]:
    """Label a small sample: catch division by zero and outputs that never change."""
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
    return found
