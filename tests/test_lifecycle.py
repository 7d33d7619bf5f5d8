"""Runs that are interrupted, killed or doomed: real signals to real `mipsc` processes stop every
worker within seconds and leave no module or temporary file behind; a run that cannot succeed is
refused, with every reason, before anything trains."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mipsdsl.cli import main
from tests.conftest import ROOT, SPECS

# Hard enough that no network solves it within the few seconds a test waits, small enough to start
# training at once.
SLOW = """task slow_{i} "Not learnable in a few seconds."
input x in [0, 10)
length 10
output y = (sum(x * x) + sum(x, last 3) * t) % 9
"""


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid` (Linux /proc)."""
    found, frontier = set(), [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    frontier.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has exited; only its entry waits to be reaped


def _start_compile(tmp_path: Path, jobs: int) -> tuple[subprocess.Popen, Path]:
    """A compile of `jobs` slow specs, once every one is training; its workers said nothing
    else on the way (no warning from their start-up)."""
    out = tmp_path / "out"
    specs = []
    for i in range(jobs):
        spec = tmp_path / f"slow_{i}.mips"
        spec.write_text(SLOW.format(i=i))
        specs.append(str(spec))
    env = {**os.environ, "MIPSDSL_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    command = [
        sys.executable,
        "-m",
        "mipsdsl.cli",
        "compile",
        *specs,
        "-o",
        str(out),
        "--budget",
        "60",
        "--jobs",
        str(jobs),
    ]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    started, deadline = 0, time.monotonic() + 120
    while started < jobs and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        if not line.strip():  # two workers' lines can interleave, leaving an empty one
            continue
        started += line.rstrip().endswith(": training")
        assert line.startswith("slow_"), f"unexpected output from the compile: {line!r}"
    assert started == jobs, "the compile did not start training"
    time.sleep(1.0)  # well inside training
    return process, out


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.is_dir() else []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    "signum, code, word",
    [
        (signal.SIGINT, 130, "interrupted"),
        (signal.SIGTERM, 143, "terminated"),
    ],
)
def test_a_signal_to_a_parallel_compile_stops_every_worker(tmp_path, signum, code, word):
    process, out = _start_compile(tmp_path, jobs=2)
    workers = _descendants(process.pid)
    assert workers, "no worker processes found"
    process.send_signal(signum)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("mipsc did not exit within 15 s of the signal")
    rest = process.stderr.read()
    assert process.returncode == code
    assert [line for line in rest.splitlines() if line.startswith("mipsc:")] == [f"mipsc: {word}"]
    deadline = time.monotonic() + 5
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(_alive, workers)), "workers outlived the signal"
    time.sleep(1.0)
    assert _leftovers(out) == [], "a module or temporary file was written"


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_of_a_killed_compile_end_with_it(tmp_path):
    process, out = _start_compile(tmp_path, jobs=2)
    workers = _descendants(process.pid)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(map(_alive, workers)), "workers outlived a SIGKILL of their parent"


def test_sigterm_to_a_single_compile_unwinds_and_exits_143(tmp_path):
    process, out = _start_compile(tmp_path, jobs=1)
    process.terminate()
    process.wait(timeout=15)
    rest = process.stderr.read()
    assert process.returncode == 143, rest  # the message says which error, if one was reported
    assert "mipsc: terminated" in rest
    assert _leftovers(out) == []


# ---------------------------------------------------------------- doomed runs


def test_doomed_runs_are_refused_with_every_reason_before_training(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "add_mod_3.py").write_text("def run(xs):\n    return [0 for _ in xs]\n")
    twin = tmp_path / "twin.mips"
    twin.write_text((SPECS / "add_mod_3.mips").read_text())
    long_name = tmp_path / "long.mips"
    long_name.write_text(SLOW.format(i="n" * 250))
    code = main(
        [
            "compile",
            str(SPECS / "add_mod_3.mips"),
            str(twin),
            str(long_name),
            "-o",
            str(out),
            "--budget",
            "1",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "both task 'add_mod_3'" in err
    assert "'add_mod_3.py' was not written by mipsc" in err.replace(str(out) + os.sep, "")
    assert "too long for a file name" in err
    assert "training" not in err
    assert sorted(p.name for p in out.iterdir()) == ["add_mod_3.py"]


def test_an_output_directory_that_cannot_be_written_is_refused(capsys):
    code = main(["compile", str(SPECS / "add_mod_3.mips"), "-o", "/proc/self", "--budget", "1"])
    assert code == 2
    assert "cannot write to the output directory '/proc/self'" in capsys.readouterr().err


def test_bench_refuses_a_missing_catalogue(tmp_path, capsys):
    code = main(
        [
            "bench",
            str(SPECS / "add_mod_3.mips"),
            "--paper",
            str(tmp_path / "none.md"),
            "-o",
            str(tmp_path),
            "--report",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert "none.md' does not exist" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["train", "SPEC", "--seed", "1"],
        ["compile", "SPEC", "--regress", "5"],
    ],
)
def test_options_are_matched_exactly(argv, capsys):
    argv = [str(SPECS / "add_mod_3.mips") if a == "SPEC" else a for a in argv]
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err
