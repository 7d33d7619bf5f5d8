"""Verification: does a candidate compute a spec's outputs? Program vs spec and module vs spec.

The paper checked each program on 1% of its own training data. Here each level is reported on its
own, and a failure carries the first counterexample:

- held-out: sequences from the spec's generator, from a data stream training never uses;
- exhaustive: every input sequence of every length in the spec's range, when there are at most
  `exhaustive_limit` of them; otherwise every sequence of the longest length that fits (each is a
  prefix of longer inputs, so this checks every way the first positions can go);
- longer: sequences 10x longer than the spec's, uniform over the alphabet when the spec's
  generator is anything else (a palindrome of length 2..10 says nothing about position 95).

A candidate is anything that maps int64 inputs x (N, L, C) and lengths (N,) to integer outputs
(N, L, O): `program_candidate` and `ModuleCandidate` (a module file's pure-Python `run`, one
sequence at a time, in a child process under a time limit) adapt the two kinds. Outputs are
compared exactly: a module's values beyond int64 come back as Python ints in an object array.
Tasks given by examples can only be checked on their data file, and the verdict says so.
"""

from __future__ import annotations

import codecs
import contextlib
import marshal
import math
import mmap
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

import numpy as np

from mipsdsl import isolated
from mipsdsl.data.dataset import rng_for
from mipsdsl.data.examples import ExamplesError, read_examples
from mipsdsl.data.generate import generate_inputs
from mipsdsl.data.label import label
from mipsdsl.errors import DataError, MipsError
from mipsdsl.isolated import CandidateError, ModuleError
from mipsdsl.program import Program, UndefinedValue
from mipsdsl.task import Generator, Task

# Data streams (see mipsdsl.data.dataset): 0 trains, 2 confirms training; these are never
# trained on.
HELD_OUT_STREAM, LONGER_STREAM = 3, 4
CHUNK_ELEMENTS = 1 << 22  # input values generated and checked at once
PYTHON_EXHAUSTIVE_LIMIT = 1 << 20  # sequences a pure-Python run() checks in tens of seconds
# Seconds a module may take to import, or to run one sequence: far more than any sensible run()
# needs at 10x a spec's length, and a hang costs at most this much per level. Not a VerifyOptions
# field: those are part of a compiled module's key, and a time limit does not change a verdict.
MODULE_TIMEOUT = 10.0
STARTUP_SECONDS = 30.0  # for a child interpreter to start, on a loaded machine; no module runs yet

Candidate = Callable[[np.ndarray, np.ndarray], np.ndarray]


class VerificationError(MipsError):
    """The candidate cannot be checked at all (wrong arity, wrong kind of outputs)."""


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
            text = "  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
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
    def from_json(cls, d: dict) -> Counterexample:
        def rows(key: str) -> tuple[tuple[int, ...], ...]:
            return tuple(tuple(r) for r in d[key])

        return cls(
            d["sequence"],
            d["position"],
            tuple(d["input_names"]),
            tuple(d["output_names"]),
            rows("inputs"),
            rows("expected"),
            None if d["got"] is None else rows("got"),
            d["error"],
        )


@dataclass(frozen=True)
class Level:
    name: str  # "held-out", "exhaustive", "longer", "examples"
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
    def from_json(cls, d: dict) -> Level:
        found = d["counterexample"]
        return cls(
            d["name"],
            d["description"],
            d["sequences"],
            tuple(d["length"]),
            d["exhaustive"],
            d["passed"],
            None if found is None else Counterexample.from_json(found),
        )


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
    def from_json(cls, d: dict) -> Verdict:
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


class ModuleCandidate:
    """A module file's `run(xs) -> list`, called once per sequence with ints (one input channel)
    or tuples of ints (several), in a child process (`mipsdsl.isolated`); it must return one int,
    or one tuple of ints, per position. A use is a `with` block, which ends the child.

    Outputs count only from the child's answer: a child that ends (`os._exit`, a crash), or that
    starts no new sequence for `timeout` seconds, fails the sequence it was on; a later call
    starts a fresh child. What the module prints goes to this process's stderr.
    """

    batch = 1024  # sequences checked at a time: a slow loop stops soon after a mistake

    def __init__(self, path: Path, n_inputs: int, n_outputs: int, timeout: float):
        self.path, self.n_inputs, self.n_outputs, self.timeout = path, n_inputs, n_outputs, timeout
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> ModuleCandidate:
        self._start()
        return self

    def __exit__(self, kind, *exc) -> None:
        self.close(grace=0 if kind else 1.0)  # on Ctrl-C, say, a child may be mid-batch

    def __call__(self, x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        if self._process is None:
            self._start()
        before, (n, length, _) = self._counter[0], x.shape
        request = (np.ascontiguousarray(x, np.int64).tobytes(), lengths.astype(np.int64).tobytes())
        try:
            reply = self._exchange(isolated.encode((*request, length)))
        except _Stalled:
            raise CandidateError(
                self._on(before), f"run() did not return within {self.timeout:g} s"
            ) from None
        except _Ended as ended:
            raise CandidateError(self._on(before), f"run() ended its process ({ended})") from None
        if reply[0] == "failed":
            raise CandidateError(*reply[1:])
        exact = isinstance(reply[1], list)  # values beyond int64, as Python ints
        values = np.array(reply[1], dtype=object) if exact else np.frombuffer(reply[1], np.int64)
        got = np.zeros((n, length, self.n_outputs), dtype=values.dtype)
        got[np.arange(length)[None, :] < lengths[:, None]] = values.reshape(-1, self.n_outputs)
        return got

    def _on(self, before: int) -> int:
        """The sequence of the batch the child was on when it stopped or ended (and end it)."""
        sequence = max(0, self._counter[0] - before - 1)
        self.close(grace=0)
        return sequence

    def _start(self) -> None:
        self._counter_file = tempfile.TemporaryFile()
        fd = self._counter_file.fileno()
        os.ftruncate(fd, isolated.COUNTER_BYTES)
        self._counter_map = mmap.mmap(fd, isolated.COUNTER_BYTES)
        self._counter = memoryview(self._counter_map).cast("q")
        package_root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        command = [
            sys.executable,
            "-P",
            "-m",
            "mipsdsl.isolated",
            str(self.path),
            str(self.n_inputs),
            str(self.n_outputs),
            str(fd),
            str(os.getpid()),
        ]
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(fd,),
            env=env,
        )
        assert process.stdin and process.stdout and process.stderr  # all three are pipes
        self._process, self._pipes = process, (process.stdin, process.stdout, process.stderr)
        self._requests = process.stdin.fileno()
        self._replies = process.stdout.fileno()
        self._errors = process.stderr.fileno()
        os.set_blocking(self._requests, False)
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._replies, selectors.EVENT_READ)
        self._selector.register(self._errors, selectors.EVENT_READ)
        self._received, self._replies_ended = bytearray(), False
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        try:
            reply = self._exchange(b"")
        except _Stalled:
            message = f"it did not finish within {self.timeout:g} s"
        except _Ended as ended:
            message = f"it ended its process ({ended})"
        else:
            if reply[0] == "ready":
                return
            self.close()
            raise ModuleError(reply[1])
        self.close(grace=0)
        raise ModuleError(f"cannot import '{self.path}': {message}")

    def _exchange(self, request: bytes) -> tuple:
        """Send `request`, then the child's next message, relaying its stderr meanwhile. Raises
        `_Stalled` once the child has started no new sequence (or its import) for `timeout`
        seconds (`STARTUP_SECONDS` for the interpreter to start), `_Ended` when it ends first;
        either way the caller closes it."""
        pending = memoryview(request)
        if pending:
            self._selector.register(self._requests, selectors.EVENT_WRITE)
        progress, since = self._counter[0], time.monotonic()
        while (reply := self._reply()) is None:
            if self._replies_ended:
                raise _Ended(self._exit_status())
            ready = self._ready(min(0.1, self.timeout / 5))
            if self._requests in ready:
                try:
                    pending = pending[os.write(self._requests, pending[: 1 << 16]) :]
                except BrokenPipeError:  # the child ended: its replies end too
                    pending = pending[:0]
                if not pending:
                    self._selector.unregister(self._requests)
            if self._errors in ready:
                self._relay()
            if self._replies in ready:
                data = os.read(self._replies, 1 << 20)
                self._received += data
                self._replies_ended = not data
            now = time.monotonic()
            if self._counter[0] != progress:
                progress, since = self._counter[0], now
            elif now - since > (self.timeout if progress else STARTUP_SECONDS):
                raise _Stalled()
        return reply

    def _reply(self) -> tuple | None:
        """The first whole message received, taken off the buffer; None if there is none yet."""
        if len(self._received) < isolated.HEADER.size:
            return None
        end = isolated.HEADER.size + isolated.HEADER.unpack_from(self._received)[0]
        if len(self._received) < end:
            return None
        reply = marshal.loads(self._received[isolated.HEADER.size : end])
        del self._received[:end]
        return reply

    def _relay(self) -> bool:
        """Copy what the child wrote to stderr to ours; False once its stderr has ended."""
        data = os.read(self._errors, 1 << 16)
        if not data:
            self._selector.unregister(self._errors)
        sys.stderr.write(self._decoder.decode(data, final=not data))
        sys.stderr.flush()
        return bool(data)

    def _ready(self, timeout: float) -> set[int]:
        return {key.fd for key, _ in self._selector.select(timeout)}

    def _exit_status(self) -> str:
        process = self._process
        assert process is not None  # asked only while the child runs
        with contextlib.suppress(subprocess.TimeoutExpired):  # it closed its replies, but runs
            process.wait(timeout=self.timeout)
        process.kill()
        status = process.wait()
        if status >= 0:
            return f"exit status {status}"
        with contextlib.suppress(ValueError):
            return f"killed by signal {signal.Signals(-status).name}"
        return f"killed by signal {-status}"

    def close(self, grace: float = 1.0) -> None:
        """End the child: it exits once its requests end, or is killed after `grace` seconds;
        what it wrote to stderr is relayed first."""
        if self._process is None:
            return
        process, self._process = self._process, None
        stdin, stdout, stderr = self._pipes
        stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
        process.kill()
        process.wait()
        if self._errors in self._selector.get_map():
            deadline = time.monotonic() + 1  # a process the module started may hold stderr
            while self._errors in self._ready(deadline - time.monotonic()) and self._relay():
                pass
        self._selector.close()
        stdout.close()
        stderr.close()
        self._counter.release()
        self._counter_map.close()
        self._counter_file.close()


class _Stalled(Exception):
    """The child started no new sequence within the time limit."""


class _Ended(Exception):
    """The child process ended; the message says how."""


def load_module(path: str | Path) -> ModuleType:
    """Import a Python file by path, in this process (trusted code only: `verify_module` runs a
    module in a child process); it must define a function `run`."""
    with contextlib.redirect_stdout(sys.stderr):
        return isolated.load(Path(path))


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
    task: Task,
    module: str | Path | ModuleType,
    options: VerifyOptions = VerifyOptions(),
    timeout: float = MODULE_TIMEOUT,
) -> Verdict:
    """Check a module file's `run` against the spec, in a child process (a module object: its
    file, imported there afresh), so that no module can fake a pass or hang the check. A
    pure-Python loop is slow, so the exhaustive level covers at most `PYTHON_EXHAUSTIVE_LIMIT`
    sequences, and its description says so. `timeout`: seconds the module may take to import,
    or to run one sequence. Raises `ModuleError` when the file cannot be imported."""
    if isinstance(module, ModuleType):
        if module.__file__ is None:
            raise ModuleError(f"module {module.__name__!r} has no file to verify")
        module = module.__file__
    path = Path(module)
    capped = PYTHON_EXHAUSTIVE_LIMIT < options.exhaustive_limit
    limit = min(options.exhaustive_limit, PYTHON_EXHAUSTIVE_LIMIT)
    n_inputs, n_outputs = len(task.inputs), len(task.outputs)
    with ModuleCandidate(path, n_inputs, n_outputs, timeout) as candidate:
        return _verify(task, candidate, options, limit, capped)


def _check_arity(task: Task, n_inputs: int, n_outputs: int) -> None:
    if n_inputs != len(task.inputs) or n_outputs != len(task.outputs):
        raise VerificationError(
            f"the candidate reads {n_inputs} inputs and writes {n_outputs} outputs; task "
            f"'{task.name}' has {len(task.inputs)} and {len(task.outputs)}"
        )


def _verify(task: Task, candidate: Candidate, options: VerifyOptions, limit: int, capped: bool):
    if task.examples is not None:
        x, y, lengths = _examples(task, task.examples)
        level = _run_level(
            task,
            candidate,
            iter([(x, y, lengths)]),
            "examples",
            f"all {_count(len(x))} of the examples file",
            len(x),
            _range(lengths),
            exhaustive=False,
        )
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
        task,
        candidate,
        batches,
        "held-out",
        f"{_count(n)} from the spec's generator, {_lengths(task.length)}",
        n,
        task.length,
        exhaustive=False,
    )


def _longer(task: Task, candidate: Candidate, n: int, factor: int, seed: int) -> Level:
    length = factor * task.max_length
    how = "from the spec's generator"
    if not task.generator.is_uniform:
        task = replace(task, generator=Generator())
        how = "uniform over the alphabet (the spec's generator is not)"
    batches = _generated(task, n, seed, length, LONGER_STREAM)
    return _run_level(
        task,
        candidate,
        batches,
        "longer",
        f"{_count(n)} of length {length}, {how}",
        n,
        (length, length),
        exhaustive=False,
    )


def _exhaustive(task: Task, candidate: Candidate, limit: int, capped: bool) -> Level:
    lo, hi = task.length
    full = _space(task, lo, hi)
    if full is not None and full <= limit:
        lengths, exhaustive, count = list(range(lo, hi + 1)), True, full
        description = f"all {_count(full)} of {_lengths(task.length)}"
    else:
        per = math.prod(len(c.values) for c in task.inputs)  # input tuples at one position
        fits = 0
        while fits < hi and per ** (fits + 1) <= limit:
            fits += 1
        how_many = "more than 2**64" if full is None else f"the {full:,}"
        cap = "the cap for a pure-Python run()" if capped else "the limit"
        too_many = f"{how_many} sequences of {_lengths(task.length)} exceed {cap}, {limit:,}"
        if fits == 0:
            return Level("exhaustive", too_many, 0, (0, 0), False, None)
        lengths, exhaustive, count = [fits], False, per**fits
        description = f"all {_count(count)} of length {fits}, as prefixes ({too_many})"
    return _run_level(
        task,
        candidate,
        _enumerated(task, lengths),
        "exhaustive",
        description,
        count,
        (lengths[0], lengths[-1]),
        exhaustive,
    )


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
        exact = got.dtype == object  # Python ints, from ModuleCandidate
        if got.shape != (end, *shape) or not (exact or np.issubdtype(got.dtype, np.integer)):
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
    """Sequences from the generator with exact labels, in chunks; chunk k uses its own
    sub-stream (the sequences `make_dataset` would draw)."""
    chunk = _chunk(length or task.max_length, len(task.inputs) + len(task.outputs))
    lengths = task.length if length is None else (length, length)
    for k, start in enumerate(range(0, n, chunk)):
        rng = rng_for(seed, stream + 1000 * k)
        x, seq_lengths = generate_inputs(task, min(chunk, n - start), rng, lengths)
        yield x, label(task, x, seq_lengths, exact=True), seq_lengths


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
            yield x, label(task, x, seq_lengths, exact=True), seq_lengths


def _examples(task: Task, path: str):
    try:
        return read_examples(Path(path), task.inputs)
    except ExamplesError as exc:
        raise DataError(str(exc)) from None


def _range(lengths: np.ndarray) -> tuple[int, int]:
    return int(lengths.min()), int(lengths.max())


def _count(n: int) -> str:
    return f"{n:,} sequence{'' if n == 1 else 's'}"


def _lengths(length: tuple[int, int]) -> str:
    lo, hi = length
    return f"length {lo}" if lo == hi else f"lengths {lo}..{hi}"
