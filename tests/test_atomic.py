"""`mipsdsl.atomic.replacing`: the target is replaced whole or not at all, and no temporary file
outlives the write."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from mipsdsl import atomic


def test_a_finished_write_replaces_the_target_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with atomic.replacing(target, "w", encoding="utf-8", permissions=0o644) as handle:
        handle.write("new")
        assert target.read_text() == "old"  # not yet: readers see the old file until the end
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("failure", [OSError, KeyboardInterrupt])
def test_a_write_that_fails_midway_leaves_the_target_as_it_was(tmp_path, failure):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(failure):
        with atomic.replacing(target) as handle:
            handle.write(b"half")
            raise failure()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_a_failed_write_to_a_new_target_creates_nothing(tmp_path):
    with pytest.raises(ValueError):
        with atomic.replacing(tmp_path / "new.bin") as handle:
            handle.write(b"half")
            raise ValueError
    assert os.listdir(tmp_path) == []


def test_a_refusing_check_sees_the_whole_file_and_nothing_replaces_the_target(tmp_path):
    target = tmp_path / "m.py"
    seen = []

    def refuse(written):
        seen.append((written.parent, written.name, written.read_text()))
        raise RuntimeError("wrong")

    with pytest.raises(RuntimeError):
        with atomic.replacing(target, "w", prefix=".m.", suffix=".py", check=refuse) as handle:
            handle.write("x = 1\n")
    [(directory, name, text)] = seen
    assert directory == tmp_path and name.startswith(".m.") and name.endswith(".py")
    assert text == "x = 1\n"
    assert os.listdir(tmp_path) == []


def test_two_concurrent_writers_of_one_target_use_their_own_temporary_files(tmp_path):
    target = tmp_path / "compile.json"
    barrier = threading.Barrier(2)
    listings = []

    def write(text):
        with atomic.replacing(target, "w", encoding="utf-8") as handle:
            handle.write(text)
            barrier.wait(timeout=10)  # both temporary files exist now
            listings.append(sorted(os.listdir(tmp_path)))
            barrier.wait(timeout=10)  # neither is replaced before both are seen
            handle.write(text)

    threads = [threading.Thread(target=write, args=(text,)) for text in ("a" * 1000, "b" * 1000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(listings) == 2 and listings[0] == listings[1]
    assert len(listings[0]) == 2 and all(n.startswith(".compile.json.") for n in listings[0])
    assert target.read_text() in ("a" * 2000, "b" * 2000)  # one writer's file whole, not a mix
    assert os.listdir(tmp_path) == ["compile.json"]
