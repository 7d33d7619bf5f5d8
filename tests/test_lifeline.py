"""Signals and child processes: SIGTERM unwinds like Ctrl-C, and a child ends with its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from mipsdsl import lifeline
from tests.conftest import ROOT


def python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_sigterm_raises_terminated_which_unwinds_like_ctrl_c():
    previous = signal.getsignal(signal.SIGTERM)
    unwound = []
    try:
        lifeline.terminate_by_exception()
        with pytest.raises(lifeline.Terminated):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(30)  # the handler raises out of the sleep
            finally:
                unwound.append(True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert unwound == [True]
    assert issubclass(lifeline.Terminated, KeyboardInterrupt)


def test_a_child_environment_names_this_process_and_keeps_the_rest():
    env = lifeline.child_environment({"KEPT": "1"})
    assert env == {"KEPT": "1", lifeline.PARENT_ENV: str(os.getpid())}
    assert lifeline.PARENT_ENV not in os.environ
    assert lifeline.child_environment()[lifeline.PARENT_ENV] == str(os.getpid())


@pytest.mark.parametrize("value", [None, "", "not-a-pid"])
def test_no_parent_named_means_no_watch(monkeypatch, value):
    if value is None:
        monkeypatch.delenv(lifeline.PARENT_ENV, raising=False)
    else:
        monkeypatch.setenv(lifeline.PARENT_ENV, value)
    before = {t.name for t in threading.enumerate()}
    lifeline.watch_parent_from_env()
    assert "mipsdsl-lifeline" not in {t.name for t in threading.enumerate()} - before


def test_a_process_whose_watched_parent_is_gone_unwinds_itself():
    # pid 1 is not this child's parent: as if the parent had died and the child been adopted
    done = python(
        "import os, sys, time\n"
        "from mipsdsl import lifeline\n"
        "lifeline.terminate_by_exception()\n"
        f"os.environ[{lifeline.PARENT_ENV!r}] = '1'\n"
        "try:\n"
        "    lifeline.watch_parent_from_env()\n"
        "    time.sleep(30)\n"
        "except lifeline.Terminated:\n"
        "    print('unwound')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "unwound\n"


def test_a_pool_worker_ignores_ctrl_c_and_unwinds_on_sigterm():
    done = python(
        "import os, signal\n"
        "from mipsdsl import lifeline\n"
        "lifeline.worker_init()\n"
        "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)\n"
        "print(signal.getsignal(signal.SIGTERM) is lifeline._raise_terminated)\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\nTrue\n"
