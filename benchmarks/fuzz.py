"""Fuzzing: `check`, `data`, `verify` and the examples loader driven in-process with hostile input.

Five generators, taking turns: mutated specs (the bundled specs and well-formed random ones, with
characters, tokens and lines changed), token soup (random grammar tokens), corrupted .npz files
(bytes, dtypes, shapes and lengths), argument vectors, and random well-formed specs whose labels
are set against `reference_label`, a pure-Python evaluator that shares no code with mipsdsl's
vectorised numpy one. Every input is classified as one outcome:

- ok: accepted and right (labels equal to the reference's, an examples file read back unchanged);
- diagnostic: refused with a message (exit 1 or 2, `SpecError`, `DataError`, `ExamplesError`);
  a label refused although the reference computes it counts here too, and fuzz.json lists every
  refusal of a well-formed spec by message (`label_refusals`), so that none goes unseen;
- internal error: any other exception, exit 3, or a traceback on stderr: a bug of ours;
- timeout: the input ran past `--limit` seconds (signal-based, in-process);
- wrong label: labels other than the reference's, labels where the reference finds a division by
  zero or a value beyond int64, or an examples file read back with other values than it holds.

Input i is drawn from `random.Random(f"{seed}:{i}")`, so `--only i` replays it alone; each failing
input is saved under OUT/fuzz-failures/. Results go to OUT/fuzz.{json,md}. torch is never imported:
`train`, `compile` and `bench` are not fuzzed.

    python benchmarks/fuzz.py [-n 100000] [--seed 0] [--limit 5] [--out benchmarks/results/]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from pathlib import Path

import numpy as np

from mipsdsl import __version__, cli
from mipsdsl.check import check
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.data.label import label
from mipsdsl.diagnostics import Severity, SpecError
from mipsdsl.errors import MipsError
from mipsdsl.syntax import parse
from mipsdsl.task import InputChannel
from mipsdsl.verify import VerifyOptions, verify

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SPECS = sorted((ROOT / "specs").glob("*.mips"))
GENERATED = ROOT / "generated"
PACKAGE = Path(cli.__file__).resolve().parent

KINDS = ("mutated spec", "token soup", "corrupted npz", "argv", "well-formed spec")
OUTCOMES = ("ok", "diagnostic", "internal error", "timeout", "wrong label")
INT64_LO, INT64_HI = -(2**63), 2**63 - 1
BIG = 2**62 - 1  # the largest literal a spec may hold


class Timeout(BaseException):
    """The input ran past its time limit (a BaseException, so no `except Exception` swallows it)."""


class Refused(Exception):
    """The reference finds no label: a division by zero or an output beyond int64 (`why`)."""

    def __init__(self, why: str):
        super().__init__(why)
        self.why = why


@contextlib.contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise Timeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Result:
    """One input's outcome, a one-line note, and what groups it with failures of the same cause
    (`cause`, default: the note with its numbers blanked)."""

    def __init__(self, outcome: str, note: str = "", cause: str | None = None):
        self.outcome, self.note = outcome, note
        self.cause = cause or re.sub(r"[0-9]+", "N", note)[:80]
        self.files: dict = {}  # what replays the input, filled in while it is built


# ---------------------------------------------------------------- the reference evaluator
#
# Expressions are tuples: ("num", v), ("t",), ("var", name), (op, arg) for neg/not/abs,
# ("bin", op, a, b), ("minmax", op, [args]), ("if", c, a, b), ("shift", e, k, pad),
# ("agg", kind, e, window, ties). None stands for an undefined value (division by zero): it
# propagates through every operator, and `if` only takes it from the branch it picks.

BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: None if b == 0 else a // b,
    "%": lambda a, b: None if b == 0 else a % b,
    "==": lambda a, b: int(a == b),
    "!=": lambda a, b: int(a != b),
    "<": lambda a, b: int(a < b),
    "<=": lambda a, b: int(a <= b),
    ">": lambda a, b: int(a > b),
    ">=": lambda a, b: int(a >= b),
    "and": lambda a, b: int(bool(a) and bool(b)),
    "or": lambda a, b: int(bool(a) or bool(b)),
    "xor": lambda a, b: int(bool(a) != bool(b)),
}


def _mode(values: list[int], ties: str) -> int:
    counts = collections.Counter(values)
    best = max(counts.values())
    winners = [v for v, c in counts.items() if c == best]
    return min(winners) if ties == "smallest" else max(winners)


AGGREGATE = {
    "sum": sum,
    "count": lambda vs: sum(1 for v in vs if v != 0),
    "min": min,
    "max": max,
    "all": lambda vs: int(all(v != 0 for v in vs)),
    "any": lambda vs: int(any(v != 0 for v in vs)),
}


def ev(e: tuple, t: int, look, memo: dict, seen: list):
    """The value of `e` at position t (None: undefined); `look(name, t)` reads a variable.
    `seen` collects every value computed, so callers can tell when a value left int64."""
    key = (id(e), t)
    if key in memo:
        return memo[key]
    kind = e[0]
    if kind == "num":
        value = e[1]
    elif kind == "t":
        value = t
    elif kind == "var":
        value = look(e[1], t)
    elif kind in ("neg", "not", "abs"):
        a = ev(e[1], t, look, memo, seen)
        value = None if a is None else {"neg": -a, "not": int(a == 0), "abs": abs(a)}[kind]
    elif kind == "bin":
        a, b = ev(e[2], t, look, memo, seen), ev(e[3], t, look, memo, seen)
        value = None if a is None or b is None else BINARY[e[1]](a, b)
    elif kind == "minmax":
        args = [ev(a, t, look, memo, seen) for a in e[2]]
        value = None if None in args else (min if e[1] == "min" else max)(args)
    elif kind == "if":
        c = ev(e[1], t, look, memo, seen)
        value = None if c is None else ev(e[2] if c != 0 else e[3], t, look, memo, seen)
    elif kind == "shift":
        _, arg, k, pad = e
        value = pad if t - k < 0 else ev(arg, t - k, look, memo, seen)
    elif kind == "agg":
        _, fold, arg, window, ties = e
        start = 0 if window is None else max(0, t - window + 1)
        values = [ev(arg, s, look, memo, seen) for s in range(start, t + 1)]
        if None in values:
            value = None
        elif fold == "mode":
            value = _mode(values, ties)
        else:
            value = AGGREGATE[fold](values)
    else:
        raise ValueError(f"not a reference expression: {e!r}")
    if value is not None:
        seen.append(value)
    memo[key] = value
    return value


def is_sequence_level(e: tuple, sequence_lets: set[str]) -> bool:
    """As the language defines it: a shift t-k with k >= 1 or an aggregate, or a sequence-level
    let read, makes a let sequence-level (evaluated over the whole sequence after the steps)."""
    if e[0] == "shift" and e[2] >= 1 or e[0] == "agg":
        return True
    if e[0] == "var":
        return e[1] in sequence_lets
    return any(isinstance(c, tuple) and is_sequence_level(c, sequence_lets) for c in _children(e))


def _children(e: tuple) -> list:
    if e[0] == "minmax":
        return list(e[2])
    return [c for c in e[1:] if isinstance(c, tuple)]


def reference_label(spec: dict, xs: list, exact: bool = False) -> tuple[list, bool]:
    """Outputs per sequence, per position, per channel, as Python ints, and whether any value on
    the way (state, let, intermediate) left int64. Raises `Refused` where mipsdsl must refuse:
    on a division by zero, and on an output beyond int64 unless the labels are `exact`."""
    wide = False
    results = []
    for sequence in xs:
        m = len(sequence)
        columns = {name: [p[c] for p in sequence] for c, name in enumerate(spec["input_names"])}
        states = dict(spec["states"])
        recorded = {name: [] for name in states}
        recorded.update({s[1]: [] for s in spec["steps"] if not s[3]})
        seen: list[int] = list(states.values())
        for t in range(m):
            scope = {name: column[t] for name, column in columns.items()}
            scope.update(states)
            for kind, name, expr, sequence_level in spec["steps"]:
                if sequence_level:
                    continue
                value = ev(expr, t, lambda n, _t, scope=scope: scope[n], {}, seen)
                if value is None:
                    raise Refused("division by zero")
                scope[name] = value
                if kind == "update":
                    states[name] = value
            for name, column in recorded.items():
                column.append(scope[name])
        env = {**columns, **recorded}

        def look(n, t, env=env):
            return env[n][t]

        for _kind, name, expr, sequence_level in spec["steps"]:
            if sequence_level:
                memo: dict = {}
                env[name] = [ev(expr, t, look, memo, seen) for t in range(m)]
                if None in env[name]:
                    raise Refused("division by zero")
        outputs = []
        for _, expr in spec["outputs"]:
            memo = {}
            values = [ev(expr, t, look, memo, seen) for t in range(m)]
            if None in values:
                raise Refused("division by zero")
            if not exact and any(not INT64_LO <= v <= INT64_HI for v in values):
                raise Refused("an output beyond int64")
            outputs.append(values)
        wide = wide or any(not INT64_LO <= v <= INT64_HI for v in seen)
        results.append([tuple(o[t] for o in outputs) for t in range(m)])
    return results, wide


# ---------------------------------------------------------------- random well-formed specs

# Binding levels, as in grammar/mips.lark: if 0, or/xor 1, and 2, not 3, comparisons 4, + - 5,
# * // % 6, unary minus 7, e[t-k] 8, primaries 9.
LEVEL = {"or": 1, "xor": 1, "and": 2, "cmp": 4, "add": 5, "mul": 6}
GROUP = {"+": "add", "-": "add", "*": "mul", "//": "mul", "%": "mul", "and": "and", "or": "or"}
GROUP.update({"xor": "xor", **{op: "cmp" for op in ("==", "!=", "<", "<=", ">", ">=")}})
BIG_CONSTANTS = (BIG, 2**40, 10**18, 3037000500, 2**31)


def show(e: tuple, rng: random.Random, symbols: dict[int, str]) -> tuple[str, int]:
    """Spec text for `e` and its binding level (9: a primary), with the parentheses the grammar
    needs and, now and then, some it does not."""
    text, level = _show(e, rng, symbols)
    if rng.random() < 0.05:
        return f"({text})", 9
    return text, level


def _show(e, rng, symbols):
    def at(sub, need):
        text, level = show(sub, rng, symbols)
        return text if level >= need else f"({text})"

    kind = e[0]
    if kind == "num":
        return (f"'{symbols[e[1]]}'" if e[1] in symbols and rng.random() < 0.5 else str(e[1])), 9
    if kind == "t":
        return "t", 9
    if kind == "var":
        return e[1], 9
    if kind == "neg":
        return "- " + at(e[1], 7), 7
    if kind == "not":
        return "not " + at(e[1], 3), 3
    if kind == "abs":
        return f"abs({at(e[1], 0)})", 9
    if kind == "minmax":
        return f"{e[1]}({', '.join(at(a, 0) for a in e[2])})", 9
    if kind == "if":
        return f"if {at(e[1], 0)} then {at(e[2], 0)} else {at(e[3], 0)}", 0
    if kind == "shift":
        operand = e[1][1] if e[1][0] == "var" else at(e[1], 9)  # a bare name reads its pad
        return f"{operand}[t-{e[2]}]" if e[2] else f"{operand}[t]", 8
    if kind == "agg":
        _, fold, arg, window, ties = e
        extra = "" if window is None else f", last {window}"
        extra += (
            f", ties {ties}"
            if fold == "mode" and (ties != "smallest" or rng.random() < 0.5)
            else ""
        )
        return f"{fold}({at(arg, 0)}{extra})", 9
    op = e[1]
    level = LEVEL[GROUP[op]]
    if GROUP[op] == "cmp":
        return f"{at(e[2], 5)} {op} {at(e[3], 5)}", 4
    return f"{at(e[2], level)} {op} {at(e[3], level + 1)}", level


class SpecMaker:
    """A random spec within the reference's subset, as text and as the reference's description."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.wide = rng.random() < 0.4  # big constants: values beyond int64 on the way

    def expr(self, names: list[str], depth: int, sequence: bool, pads: dict) -> tuple:
        rng = self.rng
        if depth <= 0 or rng.random() < 0.25:
            return self.leaf(names)
        choice = rng.random()
        sub = lambda: self.expr(names, depth - 1, sequence, pads)  # noqa: E731
        if self.wide and rng.random() < 0.2:  # large products: past int64 in a step or two
            return ("bin", rng.choice(("*", "+", "-")), sub(), ("num", rng.choice(BIG_CONSTANTS)))
        if sequence and choice < 0.15:
            fold = rng.choice(("sum", "count", "min", "max", "all", "any", "mode"))
            window = rng.choice((None, None, 1, 2, 3, 5, 9))
            return ("agg", fold, sub(), window, rng.choice(("smallest", "largest")))
        if sequence and choice < 0.27:
            arg = self.leaf(names) if rng.random() < 0.5 else sub()
            pad = pads.get(arg[1], 0) if arg[0] == "var" else 0
            return ("shift", arg, rng.choice((0, 1, 1, 2, 3, 7)), pad)
        if choice < 0.35:
            return (rng.choice(("neg", "not", "abs")), sub())
        if choice < 0.42:
            return ("minmax", rng.choice(("min", "max")), [sub() for _ in range(rng.randint(2, 3))])
        if choice < 0.52:
            if rng.random() < 0.4:  # the guarded division of the README
                a, b = sub(), sub()
                return (
                    "if",
                    ("bin", "!=", b, ("num", 0)),
                    ("bin", rng.choice(("//", "%")), a, b),
                    sub(),
                )
            return ("if", sub(), sub(), sub())
        op = rng.choice(tuple(BINARY))
        if op in ("//", "%") and rng.random() < 0.6:
            divisor = rng.choice((1, 2, 3, 5, 7))
            right = ("num", divisor) if rng.random() < 0.7 else ("neg", ("num", divisor))
            return ("bin", op, sub(), right)
        return ("bin", op, sub(), sub())

    def leaf(self, names: list[str]) -> tuple:
        rng = self.rng
        choice = rng.random()
        if names and choice < (0.45 if self.wide else 0.6):
            return ("var", rng.choice(names))
        if choice < (0.5 if self.wide else 0.68):
            return ("t",)
        if self.wide and choice < 0.85:
            return ("num", rng.choice(BIG_CONSTANTS))
        value = rng.choice((0, 1, 2, 3, 4, 5, 10))
        return ("num", value) if rng.random() < 0.8 else ("neg", ("num", value))

    def constant(self) -> tuple:
        leaf = self.leaf([])
        return ("num", 1) if leaf[0] == "t" else leaf

    def make(self, index: int) -> tuple[str, dict]:
        rng = self.rng
        lines = [f'task fuzz_{index} "A random spec within the reference evaluator\'s subset."']
        input_names, alphabets, pads, symbols = [], [], {}, {}
        for name in ("x", "w")[: rng.choice((1, 1, 2))]:
            style = rng.random()
            if style < 0.4:
                lo = rng.randint(-3, 2)
                hi = lo + rng.randint(1, 4)
                alphabet, text = list(range(lo, hi)), f"[{lo}, {hi})"
            elif style < 0.6:
                lo = rng.randint(-3, 2)
                hi = lo + rng.randint(0, 3)
                alphabet, text = list(range(lo, hi + 1)), f"[{lo}, {hi}]"
            elif style < 0.85:
                pool = (-7, -2, -1, 0, 1, 2, 3, 5, 9) + ((BIG, -BIG) if self.wide else ())
                alphabet = sorted(rng.sample(pool, rng.randint(1, 4)))
                text = "{" + ", ".join(map(str, rng.sample(alphabet, len(alphabet)))) + "}"
            else:
                chars = ("a", "b", "(", ")")[: rng.randint(2, 4)]
                symbols.update(enumerate(chars))
                alphabet = list(range(len(chars)))
                text = "{" + ", ".join(f"'{c}'" for c in chars) + "}"
            pad = rng.choice((None, None, 0, -1, 2, 7))
            pads[name] = pad or 0
            lines.append(f"input {name} in {text}" + ("" if pad is None else f" pad {pad}"))
            input_names.append(name)
            alphabets.append(alphabet)
        lo = rng.randint(1, 6)
        hi = lo if rng.random() < 0.7 else lo + rng.randint(1, 3)
        lines.append(f"length {lo}" if lo == hi else f"length {lo}..{hi}")
        states = []
        for name in ("s", "r")[: rng.choice((0, 0, 1, 1, 2))]:
            init = (
                self.constant()
                if rng.random() < 0.7
                else ("bin", "*", self.constant(), self.constant())
            )
            value = ev(init, 0, None, {}, [])
            states.append((name, value))
            lines.append(f"state {name} = {show(init, rng, {})[0]}")
        step_visible = list(input_names) + [s for s, _ in states]
        sequence_visible = list(step_visible)
        sequence_lets: set[str] = set()
        steps = []
        for n in range(rng.randint(0, 4)):
            if states and rng.random() < 0.45:
                name = rng.choice(states)[0]
                expr = self.expr(step_visible, 3, False, pads)
                steps.append(("update", name, expr, False))
                lines.append(f"update {name} = {show(expr, rng, symbols)[0]}")
                continue
            name = f"v{n}"
            sequence = rng.random() < 0.6
            expr = self.expr(sequence_visible if sequence else step_visible, 3, sequence, pads)
            level = is_sequence_level(expr, sequence_lets)
            if level:
                sequence_lets.add(name)
            else:
                step_visible.append(name)
            sequence_visible.append(name)
            steps.append(("let", name, expr, level))
            lines.append(f"let {name} = {show(expr, rng, symbols)[0]}")
        for s, _ in states:
            if not any(step[1] == s and step[0] == "update" for step in steps):
                expr = ("bin", "+", ("var", s), self.leaf(step_visible))
                steps.append(("update", s, expr, False))
                lines.append(f"update {s} = {show(expr, rng, symbols)[0]}")
        outputs = []
        for name in ("y", "z")[: rng.choice((1, 1, 2))]:
            expr = self.expr(sequence_visible, 4, True, pads)
            if self.wide and rng.random() < 0.7:  # back into int64, so that it can be labelled
                expr = rng.choice(
                    (
                        ("bin", "%", expr, ("num", rng.choice((3, 7, BIG)))),
                        ("bin", "//", expr, ("num", rng.choice((BIG, 2**40)))),
                        (
                            "bin",
                            rng.choice((">", "==", "<=")),
                            expr,
                            self.expr(sequence_visible, 2, True, pads),
                        ),
                    )
                )
            outputs.append((name, expr))
            lines.append(f"output {name} = {show(expr, rng, symbols)[0]}")
        spec = {
            "input_names": input_names,
            "alphabets": alphabets,
            "length": (lo, hi),
            "states": states,
            "steps": steps,
            "outputs": outputs,
        }
        return "\n".join(lines) + "\n", spec


def fuzz_labels(rng: random.Random, index: int, work: Path, files: dict) -> Result:
    """A random well-formed spec: mipsdsl's labels of small random inputs against the reference."""
    text, spec = SpecMaker(rng).make(index)
    lo, hi = spec["length"]
    xs = [
        [tuple(rng.choice(a) for a in spec["alphabets"]) for _ in range(rng.randint(lo, hi))]
        for _ in range(rng.randint(1, 8))
    ]
    files.update({"spec.mips": text, "inputs.json": json.dumps(xs)})
    try:
        task, _ = check(parse(text, "fuzz.mips"))
    except SpecError as exc:
        first = next(d for d in exc.diagnostics if d.severity is Severity.ERROR)
        return Result("diagnostic", "checker: " + first.message)
    except MipsError as exc:
        return Result("diagnostic", f"checker: {exc}")
    x = np.zeros((len(xs), hi, len(spec["alphabets"])), dtype=np.int64)
    for i, sequence in enumerate(xs):
        if sequence:
            x[i, : len(sequence)] = sequence
    lengths = np.array([len(s) for s in xs], dtype=np.int64)
    try:
        expected, wide = reference_label(spec, xs)
    except Refused as exc:
        expected, wide, refusal = None, False, exc.why
    try:
        y = label(task, x, lengths)
    except MipsError as exc:
        if expected is None:
            return Result("diagnostic", f"refused ({refusal}): {exc}")
        return Result("diagnostic", f"refused a label the reference computes: {exc}")
    if expected is None:
        return Result("wrong label", f"labelled where the reference finds {refusal}", refusal)
    for i, rows in enumerate(expected):
        got = [tuple(int(v) for v in y[i, t]) for t in range(len(rows))]
        if got != rows or y[i, len(rows) :].any():
            t = next((t for t in range(len(rows)) if got[t] != rows[t]), len(rows))
            note = f"sequence {i} t={t}: expected {rows[t:t + 1]}, got {got[t:t + 1]}"
            cause = "values beyond int64 on the way" if wide else "values within int64"
            return Result("wrong label", note, cause)
    if rng.random() < 0.3:
        return _verify_reference(task, spec, files, wide)
    return Result("ok", "beyond int64 on the way" if wide else "")


def _verify_reference(task, spec: dict, files: dict, wide: bool) -> Result:
    """`mipsdsl.verify` (held-out, exhaustive, 10x longer) with the reference as the candidate: it
    must pass, since labels and reference agree, or refuse with a diagnostic. Verification
    compares exact labels, so the candidate's values beyond int64 come as Python ints."""

    def candidate(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        xs = [
            [tuple(p) for p in row[:m]] for row, m in zip(x.tolist(), lengths.tolist(), strict=True)
        ]
        y = np.zeros((*x.shape[:2], len(spec["outputs"])), dtype=object)
        for i, rows in enumerate(reference_label(spec, xs, exact=True)[0]):
            y[i, : len(rows)] = rows
        inside = all(INT64_LO <= v <= INT64_HI for v in y.ravel().tolist())
        return y.astype(np.int64) if inside else y

    try:
        verdict = verify(task, candidate, VerifyOptions(held_out=20, longer=3, exhaustive_limit=64))
    except Refused as exc:
        return Result(
            "wrong label", f"verify labelled where the reference finds {exc.why}", exc.why
        )
    except MipsError as exc:
        return Result("diagnostic", f"verify: {exc}")
    if not verdict.passed:
        files["verdict.txt"] = verdict.report()
        return Result("wrong label", "verify: " + " / ".join(verdict.summary_lines()), "verify")
    return Result("ok", "beyond int64 on the way" if wide else "")


# ---------------------------------------------------------------- the CLI, in-process


def run_cli(argv: list[str], files: dict) -> Result:
    """`mipsc argv` in this process; an exception escaping `main` is an internal error (the
    fuzzer sets MIPSDSL_DEBUG, so `main` re-raises where it would print 'internal error')."""
    files["argv.json"] = json.dumps(argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = cli.main(argv)
        except SystemExit as exc:  # argparse: 2 on a usage error, 0 for --help and --version
            code = exc.code
    stderr = files["stderr.txt"] = err.getvalue()
    if "Traceback (most recent call last)" in stderr or "internal error" in stderr:
        return Result("internal error", stderr.strip().splitlines()[-1])
    if code == 0:
        return Result("ok", "")
    if code in (1, 2):
        first = stderr.strip().splitlines()[:1]
        return Result("diagnostic", first[0] if first else f"exit {code}")
    return Result("internal error", f"exit status {code!r}")


MODULES = {  # modules for `mipsc verify`: right for some specs, wrong or broken for the rest
    "echo.py": "def run(xs):\n    return [x if isinstance(x, int) else x[0] for x in xs]\n",
    "zeros.py": "def run(xs):\n    return [0 for _ in xs]\n",
    "raises.py": "def run(xs):\n    raise ValueError('no')\n",
    "short.py": "def run(xs):\n    return [0]\n",
    "huge.py": "def run(xs):\n    return [2**70 for _ in xs]\n",
    "floats.py": "def run(xs):\n    return [0.5 for _ in xs]\n",
    "tuples.py": "def run(xs):\n    return [(0, 1) for _ in xs]\n",
    "none.py": "def run(xs):\n    return None\n",
    "exits.py": "import sys\ndef run(xs):\n    sys.exit(3)\n",
    "norun.py": "run = 3\n",
    "syntax.py": "def run(xs)\n",
    "import_error.py": "import no_such_module_here\n",
}


def _module_for(rng: random.Random, work: Path, task_name: str | None) -> str:
    matching = GENERATED / f"{task_name}.py"
    if task_name and matching.is_file() and rng.random() < 0.6:
        return str(matching)
    name = rng.choice(tuple(MODULES))
    (work / name).write_text(MODULES[name])
    return str(work / name)


def _small_verify_options(rng: random.Random) -> list[str]:
    return [
        "-n",
        str(rng.randint(1, 20)),
        "--longer",
        str(rng.randint(1, 3)),
        "--exhaustive-limit",
        str(rng.randint(1, 300)),
    ]


def _command(rng: random.Random, spec: str, work: Path, task_name: str | None) -> list[str]:
    choice = rng.random()
    if choice < 0.55:
        return ["check", spec] + rng.sample(["--json", "-q"], rng.randint(0, 2))
    if choice < 0.85:
        argv = ["data", spec, "-n", str(rng.randint(1, 6))]
        if rng.random() < 0.3:
            argv += ["--length", str(rng.randint(1, 30))]
        if rng.random() < 0.4:
            argv += ["-o", str(work / "out.npz")]
        return argv
    return ["verify", spec, _module_for(rng, work, task_name)] + _small_verify_options(rng)


# ---------------------------------------------------------------- mutated specs

INTERESTING_NUMBERS = (
    "0",
    "1",
    "-1",
    "2",
    "10",
    "9999",
    "10000",
    "10001",
    "65536",
    "65537",
    "2147483648",
    str(BIG),
    str(BIG + 1),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "1" + "0" * 30,
    "007",
    "-0",
    "1.5",
    "100",
    "99.99",
)
TOKENS = (
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
    "t",
    "x",
    "y",
    "s",
    "a",
    "sum",
    "count",
    "min",
    "max",
    "mode",
    "all",
    "any",
    "abs",
    "smallest",
    "largest",
    "hidden",
    "layers",
    "width",
    "encoding",
    "onehot",
    "head",
    "class",
    "__x",
    "None",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    "=",
    ":",
    "%",
    "..",
    "+",
    "-",
    "*",
    "//",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "t-1",
    "t+1",
    "t-10001",
    "'a'",
    "'('",
    "''",
    "'\\'",
    '"x"',
    '""',
    '"unterminated',
    "#",
    "\n",
    "\n",
    "\n",
    "\r\n",
    "\t",
    " ",
    "\x00",
    "é",
    "∑",
    "\ufeff",
)
INTERESTING_NUMBERS_SET = set(INTERESTING_NUMBERS)


def mutate(text: str, rng: random.Random) -> str:
    """One to three random edits: characters, numbers, tokens or whole lines."""
    for _ in range(rng.randint(1, 3)):
        choice = rng.random()
        n = len(text)
        at = rng.randint(0, n)
        if choice < 0.15 and n:
            text = text[:at] + text[at + rng.randint(1, 8) :]
        elif choice < 0.3:
            text = text[:at] + rng.choice(TOKENS) + text[at:]
        elif choice < 0.5:
            numbers = list(re.finditer(r"-?\d+(\.\d+)?", text))
            if numbers:
                m = rng.choice(numbers)
                text = text[: m.start()] + rng.choice(INTERESTING_NUMBERS) + text[m.end() :]
        elif choice < 0.65:
            words = list(re.finditer(r"[A-Za-z_]\w*|//|==|!=|<=|>=|[-+*%<>=,()\[\]{}]", text))
            if words:
                m = rng.choice(words)
                text = text[: m.start()] + rng.choice(TOKENS) + text[m.end() :]
        else:
            lines = text.split("\n")
            i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
            if choice < 0.75:
                del lines[i]
            elif choice < 0.85:
                lines.insert(j, lines[i])
            elif choice < 0.92:
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines.insert(j, rng.choice(SOURCES).split("\n")[rng.randrange(4)])
            text = "\n".join(lines)
    if rng.random() < 0.05:
        text = text[: rng.randint(0, len(text))]
    return text


SOURCES = [p.read_text(encoding="utf-8") for p in SPECS]


def fuzz_mutated(rng: random.Random, index: int, work: Path, files: dict) -> Result:
    """A bundled spec (or a random well-formed one), mutated, through check, data or verify."""
    if rng.random() < 0.7:
        source_path = rng.choice(SPECS)
        text, task_name = source_path.read_text(encoding="utf-8"), source_path.stem
    else:
        text, task_name = SpecMaker(rng).make(index)[0], None
    path = work / "spec.mips"
    files["spec.mips"] = mutate(text, rng)
    path.write_text(files["spec.mips"], encoding="utf-8")
    return run_cli(_command(rng, str(path), work, task_name), files)


SOUP_HEADS = (
    "task fuzz",
    "input x in",
    "length",
    "state",
    "let v =",
    "output y =",
    "update s =",
    "generate",
    "data",
    "hint",
    "examples",
    "input",
)


def fuzz_soup(rng: random.Random, index: int, work: Path, files: dict) -> Result:
    """Random grammar tokens: statement keywords with random operands, or no structure at all."""
    lines = []
    for _ in range(rng.randint(1, 12)):
        if rng.random() < 0.7:
            head = rng.choice(SOUP_HEADS)
            lines.append(head + " " + " ".join(_soup_token(rng) for _ in range(rng.randint(0, 10))))
        else:
            lines.append("".join(_soup_token(rng) for _ in range(rng.randint(0, 12))))
    path = work / "soup.mips"
    files["soup.mips"] = "\n".join(lines)
    path.write_text(files["soup.mips"], encoding="utf-8")
    return run_cli(["check", str(path)] + rng.sample(["--json", "-q"], rng.randint(0, 2)), files)


def _soup_token(rng: random.Random) -> str:
    return rng.choice(INTERESTING_NUMBERS) if rng.random() < 0.2 else rng.choice(TOKENS)


# ---------------------------------------------------------------- corrupted .npz files

NPZ_SPECS = {  # spec text (for an examples spec), inputs, output channels
    "bits": ("input x in {0, 1}", (InputChannel("x", (0, 1)),), 1),
    "pair": ("input a, b in {0, 1}", (InputChannel("a", (0, 1)), InputChannel("b", (0, 1))), 1),
    "sym": ("input p in {'(', ')'}", (InputChannel("p", (0, 1), ("(", ")")),), 2),
    "wide": ("input x in [-3, 3]", (InputChannel("x", tuple(range(-3, 4))),), 1),
}


def _arrays(rng: random.Random, inputs, outputs: int) -> dict:
    n, length = rng.randint(1, 6), rng.randint(1, 8)
    values = [list(c.values) for c in inputs]
    x = np.array(
        [[[rng.choice(v) for v in values] for _ in range(length)] for _ in range(n)],
        dtype=np.int64,
    )
    y = np.array(
        [[[rng.randint(-5, 5) for _ in range(outputs)] for _ in range(length)] for _ in range(n)],
        dtype=np.int64,
    )
    lengths = np.array([rng.randint(1, length) for _ in range(n)], dtype=np.int64)
    return {"x": x, "y": y, "lengths": lengths}


def _corrupt_arrays(arrays: dict, rng: random.Random) -> dict:
    present = [k for k in ("x", "y", "lengths") if k in arrays]
    if not present:
        return arrays
    key = rng.choice(present)
    a = arrays[key]
    choice = rng.random()
    if choice < 0.1:
        del arrays[key]
    elif choice < 0.3 and a.dtype.kind in "iub":
        dtype = rng.choice(
            (
                "float64",
                "float32",
                "bool",
                "uint8",
                "int8",
                "uint64",
                "int32",
                "complex64",
                "<U2",
                "S3",
                "datetime64[s]",
                "float16",
            )
        )
        arrays[key] = a.astype(dtype)
        if dtype == "float64" and rng.random() < 0.5:
            arrays[key] = arrays[key] + rng.choice((0.5, np.nan, np.inf))
    elif choice < 0.5:
        shapes = [(), (0,), (a.size,), (1,) + a.shape, a.shape + (1, 1), (0,) + a.shape[1:]]
        if a.ndim >= 2:
            shapes += [(a.shape[0], 0) + a.shape[2:], a.shape[::-1]]
        shape = rng.choice(shapes)
        arrays[key] = np.resize(a, shape) if 0 not in shape else np.zeros(shape, a.dtype)
    elif choice < 0.7:
        big = rng.choice((-1, 0, 2, 9, 2**31, 2**62, 2**63 - 1, -(2**63)))
        if a.size and a.dtype.kind in "iub":
            flat = a.reshape(-1).astype(np.int64)
            flat[rng.randrange(flat.size)] = big
            arrays[key] = flat.reshape(a.shape)
    elif choice < 0.8:
        arrays[key] = np.full(a.shape, 2**64 - rng.randint(1, 3), dtype=np.uint64)
    elif choice < 0.9:
        arrays[rng.choice(("z", "X", "lengths2"))] = a
    else:
        other = rng.choice([k for k in arrays if k != key] or [key])
        arrays[key], arrays[other] = arrays[other], arrays[key]
    return arrays


def _corrupt_bytes(data: bytes, rng: random.Random) -> bytes:
    choice = rng.random()
    if choice < 0.3 and data:
        data = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if choice < 0.55:
        return data[: rng.randint(0, len(data))]
    if choice < 0.7:
        return data + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    if choice < 0.8:
        return b""
    if choice < 0.9:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(rng.choice(("x.npy", "y.npy", "readme.txt")), b"\x93NUMPY garbage")
        return buffer.getvalue()
    return bytes(rng.randrange(256) for _ in range(rng.randint(1, 300)))


def fuzz_npz(rng: random.Random, index: int, work: Path, files: dict) -> Result:
    """An examples file with corrupted arrays or bytes: read directly, or through the CLI."""
    name = rng.choice(tuple(NPZ_SPECS))
    declaration, inputs, outputs = NPZ_SPECS[name]
    arrays = _arrays(rng, inputs, outputs)
    for _ in range(rng.randint(0, 2)):
        arrays = _corrupt_arrays(arrays, rng)
    path = work / "examples.npz"
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    data = buffer.getvalue()
    if rng.random() < 0.3:
        data = _corrupt_bytes(data, rng)
    path.write_bytes(data)
    files["examples.npz"] = data
    if rng.random() < 0.5:
        spec = work / "spec.mips"
        outputs_line = rng.choice(("", "output y\n", "output y0\noutput y1\n", "output y = x\n"))
        files["spec.mips"] = f'task from_examples "x"\n{declaration}\nexamples "examples.npz"\n'
        files["spec.mips"] += outputs_line
        spec.write_text(files["spec.mips"], encoding="utf-8")
        return run_cli(_command(rng, str(spec), work, None), files)
    try:
        x, y, lengths = read_examples(path, inputs)
    except ExamplesError as exc:
        return Result("diagnostic", str(exc))
    held = _held(path)
    if "x" not in held or "y" not in held:
        return Result("wrong label", "accepted a file whose x or y numpy cannot read", "unreadable")
    read = {
        "x": (x, held["x"], 3),
        "y": (y, held["y"], 3),
        "lengths": (lengths, held.get("lengths", np.full(len(x), x.shape[1])), 1),
    }
    for key, (got, held, ndim) in read.items():
        if _ints(got) != _ints(held, ndim):
            note = f"'{key}' ({held.dtype}, {held.shape}) read back with other values than it holds"
            return Result("wrong label", note, f"'{key}' as {held.dtype} read back changed")
    return Result("ok", "")


def _held(path: Path) -> dict:
    """What the file holds, as numpy reads it, array by array (unreadable ones left out)."""
    held = {}
    with contextlib.suppress(Exception), np.load(path, allow_pickle=False) as archive:
        for key in archive.files:
            with contextlib.suppress(Exception):
                held[key] = archive[key]
    return held


def _ints(a: np.ndarray, ndim: int | None = None) -> list:
    """Values as exact Python ints (a 2-D array read as one channel); the comparison the loader's
    output must pass."""
    a = np.asarray(a)
    if ndim == 3 and a.ndim == 2:
        a = a[..., None]
    return a.astype(object).tolist() if a.dtype != bool else a.astype(int).tolist()


# ---------------------------------------------------------------- argument vectors

BAD_NUMBERS = (
    "0",
    "-1",
    "",
    "abc",
    "1e3",
    "3.0",
    " 3",
    "0x10",
    "nan",
    "inf",
    "٣",
    "5_0",
    "99999999999999999999",
    "-0",
    "+2",
    "100000001",
    "10001",
    "4294967296",
)
OTHER_OPTIONS = (
    "--json",
    "-q",
    "--quiet",
    "--help",
    "-h",
    "--version",
    "--budget",
    "--jobs",
    "--seeds",
    "--force",
    "-o",
    "--length",
    "-n",
    "--seed",
    "--",
    "-",
    "--se",
)


def _hostile_path(rng: random.Random, work: Path) -> str:
    choice = rng.randrange(10)
    if choice == 0:
        return str(work / "missing.mips")
    if choice == 1:
        return str(work)
    if choice == 2:
        (work / "empty.mips").write_text("")
        return str(work / "empty.mips")
    if choice == 3:
        (work / "binary.mips").write_bytes(bytes(range(256)))
        return str(work / "binary.mips")
    if choice == 4:
        (work / "latin1.mips").write_bytes('task caf\xe9 "x"\n'.encode("latin-1"))
        return str(work / "latin1.mips")
    if choice == 5:
        link = work / "loop.mips"
        if not link.is_symlink():
            link.symlink_to(link)
        return str(link)
    if choice == 6:
        return "x" * 300 + ".mips"
    if choice == 7:
        return "/proc/self/status"
    if choice == 8:
        return str(work / "missing" / "out.npz")
    return str(rng.choice(SPECS))


def fuzz_argv(rng: random.Random, index: int, work: Path, files: dict) -> Result:
    """Argument vectors for check, data and verify: hostile paths, values and option mixes."""
    spec = str(rng.choice(SPECS)) if rng.random() < 0.6 else _hostile_path(rng, work)
    task_name = Path(spec).stem if Path(spec).parent == ROOT / "specs" else None
    argv = _command(rng, spec, work, task_name)
    for _ in range(rng.randint(1, 4)):
        choice = rng.random()
        if choice < 0.3:
            argv.insert(rng.randint(1, len(argv)), rng.choice(OTHER_OPTIONS))
        elif choice < 0.5:
            numbers = [i for i, a in enumerate(argv) if re.fullmatch(r"\d+", a)]
            if numbers:
                argv[rng.choice(numbers)] = rng.choice(BAD_NUMBERS)
        elif choice < 0.65:
            argv.insert(rng.randint(1, len(argv)), _hostile_path(rng, work))
        elif choice < 0.75 and len(argv) > 1:
            del argv[rng.randint(1, len(argv) - 1)]
        elif choice < 0.85 and argv[0] == "data":
            argv += [
                "-o",
                rng.choice(
                    (
                        str(work),
                        str(work / "missing" / "o.npz"),
                        "/proc/version",
                        str(work / ("o" * 300)),
                        str(work / "out"),
                    )
                ),
            ]
        elif choice < 0.85 and argv[0] == "verify" and len(argv) > 2:
            argv[2] = rng.choice((_hostile_path(rng, work), "m" * 300 + ".py", "missing.py"))
        elif choice < 0.9:
            argv[0] = rng.choice(("frob", "", "--version", "-h", "CHECK", "verify", "data"))
        else:
            rng.shuffle(argv)
    if any(a in ("train", "compile", "bench") for a in argv):  # a guard: they would load torch
        raise AssertionError(f"argv names a torch command: {argv}")
    return run_cli(argv, files)


# ---------------------------------------------------------------- the driver

GENERATORS = {
    "mutated spec": fuzz_mutated,
    "token soup": fuzz_soup,
    "corrupted npz": fuzz_npz,
    "argv": fuzz_argv,
    "well-formed spec": fuzz_labels,
}


def run_one(seed: int, index: int, limit: float, scratch: Path) -> tuple[str, Result]:
    """Input `index` of run `seed`: its kind and its classified outcome."""
    kind = KINDS[index % len(KINDS)]
    rng = random.Random(f"{seed}:{index}")
    work = scratch / str(index)
    work.mkdir()
    cwd, files = os.getcwd(), {}
    try:
        os.chdir(work)  # relative paths in argv land in the scratch directory
        with time_limit(limit):
            result = GENERATORS[kind](rng, index, work, files)
    except Timeout:
        result = Result("timeout", f"ran past {limit:g} s", "timeout")
    except Exception as exc:
        frames = traceback.extract_tb(exc.__traceback__)
        if not any(f.filename.startswith(str(PACKAGE)) for f in frames):
            raise  # it never reached mipsdsl: a bug of the fuzzer, which must not be counted
        files["traceback.txt"] = traceback.format_exc()
        result = Result("internal error", f"{type(exc).__name__}: {exc}")
    finally:
        os.chdir(cwd)
        shutil.rmtree(work, ignore_errors=True)
    result.files = files
    return kind, result


def failure_class(kind: str, result: Result) -> str:
    """What groups failures that are likely one bug: the exception and the last line of ours it
    passed through, or the cause a generator gave."""
    if result.outcome != "internal error":
        return f"{kind}: {result.outcome}, {result.cause}"
    frames = re.findall(
        r'File "([^"]+)", line (\d+), in (\w+)', result.files.get("traceback.txt", "")
    )
    ours = [f for f in frames if "/mipsdsl/" in f[0]] or frames
    where = f" at {Path(ours[-1][0]).name}:{ours[-1][1]} ({ours[-1][2]})" if ours else ""
    return f"{kind}: {result.note.split(':')[0]}{where}"


def save_failure(directory: Path, seed: int, index: int, kind: str, result: Result) -> Path:
    where = directory / f"{index:06d}-{kind.replace(' ', '-')}"
    where.mkdir(parents=True, exist_ok=True)
    for name, content in result.files.items():
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(where / name, mode) as handle:
            handle.write(content)
    replay = f"python benchmarks/fuzz.py --seed {seed} --only {index}"
    (where / "README.txt").write_text(
        f"{kind}: {result.outcome}\n{result.note}\n\nreplay: {replay}\n"
    )
    return where


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="inputs, the kinds taking turns")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=float, default=5.0, help="seconds per input")
    parser.add_argument(
        "--memory-gib",
        type=float,
        default=3.0,
        help="address-space limit for this process (a shared machine)",
    )
    parser.add_argument(
        "--only",
        type=int,
        nargs="+",
        metavar="INDEX",
        help="replay these inputs and print what happened",
    )
    parser.add_argument("-o", "--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    memory = int(args.memory_gib * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (memory, resource.getrlimit(resource.RLIMIT_AS)[1]))
    os.environ["MIPSDSL_DEBUG"] = "1"  # main() re-raises instead of printing "internal error"
    warnings.simplefilter("ignore")  # numpy's overflow warnings: the labels are compared instead
    scratch = Path(tempfile.mkdtemp(prefix="mipsdsl-fuzz-"))
    try:
        if args.only:
            for index in args.only:
                kind, result = run_one(args.seed, index, args.limit, scratch)
                print(f"#{index} {kind}: {result.outcome}: {result.note}")
                for name, content in result.files.items():
                    shown = content if isinstance(content, str) else f"<{len(content)} bytes>"
                    print(f"--- {name}\n{shown}")
            return 0
        return _campaign(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _campaign(args, scratch: Path) -> int:
    counts = {kind: collections.Counter() for kind in KINDS}
    classes: dict[str, dict] = {}
    refusals = collections.Counter()  # label diagnostics, by message: what the checker refuses
    wide = 0  # labels found right although values left int64 on the way
    failures_dir = args.out / "fuzz-failures"
    shutil.rmtree(failures_dir, ignore_errors=True)
    started = time.perf_counter()
    for index in range(args.n):
        kind, result = run_one(args.seed, index, args.limit, scratch)
        counts[kind][result.outcome] += 1
        wide += result.note == "beyond int64 on the way"
        if kind == "well-formed spec" and result.outcome == "diagnostic":
            refusals[re.sub(r"-?[0-9]+", "N", result.note)[:100]] += 1
        if result.outcome in ("internal error", "wrong label", "timeout"):
            saved = save_failure(failures_dir, args.seed, index, kind, result)
            entry = classes.setdefault(failure_class(kind, result), {"count": 0, "first": None})
            entry["count"] += 1
            if entry["first"] is None:
                entry["first"] = {"index": index, "note": result.note, "saved": str(saved)}
        if (index + 1) % 1000 == 0:
            print(f"{index + 1:,} inputs, {time.perf_counter() - started:.0f} s", flush=True)
    wall = time.perf_counter() - started
    summary = {
        "mipsdsl": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "inputs": args.n,
        "seed": args.seed,
        "limit_s": args.limit,
        "wall_s": round(wall, 1),
        "torch_imported": "torch" in sys.modules,
        "totals": {o: sum(c[o] for c in counts.values()) for o in OUTCOMES},
        "labels_right_beyond_int64": wide,
    }
    report = {
        "summary": summary,
        "counts": {kind: {o: counts[kind][o] for o in OUTCOMES} for kind in KINDS},
        "failure_classes": classes,
        "label_refusals": dict(refusals.most_common(15)),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "fuzz.json").write_text(json.dumps(report, indent=2) + "\n")
    table = _table(counts)
    lines = [
        f"# Fuzzing: {args.n:,} inputs, seed {args.seed}, {args.limit:g} s each at most",
        "",
        f"mipsdsl {__version__}, numpy {np.__version__}, Python {summary['python']}, "
        f"{summary['machine']}; {wall:.0f} s.",
        "",
        *table,
        "",
        f"Of the well-formed specs labelled right, {wide:,} had values beyond int64 on the way "
        "(states, lets or intermediates).",
        "",
        f"Failure classes (first input of each; replay: `python benchmarks/fuzz.py --seed "
        f"{args.seed} --only INDEX`; every failing input is in fuzz-failures/):",
        "",
        *(
            f"- {name}: {c['count']} (#{c['first']['index']}: {c['first']['note'][:120]})"
            for name, c in sorted(classes.items())
        ),
    ]
    if not classes:
        lines.append("- none")
    (args.out / "fuzz.md").write_text("\n".join(lines) + "\n")
    print("\n".join(table))
    print(f"labels right with values beyond int64 on the way: {wide:,}")
    for name, c in sorted(classes.items()):
        print(f"{name}: {c['count']} (first #{c['first']['index']}: {c['first']['note'][:150]})")
    print(f"\n{args.n:,} inputs in {wall:.0f} s; wrote {args.out / 'fuzz.md'} and fuzz.json")
    return 0


def _table(counts: dict) -> list[str]:
    lines = [
        "| generator | " + " | ".join(OUTCOMES) + " | total |",
        "|---" * (len(OUTCOMES) + 2) + "|",
    ]
    for kind in KINDS:
        row = [counts[kind][o] for o in OUTCOMES]
        lines.append(f"| {kind} | " + " | ".join(f"{v:,}" for v in row) + f" | {sum(row):,} |")
    totals = [sum(c[o] for c in counts.values()) for o in OUTCOMES]
    lines.append("| all | " + " | ".join(f"{v:,}" for v in totals) + f" | {sum(totals):,} |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
