"""The child process that runs a module's `run(xs)` for `mipsc verify`.

A module can neither pass by ending its process nor hang the verifier: `os._exit`, a crash or a
loop in the child ends in a failure the parent names (see `mipsdsl.verify.ModuleCandidate`), and
a pass needs the child's explicit answer for every sequence. The child reads length-prefixed
`marshal` frames (exact ints of any size, and nothing that runs code when read) on a private copy
of stdin, and answers on a private copy of stdout; the module's own stdout goes to stderr, which
the parent relays. Before each sequence it counts up a shared counter, so that the parent can tell
a slow run from a stuck one and name the sequence. It never outlives the parent. POSIX only.

Usage (by the parent): python -P -m mipsdsl.isolated MODULE.py INPUTS OUTPUTS COUNTER_FD PARENT_PID
"""

from __future__ import annotations

import array
import ctypes
import importlib.machinery
import importlib.util
import itertools
import marshal
import mmap
import operator
import os
import signal
import struct
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from mipsdsl import lifeline
from mipsdsl.errors import MipsError

HEADER = struct.Struct("<Q")  # the length of the marshal data that follows
COUNTER_BYTES = 8  # one int64: 1 once the import starts, then +1 per sequence started
PR_SET_PDEATHSIG = 1


class ModuleError(MipsError):
    """A module file cannot be imported, or has no `run`."""


class CandidateError(Exception):
    """The candidate gave no outputs for sequence `sequence` of its batch (at `position`, if
    known)."""

    def __init__(self, sequence: int, message: str, position: int | None = None):
        super().__init__(message)
        self.sequence = sequence
        self.position = position


_loaded = itertools.count()


def load(path: Path) -> ModuleType:
    """Import a Python file by path (any name); it must define a function `run`."""
    name = f"_mipsc_checked_{next(_loaded)}"
    loader = importlib.machinery.SourceFileLoader(name, str(path))
    spec = importlib.util.spec_from_loader(name, loader)
    assert spec is not None  # a SourceFileLoader always gives a spec
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:
        del sys.modules[name]
        raise ModuleError(f"cannot import '{path}': {type(exc).__name__}: {exc}") from None
    if not callable(getattr(module, "run", None)):
        raise ModuleError(f"'{path}' defines no function run(xs)")
    return module


def run_batch(
    run: Callable, x: bytes, lengths: bytes, length: int, n_inputs: int, n_outputs: int, counter
) -> bytes | list[int]:
    """`run` on each sequence of x (int64 bytes of shape (N, length, inputs)) cut to its length
    (int64 bytes of shape (N,)): the outputs of every sequence, one after the other, as int64
    bytes, or as a list of exact ints when some do not fit. Counts `counter[0]` up before each
    sequence."""
    inputs, ends, values = array.array("q", x), array.array("q", lengths), []
    for i, m in enumerate(ends):
        counter[0] += 1
        row = inputs[i * length * n_inputs : (i * length + m) * n_inputs].tolist()
        xs = row if n_inputs == 1 else list(zip(*[iter(row)] * n_inputs, strict=True))
        values += _call_run(run, xs, i, n_outputs)
    try:
        return array.array("q", values).tobytes()
    except OverflowError:
        return values


def _call_run(run: Callable, xs: list, i: int, n_outputs: int) -> list[int]:
    """The outputs of `run(xs)` as a flat list of ints, or a `CandidateError` saying what is
    wrong."""
    try:  # one output too many is enough to tell, even from an endless generator
        ys = list(itertools.islice(run(xs), len(xs) + 1))
    except KeyboardInterrupt:
        raise
    except (Exception, SystemExit) as exc:
        raise CandidateError(i, f"run() raised {type(exc).__name__}: {exc}") from None
    if len(ys) > len(xs):
        raise CandidateError(i, f"run() returned more than {len(xs)} outputs for {len(xs)} inputs")
    if len(ys) < len(xs):
        raise CandidateError(i, f"run() returned {len(ys)} outputs for {len(xs)} inputs")
    if n_outputs == 1 and all(type(v) is int for v in ys):  # the common case, checked fast
        return ys
    flat: list[int] = []
    for t, value in enumerate(ys):
        try:
            flat.extend(_outputs(value, n_outputs))
        except TypeError as exc:
            raise CandidateError(i, f"output at t = {t}: {exc}", t) from None
    return flat


def _outputs(value, n_outputs: int) -> tuple[int, ...]:
    if n_outputs == 1:
        if isinstance(value, tuple | list):
            raise TypeError(f"expected an int, got {type(value).__name__} {value!r}")
        return (operator.index(value),)
    if not isinstance(value, tuple | list) or len(value) != n_outputs:
        raise TypeError(f"expected a tuple of {n_outputs} ints, got {value!r}")
    return tuple(operator.index(v) for v in value)


# ---------------------------------------------------------------- frames


def encode(message) -> bytes:
    data = marshal.dumps(message)
    return HEADER.pack(len(data)) + data


def _receive(fd: int):
    """The next message on `fd`, or None once the parent closed it."""
    header = _read_exactly(fd, HEADER.size)
    if header is None:
        return None
    body = _read_exactly(fd, HEADER.unpack(header)[0])
    return None if body is None else marshal.loads(body)


def _read_exactly(fd: int, n: int) -> bytes | None:
    parts, left = [], n
    while left:
        part = os.read(fd, min(left, 1 << 20))
        if not part:
            return None
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _send(fd: int, message) -> None:
    data = memoryview(encode(message))
    while data:
        data = data[os.write(fd, data) :]


# ---------------------------------------------------------------- the child


def serve(path: str, n_inputs: int, n_outputs: int, counter_fd: int, parent: int) -> None:
    """Import the module, say whether that worked, then answer batches until the parent closes
    the requests pipe."""
    requests, replies = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)  # the module cannot read the requests...
    os.close(null)
    os.dup2(2, 1)  # ...nor write into the replies
    sys.stdout = sys.stderr
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if sys.platform == "linux":  # the kernel ends the child even while run() holds the GIL
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    lifeline.watch_parent(parent)  # elsewhere, and for a parent that died before the prctl
    counter = memoryview(mmap.mmap(counter_fd, COUNTER_BYTES)).cast("q")
    os.close(counter_fd)
    counter[0] = 1  # the interpreter is up: the module's time limit starts with its import
    try:
        run = load(Path(path)).run
    except ModuleError as exc:
        _send(replies, ("error", str(exc)))
        return
    _send(replies, ("ready",))
    while (request := _receive(requests)) is not None:
        try:
            x, lengths, length = request
            outputs = run_batch(run, x, lengths, length, n_inputs, n_outputs, counter)
            _send(replies, ("outputs", outputs))
        except CandidateError as exc:
            _send(replies, ("failed", exc.sequence, str(exc), exc.position))


if __name__ == "__main__":
    serve(sys.argv[1], *map(int, sys.argv[2:]))
