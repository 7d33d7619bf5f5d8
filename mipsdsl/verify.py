"""Verification: does a candidate compute a spec's outputs? Program vs spec, module vs spec, and
program vs network (fidelity).

The paper checked each program on 1% of its own training data. Here each level is reported on its
own, and a failure carries the first counterexample:

- held-out: sequences from the spec's generator, from a data stream training never uses;
- exhaustive: every input sequence of every length in the spec's range, when there are at most
  `exhaustive_limit` of them; otherwise every sequence of the longest length that fits (each is a
  prefix of longer inputs, so this checks every way the first positions can go);
- longer: sequences 10x longer than the spec's, uniform over the alphabet when the spec's
  generator is anything else (a palindrome of length 2..10 says nothing about position 95).

A candidate is anything that maps int64 inputs x (N, L, C) and lengths (N,) to outputs (N, L, O):
`program_candidate`, `ModuleCandidate` (a pure-Python `run`, one sequence at a time) and
`network_candidate` (fidelity) adapt the three kinds. Tasks given by examples can only be checked
on their data file, and the verdict says so.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import itertools
import math
import operator
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterator

import numpy as np

from mipsdsl.data import make_dataset
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.data.label import label
from mipsdsl.errors import DataError, MipsError
from mipsdsl.program import Program, UndefinedValue
from mipsdsl.task import Generator, Task

# Data streams (see mipsdsl.data.dataset): 0 trains, 2 confirms training; these are never trained on.
HELD_OUT_STREAM, LONGER_STREAM, FIDELITY_STREAM = 3, 4, 5
CHUNK_ELEMENTS = 1 << 22  # input values generated and checked at once
PYTHON_EXHAUSTIVE_LIMIT = 1 << 20  # sequences a pure-Python run() checks in tens of seconds

Candidate = Callable[[np.ndarray, np.ndarray], np.ndarray]


class VerificationError(MipsError):
    """The candidate cannot be checked at all (wrong arity, unloadable module)."""


class ModuleError(VerificationError):
    """A module file cannot be imported, or has no `run`."""


class CandidateError(Exception):
    """The candidate gave no outputs for sequence `sequence` of its batch (at `position`, if known)."""

    def __init__(self, sequence: int, message: str, position: int | None = None):
        super().__init__(message)
        self.sequence = sequence
        self.position = position


@dataclass(frozen=True)
class VerifyOptions:
    held_out: int = 100_000
    longer: int = 10_000
    longer_factor: int = 10
    exhaustive_limit: int = 2_000_000
    seed: int | None = None  # default: the spec's data seed


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Counterexample:
    """One sequence on which the candidate is wrong (or fails), as position-by-position rows."""

    sequence: int  # index among the level's sequences
    position: int | None  # first wrong position (None: the candidate failed before any output)
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    inputs: tuple[tuple[int, ...], ...]  # per position, per channel
    expected: tuple[tuple[int, ...], ...]
    got: tuple[tuple[int, ...], ...] | None  # None when the candidate raised
    error: str | None = None

    def table(self, context: int = 2, max_rows: int = 30) -> str:
        """A readable table: position, inputs, expected and got outputs; wrong rows marked."""
        length = len(self.inputs)
        where = "" if self.position is None else f"; first wrong output at t = {self.position}"
        lines = [f"sequence #{self.sequence} (length {length}){where}"]
        if self.error:
            lines.append(f"error: {self.error}")
        header = ["t", *self.input_names, *(f"expected {n}" for n in self.output_names)]
        header += [f"got {n}" for n in self.output_names]
        last = length - 1 if self.position is None else min(length - 1, self.position + context)
        rows = []
        for t in range(last + 1):
            got = self.got[t] if self.got is not None else ("?",) * len(self.output_names)
            row = [str(t), *map(str, self.inputs[t]), *map(str, self.expected[t]), *map(str, got)]
            wrong = self.got is not None and tuple(self.got[t]) != tuple(self.expected[t])
            rows.append((row, wrong))
        if len(rows) > max_rows:  # keep the start and the lead-up to the first wrong output
            rows = (
                rows[:3] + [(["..."] + [""] * (len(header) - 1), False)] + rows[-(max_rows - 4) :]
            )
        widths = [
            max(len(r[i]) for r in [header] + [row for row, _ in rows]) for i in range(len(header))
        ]
        for row, wrong in [(header, False)] + rows:
            text = "  ".join(cell.rjust(w) for cell, w in zip(row, widths))
            lines.append(("  " + text + ("   <- wrong" if wrong else "")).rstrip())
        if last < length - 1:
            more = length - 1 - last
            lines.append(f"  ({more} more position{'' if more == 1 else 's'})")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "sequence": self.sequence,
            "position": self.position,
            "input_names": list(self.input_names),
            "output_names": list(self.output_names),
            "inputs": [list(r) for r in self.inputs],
            "expected": [list(r) for r in self.expected],
            "got": None if self.got is None else [list(r) for r in self.got],
            "error": self.error,
            "table": self.table(),
        }

    @classmethod
    def from_json(cls, d: dict) -> "Counterexample":
        rows = lambda key: None if d[key] is None else tuple(tuple(r) for r in d[key])  # noqa: E731
        return cls(
            d["sequence"], d["position"], tuple(d["input_names"]), tuple(d["output_names"]),
            rows("inputs"), rows("expected"), rows("got"), d["error"],
        )  # fmt: skip


@dataclass(frozen=True)
class Level:
    name: str  # "held-out", "exhaustive", "longer", "examples", "fidelity"
    description: str  # what was checked, in words
    sequences: int
    length: tuple[int, int]  # inclusive range of the lengths checked
    exhaustive: bool  # every input sequence of the spec's lengths was checked
    passed: bool | None  # None: not run (the description says why)
    counterexample: Counterexample | None = None

    @property
    def status(self) -> str:
        return {True: "passed", False: "FAILED", None: "not run"}[self.passed]

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "sequences": self.sequences,
            "length": list(self.length),
            "exhaustive": self.exhaustive,
            "passed": self.passed,
            "counterexample": self.counterexample and self.counterexample.to_json(),
        }

    @classmethod
    def from_json(cls, d: dict) -> "Level":
        found = d["counterexample"]
        return cls(
            d["name"], d["description"], d["sequences"], tuple(d["length"]), d["exhaustive"],
            d["passed"], None if found is None else Counterexample.from_json(found),
        )  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    task: str
    levels: tuple[Level, ...]
    note: str = ""

    @property
    def passed(self) -> bool:
        """Every level that ran passed, and at least one ran."""
        ran = [level.passed for level in self.levels if level.passed is not None]
        return bool(ran) and all(ran)

    def summary_lines(self) -> list[str]:
        lines = [f"{level.name}: {level.description}: {level.status}" for level in self.levels]
        return lines + ([f"note: {self.note}"] if self.note else [])

    def report(self) -> str:
        """Each level on a line, then the counterexample of every failed level."""
        width = max(len(level.name) for level in self.levels)
        lines = [
            f"  {level.name:<{width}}  {level.description}: {level.status}" for level in self.levels
        ]
        if self.note:
            lines.append(f"  note: {self.note}")
        for level in self.levels:
            if level.counterexample is not None:
                lines.append(f"{level.name}: counterexample")
                lines.append(level.counterexample.table())
        verdict = "verified" if self.passed else "NOT verified"
        lines.append(f"{self.task}: {verdict}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {
            "task": self.task,
            "passed": self.passed,
            "note": self.note,
            "levels": [level.to_json() for level in self.levels],
        }

    @classmethod
    def from_json(cls, d: dict) -> "Verdict":
        return cls(d["task"], tuple(Level.from_json(x) for x in d["levels"]), d["note"])


# ---------------------------------------------------------------- candidates


def program_candidate(program: Program) -> Candidate:
    def run(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        try:
            return program.run(x, lengths)
        except UndefinedValue as exc:
            sequence, position = exc.index
            raise CandidateError(
                sequence, f"'{exc.name}' divides by zero at t = {position}", position
            ) from None

    return run


def network_candidate(network) -> Candidate:
    """Anything with `run(x) -> y` over whole batches, such as `mipsdsl.train.TrainedRNN`."""
    return lambda x, lengths: network.run(x)


@dataclass(frozen=True)
class ModuleCandidate:
    """A module's `run(xs) -> list`, called once per sequence with ints (one input channel) or
    tuples of ints (several); it must return one int, or one tuple of ints, per position."""

    run: Callable
    n_inputs: int
    n_outputs: int
    batch: int = 1024  # sequences checked at a time: a slow loop stops soon after a mistake

    def __call__(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        n, length, _ = x.shape
        rows = []
        with contextlib.redirect_stdout(sys.stderr):  # keep --json output clean
            for i, row in enumerate(x.tolist()):
                m = int(lengths[i])
                xs = [p[0] for p in row[:m]] if self.n_inputs == 1 else [tuple(p) for p in row[:m]]
                ys = _call_run(self.run, xs, i, self.n_outputs)
                rows.append(ys + [0] * (self.n_outputs * (length - m)))
        return np.array(rows, dtype=np.int64).reshape(n, length, self.n_outputs)


def _call_run(run: Callable, xs: list, i: int, n_outputs: int) -> list[int]:
    """The outputs of `run(xs)` as a flat list of ints, or a `CandidateError` saying what is wrong."""
    try:
        ys = list(run(xs))
    except KeyboardInterrupt:
        raise
    except (Exception, SystemExit) as exc:
        raise CandidateError(i, f"run() raised {type(exc).__name__}: {exc}") from None
    if len(ys) != len(xs):
        raise CandidateError(i, f"run() returned {len(ys)} outputs for {len(xs)} inputs")
    if n_outputs == 1 and all(type(v) is int for v in ys):  # the common case, checked fast
        flat = ys
    else:
        flat = []
        for t, value in enumerate(ys):
            try:
                flat.extend(_outputs(value, n_outputs))
            except TypeError as exc:
                raise CandidateError(i, f"output at t = {t}: {exc}", t) from None
    if flat and not (-(2**63) <= min(flat) and max(flat) < 2**63):
        t = next(k for k, v in enumerate(flat) if not -(2**63) <= v < 2**63) // n_outputs
        raise CandidateError(i, f"output at t = {t} is beyond 64-bit integers", t)
    return flat


def _outputs(value, n_outputs: int) -> tuple[int, ...]:
    if n_outputs == 1:
        if isinstance(value, tuple | list):
            raise TypeError(f"expected an int, got {type(value).__name__} {value!r}")
        return (operator.index(value),)
    if not isinstance(value, tuple | list) or len(value) != n_outputs:
        raise TypeError(f"expected a tuple of {n_outputs} ints, got {value!r}")
    return tuple(operator.index(v) for v in value)


_loaded = itertools.count()


def load_module(path: str | Path) -> ModuleType:
    """Import a Python file by path (any name); it must define a function `run`."""
    path = Path(path)
    name = f"_mipsc_checked_{next(_loaded)}"
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader))
    sys.modules[name] = module
    try:
        with contextlib.redirect_stdout(sys.stderr):
            loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        del sys.modules[name]
        raise ModuleError(f"cannot import '{path}': {type(exc).__name__}: {exc}") from None
    if not callable(getattr(module, "run", None)):
        raise ModuleError(f"'{path}' defines no function run(xs)")
    return module


# ---------------------------------------------------------------- verification


def verify(
    task: Task, candidate: Program | Candidate, options: VerifyOptions = VerifyOptions()
) -> Verdict:
    """Check `candidate` against the spec at every level; returns a `Verdict`."""
    if isinstance(candidate, Program):
        _check_arity(task, len(candidate.inputs), len(candidate.outputs))
        candidate = program_candidate(candidate)
    return _verify(task, candidate, options, options.exhaustive_limit, capped=False)


def verify_module(
    task: Task, module: ModuleType, options: VerifyOptions = VerifyOptions()
) -> Verdict:
    """Check a module's `run` against the spec. A pure-Python loop is slow, so the exhaustive level
    covers at most `PYTHON_EXHAUSTIVE_LIMIT` sequences, and its description says so."""
    candidate = ModuleCandidate(module.run, len(task.inputs), len(task.outputs))
    capped = PYTHON_EXHAUSTIVE_LIMIT < options.exhaustive_limit
    limit = min(options.exhaustive_limit, PYTHON_EXHAUSTIVE_LIMIT)
    return _verify(task, candidate, options, limit, capped)


def check_fidelity(
    task: Task, candidate: Program | Candidate, network, n: int = 10_000, seed: int | None = None
) -> Verdict:
    """Does the candidate compute what the network computes? On `n` sequences from the spec's
    generator (or its examples file) at the spec's lengths, the only ones the network was trained
    for. `network` is anything with `run(x) -> y`, or a candidate function."""
    if isinstance(candidate, Program):
        _check_arity(task, len(candidate.inputs), len(candidate.outputs))
        candidate = program_candidate(candidate)
    reference = network if callable(network) else network_candidate(network)
    seed = task.data.seed if seed is None else seed
    if task.examples is not None:
        x, _, lengths = _examples(task)
        x, lengths = x[:n], lengths[:n]
        source = "from the examples file"
    else:
        data = make_dataset(task, n=n, seed=seed, stream=FIDELITY_STREAM)
        x, lengths = data.x, data.lengths
        source = "from the spec's generator"
    y = np.asarray(reference(x, lengths), dtype=np.int64)
    level = _run_level(
        task, candidate, iter([(x, y, lengths)]), "fidelity",
        f"{_count(len(x))} {source}, {_lengths(_range(lengths))}, against the network",
        len(x), _range(lengths), exhaustive=False,
    )  # fmt: skip
    return Verdict(task.name, (level,))


def _check_arity(task: Task, n_inputs: int, n_outputs: int) -> None:
    if n_inputs != len(task.inputs) or n_outputs != len(task.outputs):
        raise VerificationError(
            f"the candidate reads {n_inputs} inputs and writes {n_outputs} outputs; task "
            f"'{task.name}' has {len(task.inputs)} and {len(task.outputs)}"
        )


def _verify(task: Task, candidate: Candidate, options: VerifyOptions, limit: int, capped: bool):
    if task.examples is not None:
        x, y, lengths = _examples(task)
        level = _run_level(
            task, candidate, iter([(x, y, lengths)]), "examples",
            f"all {_count(len(x))} of the examples file", len(x), _range(lengths),
            exhaustive=False,
        )  # fmt: skip
        note = "the task is given by examples: only its data file can be checked"
        return Verdict(task.name, (level,), note)
    seed = task.data.seed if options.seed is None else options.seed
    levels = (
        _held_out(task, candidate, options.held_out, seed),
        _exhaustive(task, candidate, limit, capped),
        _longer(task, candidate, options.longer, options.longer_factor, seed),
    )
    return Verdict(task.name, levels)


def _held_out(task: Task, candidate: Candidate, n: int, seed: int) -> Level:
    space = _space(task, *task.length)
    if task.generator.distinct and task.generator.is_uniform and space is not None:
        n = min(n, space)  # no more distinct sequences exist
    batches = _generated(task, n, seed, None, HELD_OUT_STREAM)
    return _run_level(
        task, candidate, batches, "held-out",
        f"{_count(n)} from the spec's generator, {_lengths(task.length)}", n, task.length,
        exhaustive=False,
    )  # fmt: skip


def _longer(task: Task, candidate: Candidate, n: int, factor: int, seed: int) -> Level:
    length = factor * task.max_length
    how = "from the spec's generator"
    if not task.generator.is_uniform:
        task = replace(task, generator=Generator())
        how = "uniform over the alphabet (the spec's generator is not)"
    batches = _generated(task, n, seed, length, LONGER_STREAM)
    return _run_level(
        task, candidate, batches, "longer", f"{_count(n)} of length {length}, {how}", n,
        (length, length), exhaustive=False,
    )  # fmt: skip


def _exhaustive(task: Task, candidate: Candidate, limit: int, capped: bool) -> Level:
    lo, hi = task.length
    full = _space(task, lo, hi)
    if full is not None and full <= limit:
        lengths, exhaustive = list(range(lo, hi + 1)), True
        description = f"all {_count(full)} of {_lengths(task.length)}"
    else:
        per = _space(task, 1, 1)
        fits = 0
        while fits < hi and per ** (fits + 1) <= limit:
            fits += 1
        count = "more than 2**64" if full is None else f"the {full:,}"
        cap = "the cap for a pure-Python run()" if capped else "the limit"
        too_many = f"{count} sequences of {_lengths(task.length)} exceed {cap}, {limit:,}"
        if fits == 0:
            return Level("exhaustive", too_many, 0, (0, 0), False, None)
        lengths, exhaustive = [fits], False
        description = f"all {_count(per**fits)} of length {fits}, as prefixes ({too_many})"
    count = sum(_space(task, n, n) for n in lengths)
    return _run_level(
        task, candidate, _enumerated(task, lengths), "exhaustive", description, count,
        (lengths[0], lengths[-1]), exhaustive,
    )  # fmt: skip


def _run_level(task, candidate, batches, name, description, count, length, exhaustive) -> Level:
    """Check batch after batch (in slices of `candidate.batch`, if it has one); stop at the first
    counterexample."""
    offset = 0
    for x, y, lengths in batches:
        step = getattr(candidate, "batch", None) or len(x)
        for start in range(0, len(x), step):
            part = slice(start, start + step)
            found = _first_failure(task, candidate, x[part], y[part], lengths[part])
            if found is not None:
                found = replace(found, sequence=found.sequence + offset + start)
                return Level(name, description, count, length, exhaustive, False, found)
        offset += len(x)
    return Level(name, description, count, length, exhaustive, True)


def _first_failure(task, candidate, x, y, lengths) -> Counterexample | None:
    got, error = _outputs_until_error(task, candidate, x, lengths)
    end = len(got)
    valid = np.arange(x.shape[1])[None, :] < lengths[:end, None]
    wrong = (got != y[:end]).any(axis=-1) & valid
    rows = np.flatnonzero(wrong.any(axis=1))
    if rows.size:
        i = int(rows[0])
        position = int(np.argmax(wrong[i]))
        return _counterexample(task, x, y, lengths, i, position, got[i], None)
    if error is not None:
        return _counterexample(
            task, x, y, lengths, error.sequence, error.position, None, str(error)
        )
    return None


def _outputs_until_error(task, candidate, x, lengths):
    """The candidate's outputs for the sequences before the first one it fails on, and the error.

    A vectorised candidate may report a failure in any sequence of the batch, so the batch is cut
    before it and run again until what remains runs cleanly.
    """
    shape = (x.shape[1], len(task.outputs))
    end, error = len(x), None
    while end > 0:
        try:
            got = np.asarray(candidate(x[:end], lengths[:end]))
        except CandidateError as exc:
            error, end = exc, min(exc.sequence, end - 1)
            continue
        if got.shape != (end, *shape) or not np.issubdtype(got.dtype, np.integer):
            raise VerificationError(
                f"the candidate returned {got.dtype} outputs of shape {got.shape}; expected "
                f"integers of shape {(end, *shape)}"
            )
        return got, error
    return np.zeros((0, *shape), dtype=np.int64), error


def _counterexample(task, x, y, lengths, i, position, got, error) -> Counterexample:
    m = int(lengths[i])
    return Counterexample(
        sequence=int(i),
        position=position,
        input_names=tuple(c.name for c in task.inputs),
        output_names=tuple(o.name for o in task.outputs),
        inputs=tuple(map(tuple, x[i, :m].tolist())),
        expected=tuple(map(tuple, y[i, :m].tolist())),
        got=None if got is None else tuple(map(tuple, np.asarray(got)[:m].tolist())),
        error=error,
    )


# ---------------------------------------------------------------- inputs


def _space(task: Task, lo: int, hi: int) -> int | None:
    """How many input sequences have a length in lo..hi; None when more than 2**64."""
    per = math.prod(len(c.values) for c in task.inputs)
    if per > 1 and hi * math.log2(per) > 64:
        return None
    return sum(per**n for n in range(lo, hi + 1))


def _chunk(length: int, channels: int) -> int:
    return max(1, CHUNK_ELEMENTS // max(1, length * channels))


def _generated(task: Task, n: int, seed: int, length: int | None, stream: int) -> Iterator:
    """Labelled sequences from the generator, in chunks; chunk k uses its own sub-stream."""
    chunk = _chunk(length or task.max_length, len(task.inputs) + len(task.outputs))
    for k, start in enumerate(range(0, n, chunk)):
        size = min(chunk, n - start)
        data = make_dataset(task, n=size, seed=seed, length=length, stream=stream + 1000 * k)
        yield data.x, data.y, data.lengths


def _enumerated(task: Task, lengths: list[int]) -> Iterator:
    """Every input sequence of each length, in lexicographic order, labelled, in chunks."""
    sizes = [len(c.values) for c in task.inputs]
    alphabets = [np.asarray(c.values, dtype=np.int64) for c in task.inputs]
    strides = [math.prod(sizes[c + 1 :]) for c in range(len(sizes))]
    per, width = math.prod(sizes), max(lengths)
    chunk = _chunk(width, len(sizes) + len(task.outputs))
    for length in lengths:
        total = per**length
        for start in range(0, total, chunk):
            codes = np.arange(start, min(total, start + chunk), dtype=np.int64)
            x = np.zeros((len(codes), width, len(sizes)), dtype=np.int64)
            for t in range(length):  # position 0 is the most significant digit
                digit = codes // per ** (length - 1 - t) % per
                for c, alphabet in enumerate(alphabets):
                    x[:, t, c] = alphabet[digit // strides[c] % sizes[c]]
            seq_lengths = np.full(len(codes), length, dtype=np.int64)
            yield x, label(task, x, seq_lengths), seq_lengths


def _examples(task: Task):
    try:
        return read_examples(Path(task.examples), task.inputs)
    except ExamplesError as exc:
        raise DataError(str(exc)) from None


def _range(lengths: np.ndarray) -> tuple[int, int]:
    return int(lengths.min()), int(lengths.max())


def _count(n: int) -> str:
    return f"{n:,} sequence{'' if n == 1 else 's'}"


def _lengths(length: tuple[int, int]) -> str:
    lo, hi = length
    return f"length {lo}" if lo == hi else f"lengths {lo}..{hi}"
