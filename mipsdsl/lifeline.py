"""Signals and child processes: SIGTERM unwinds like Ctrl-C, and a child ends with its parent.

A SIGTERM (what `timeout`, CI cancellation and `docker stop` send) raises `Terminated`, a kind of
KeyboardInterrupt, so that the `finally` and `except BaseException` blocks that remove temporary
files run for it too. A child process of mipsc (a `--jobs` worker, the fresh interpreter that
re-verifies a module, the process that runs a module under `mipsc verify`) watches its parent,
or for a worker the process that started it: one that died, even by SIGKILL, leaves no child
training or verifying on its own.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable

PARENT_ENV = "MIPSDSL_PARENT_PID"  # set in a child's environment: the pid it must not outlive
POLL_SECONDS = 0.5


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind as for Ctrl-C, then exit 143 rather than 130."""


def _raise_terminated(signum, frame):
    raise Terminated()


def terminate_by_exception() -> None:
    """From now on a SIGTERM raises `Terminated` in the main thread."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def _unwind_after(wait: Callable[[], object]) -> None:
    """SIGTERM this process (and so unwind it) once `wait()`, run in a thread of its own,
    returns."""

    def watch() -> None:
        wait()
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="mipsdsl-lifeline", daemon=True).start()


def watch_parent(parent: int) -> None:
    """SIGTERM this process once `parent` is no longer its parent."""

    def parent_gone() -> None:
        while os.getppid() == parent:
            time.sleep(POLL_SECONDS)

    _unwind_after(parent_gone)


def watch_parent_from_env() -> None:
    """Watch the parent named in the environment, if a mipsc parent named one."""
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit():
        watch_parent(int(parent))


def child_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """An environment for a child process that must end with this one."""
    return {**(os.environ if env is None else env), PARENT_ENV: str(os.getpid())}


def watch_starter() -> None:
    """SIGTERM this process once the process that started it through `multiprocessing` has
    ended. That process holds the other end of the pipe this one was started through
    (`multiprocessing.parent_process().sentinel`), so this holds whatever the start method: a
    forkserver's child has the server, not its starter, for its parent, and the server outlives
    a killed starter while any of its children runs."""
    starter = multiprocessing.parent_process()
    if starter is not None:
        _unwind_after(starter.join)


def worker_init() -> None:
    """For a worker process started through `multiprocessing`: ignore Ctrl-C (the starter
    decides and stops it), unwind on SIGTERM, and end with the starter."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    terminate_by_exception()
    watch_starter()
