"""Running many independent tasks at once and streaming their results as each finishes.

`stream` owns the rules every executor shares: at most `jobs` tasks run at once, a result is
yielded the moment its task ends, a task past `timeout` seconds is stopped and reported `Lost`,
and on any exception (Ctrl-C, SIGTERM, the consumer closing the stream) every running task is
stopped before it propagates. Executors only start, wait for and stop tasks:

- `Processes`: one process of its own per task, so that a crash or a timeout costs only that
  task and stopping a task cannot touch another. Each is forked from a server process that has
  imported the heavy modules once (multiprocessing's forkserver), so that no task pays for
  importing torch; where there is no fork, each is spawned afresh.
  A stopped process gets SIGTERM, which unwinds it like Ctrl-C (its temporary files are removed),
  and SIGKILL only if it is still alive `GRACE_SECONDS` later.
- `RayTasks`: one Ray task per task, on an existing cluster or a local one; stopping cancels the
  task (a KeyboardInterrupt in it, so it unwinds the same way), then force-cancels it.
"""

from __future__ import annotations

import importlib
import logging
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.context
import os
import signal
import sys
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mipsdsl import lifeline

GRACE_SECONDS = 10.0  # how long a stopped task may take to unwind before it is killed


@dataclass(frozen=True)
class Lost:
    """A task that gave no result: `stage` is "crashed" or "timed out", `reason` says how."""

    stage: str
    reason: str


class Executor(Protocol):
    def start(self, args: tuple) -> Any: ...

    def wait(self, handles: list, timeout: float | None) -> list[tuple[Any, Any]]: ...

    def stop(self, handles: list) -> None: ...

    def close(self) -> None: ...


def stream(
    executor: Executor,
    calls: Sequence[tuple[str, tuple]],
    jobs: int,
    timeout: float | None = None,
) -> Generator[tuple[str, Any], None, None]:
    """Run each `(name, args)` call on `executor`, `jobs` at once; yield `(name, result)` as each
    ends, the result a `Lost` for a task that crashed or ran past `timeout` seconds."""
    pending = list(reversed(calls))
    running: dict[Any, tuple[str, float]] = {}  # handle -> (name, deadline)
    try:
        while pending or running:
            while pending and len(running) < jobs:
                name, args = pending.pop()
                deadline = math.inf if timeout is None else time.monotonic() + timeout
                running[executor.start(args)] = (name, deadline)
            nearest = min(deadline for _, deadline in running.values())
            wait = None if nearest == math.inf else max(0.0, nearest - time.monotonic())
            for handle, result in executor.wait(list(running), wait):
                yield running.pop(handle)[0], result
            now = time.monotonic()
            late = [handle for handle, (_, deadline) in running.items() if deadline <= now]
            if late:
                executor.stop(late)
                for handle in late:
                    yield running.pop(handle)[0], Lost(
                        "timed out", f"timed out after {timeout:g} s"
                    )
    except BaseException:
        executor.stop(list(running))
        raise
    finally:
        executor.close()


def describe_exit(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


class Processes:
    """Each task in a process of its own that ignores Ctrl-C (the parent decides), unwinds on
    SIGTERM and ends with its parent, and sees the parent's environment as it is when the task
    starts.

    The processes fork from multiprocessing's forkserver, which imports `preload` once, before
    any task: forking a process that has only imported torch is safe (no thread pool runs yet),
    unlike forking one that has trained. The server is one per process, started with the first
    task that any `Processes` runs; where there is no fork, each task is spawned afresh."""

    def __init__(self, function: Callable[..., Any], preload: Sequence[str] = ()):
        self.function = function
        self.context: (
            multiprocessing.context.ForkServerContext | multiprocessing.context.SpawnContext
        )
        if "forkserver" in multiprocessing.get_all_start_methods():
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(list(preload))  # for a server not yet running
            self.context = server
        else:
            self.context = multiprocessing.get_context("spawn")

    def start(self, args: tuple) -> _Process:
        receive, send = self.context.Pipe(duplex=False)
        process = self.context.Process(
            target=_run_child,
            args=(send, dict(os.environ), self.function, args),
            daemon=True,
        )
        process.start()
        send.close()  # the child holds the only sending end: EOF means it died
        return _Process(process, receive)

    def wait(self, handles: list[_Process], timeout: float | None) -> list[tuple[_Process, Any]]:
        waitables = [h.receive for h in handles] + [h.process.sentinel for h in handles]
        ready = set(multiprocessing.connection.wait(waitables, timeout))
        finished = []
        for handle in handles:
            if handle.receive in ready or handle.process.sentinel in ready:
                finished.append((handle, handle.result()))
        return finished

    def stop(self, handles: list[_Process]) -> None:
        for handle in handles:  # all at once: each unwinds while the next is signalled
            if handle.process.is_alive():
                handle.process.terminate()
        deadline = time.monotonic() + GRACE_SECONDS
        for handle in handles:
            handle.process.join(max(0.0, deadline - time.monotonic()))
            if handle.process.is_alive():
                handle.process.kill()
                handle.process.join()
            handle.receive.close()

    def close(self) -> None:
        pass


@dataclass(eq=False)
class _Process:
    process: multiprocessing.process.BaseProcess
    receive: multiprocessing.connection.Connection

    def result(self) -> Any:
        """The child's answer, or `Lost` when it died without one."""
        try:
            answer = self.receive.recv()
        except (EOFError, OSError):
            self.process.join()
            answer = Lost(
                "crashed", f"the worker process crashed ({describe_exit(self.process.exitcode)})"
            )
        else:
            self.process.join()
        self.receive.close()
        return answer


def _run_child(send, environment: dict, function: Callable[..., Any], args: tuple) -> None:
    """A task's process. A forkserver's child inherits the server's environment, from when the
    server started, so the environment of the process that started the task is put in its
    place."""
    os.environ.clear()
    os.environ.update(environment)
    lifeline.worker_init()
    try:
        answer = _call(function, args)
    except KeyboardInterrupt:  # stopped: unwound, temporary files removed; exit without a trace
        sys.exit(143)
    try:
        send.send(answer)
    except OSError:  # the parent is gone or stopped listening
        pass


def _call(function: Callable[..., Any], args: tuple) -> Any:
    try:
        return function(*args)
    except Exception as exc:  # a bug of ours ends this task only
        return Lost("crashed", f"internal error: {type(exc).__name__}: {exc}")


def _run_in(directory: str, function: Callable[..., Any], args: tuple) -> Any:
    """A Ray task: `function(*args)` in `directory`, where relative paths mean what they meant to
    the process that started it."""
    os.chdir(directory)
    return _call(function, args)


class RayUnavailable(Exception):
    """`--executor ray` where Ray is not installed, or its cluster cannot be reached."""


class RayTasks:
    """Each task a Ray task (one CPU, never retried), on the cluster at `address` or, without
    one, on a local instance started here (and shut down at the end). A Ray already initialised
    in this process is used as it is. A task runs in this process's working directory and sees
    its training cache: on a cluster, both must be on a filesystem every node shares."""

    def __init__(self, function: Callable[..., Any], address: str | None, verbose: bool):
        try:
            ray = importlib.import_module("ray")  # optional: the `ray` extra
        except ImportError:
            raise RayUnavailable("--executor ray needs Ray: pip install 'mipsdsl[ray]'") from None
        self.ray, self.function = ray, function
        self.started = not ray.is_initialized()
        if self.started:
            local = {} if address else {"include_dashboard": False}
            try:
                ray.init(
                    address=address, log_to_driver=verbose, logging_level=logging.WARNING, **local
                )
            except Exception as exc:  # no cluster there, or a local one cannot start
                where = f"the Ray cluster at {address}" if address else "a local Ray"
                raise RayUnavailable(f"--executor ray: cannot reach {where}: {exc}") from None
        env = {k: v for k, v in os.environ.items() if k == "MIPSDSL_CACHE_DIR"}
        self.remote = ray.remote(num_cpus=1, max_retries=0, runtime_env={"env_vars": env})(_run_in)

    def slots(self) -> int:
        """How many tasks the cluster can run at once: its CPUs."""
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def start(self, args: tuple) -> Any:
        return self.remote.remote(os.getcwd(), self.function, args)

    def wait(self, handles: list, timeout: float | None) -> list[tuple[Any, Any]]:
        done, _ = self.ray.wait(handles, num_returns=1, timeout=timeout)
        return [(ref, self._result(ref)) for ref in done]

    def _result(self, ref) -> Any:
        try:
            return self.ray.get(ref)
        except self.ray.exceptions.RayError as exc:  # the worker died, or the task raised
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return Lost("crashed", f"the Ray task failed: {first}")

    def stop(self, handles: list) -> None:
        for ref in handles:
            self.ray.cancel(ref)  # a KeyboardInterrupt in the task: it unwinds
        if handles:
            _, alive = self.ray.wait(handles, num_returns=len(handles), timeout=GRACE_SECONDS)
            for ref in alive:
                self.ray.cancel(ref, force=True)

    def close(self) -> None:
        if self.started:
            self.ray.shutdown()
