"""`mipsdsl.scaleout`: tasks in processes of their own, streamed as they finish; a crash, an
exception or a timeout costs only its own task, and stopping a task removes its temporary files.

The task functions live here, at module level, so that the spawned processes can import them."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

from mipsdsl import atomic, scaleout
from tests.conftest import SPECS


def _double(x: int) -> int:
    return 2 * x


def _crash() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _fail() -> None:
    raise ValueError("a bug")


def _hang_while_writing(path: str, pid_file: str) -> None:
    """Sit inside an atomic write of `path` (its temporary file exists) until stopped, in short
    sleeps as a training loop would (Ray's cancel lands between bytecodes)."""
    Path(pid_file).write_text(str(os.getpid()))
    with atomic.replacing(path, "w") as handle:
        handle.write("never finished")
        for _ in range(6000):
            time.sleep(0.1)


def _dispatch(name: str, *args):
    return globals()[name](*args)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_results_stream_in_and_crashes_errors_and_timeouts_cost_only_their_task(tmp_path):
    calls = [
        ("hang", ("_hang_while_writing", str(tmp_path / "out.txt"), str(tmp_path / "pid"))),
        ("crash", ("_crash",)),
        ("fail", ("_fail",)),
        ("double", ("_double", 21)),
    ]
    started = time.monotonic()
    results = list(scaleout.stream(scaleout.Processes(_dispatch), calls, jobs=4, timeout=4))
    seconds = time.monotonic() - started
    by_name = dict(results)
    assert by_name["double"] == 42
    assert by_name["crash"] == scaleout.Lost(
        "crashed", "the worker process crashed (killed by SIGKILL)"
    )
    assert by_name["fail"] == scaleout.Lost("crashed", "internal error: ValueError: a bug")
    assert by_name["hang"] == scaleout.Lost("timed out", "timed out after 4 s")
    assert [name for name, _ in results][-1] == "hang"  # the others were not held up by it
    assert seconds < 4 + scaleout.GRACE_SECONDS  # it unwound on SIGTERM, no SIGKILL needed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pid"]  # its temporary file is gone
    assert not _alive(int((tmp_path / "pid").read_text()))


def test_more_calls_than_jobs_each_get_their_own_result():
    calls = [(f"t{i}", ("_double", i)) for i in range(3)]
    results = dict(scaleout.stream(scaleout.Processes(_dispatch), calls, jobs=2))
    assert results == {"t0": 0, "t1": 2, "t2": 4}


def test_closing_the_stream_stops_the_running_tasks(tmp_path):
    calls = [
        ("double", ("_double", 1)),
        ("hang", ("_hang_while_writing", str(tmp_path / "out.txt"), str(tmp_path / "pid"))),
    ]
    with contextlib.closing(scaleout.stream(scaleout.Processes(_dispatch), calls, jobs=2)) as tasks:
        assert next(tasks) == ("double", 2)
        deadline = time.monotonic() + 30
        while not (tmp_path / "pid").is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
    pid = int((tmp_path / "pid").read_text())
    assert not _alive(pid)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pid"]


def test_an_exit_status_is_described_by_its_signal_or_code():
    assert scaleout.describe_exit(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert scaleout.describe_exit(3) == "exit code 3"


# ---------------------------------------------------------------- Ray


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="needs Ray (pip install 'mipsdsl[ray]')")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


def test_ray_tasks_stream_the_same_way_and_a_cancelled_one_unwinds(local_ray, tmp_path):
    calls = [
        ("hang", ("_hang_while_writing", str(tmp_path / "out.txt"), str(tmp_path / "pid"))),
        ("fail", ("_fail",)),
        ("double", ("_double", 21)),
    ]
    executor = scaleout.RayTasks(_dispatch, None, verbose=False)
    assert executor.slots() == 2 and not executor.started  # this Ray is the test's: kept
    results = dict(scaleout.stream(executor, calls, jobs=3, timeout=5))
    assert results == {
        "double": 42,
        "fail": scaleout.Lost("crashed", "internal error: ValueError: a bug"),
        "hang": scaleout.Lost("timed out", "timed out after 5 s"),
    }
    deadline = time.monotonic() + scaleout.GRACE_SECONDS
    while (tmp_path / "out.txt").exists() or len(list(tmp_path.iterdir())) > 1:
        assert time.monotonic() < deadline, "the cancelled task left its temporary file"
        time.sleep(0.2)
    assert local_ray.is_initialized()


def test_bench_runs_each_task_as_a_ray_task(
    local_ray, trained, training_cache, tmp_path, monkeypatch, capsys
):
    from mipsdsl.cli import main  # here: the spawned processes above need not import it

    trained("parity_all"), trained("bitwise_xor")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(training_cache))
    specs = [SPECS / "parity_all.mips", SPECS / "bitwise_xor.mips"]
    gen, report_dir = tmp_path / "gen", tmp_path / "report"
    argv = [
        "bench",
        *map(str, specs),
        "--executor",
        "ray",
        "-o",
        str(gen),
        "--report",
        str(report_dir),
    ]
    assert main([*argv, "-q"]) == 0
    summary = json.loads((report_dir / "compile.json").read_text())
    assert [(row["task"], row["compiled"]) for row in summary["rows"]] == [
        ("parity_all", True),
        ("bitwise_xor", True),
    ]
    assert summary["jobs"] == 2  # the cluster's CPUs
    assert sorted(p.name for p in gen.iterdir()) == ["bitwise_xor.py", "parity_all.py"]
    tasks = sorted(p.name for p in (report_dir / "tasks").iterdir())
    assert tasks == ["bitwise_xor.json", "parity_all.json"]


def _environment(name: str) -> str | None:
    return os.environ.get(name)


def test_a_task_sees_the_environment_of_its_start_not_of_the_server(monkeypatch):
    # the forkserver is running after the first task; a later task must still see a changed
    # environment (a cache directory set for one bench, say)
    executor = scaleout.Processes(_dispatch)
    first = dict(scaleout.stream(executor, [("before", ("_environment", "MIPSDSL_TEST_VALUE"))], 1))
    monkeypatch.setenv("MIPSDSL_TEST_VALUE", "changed")
    calls = [("after", ("_environment", "MIPSDSL_TEST_VALUE"))]
    second = dict(scaleout.stream(scaleout.Processes(_dispatch), calls, 1))
    assert first == {"before": None}
    assert second == {"after": "changed"}
