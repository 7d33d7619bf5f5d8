"""Hostile or broken input files: examples .npz files, spec files that are not regular files or
are too large, `mipsc data` sizes beyond memory. Each gets a diagnostic and exit 1 or 2, quickly,
and never an internal error."""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from mipsdsl.cli import main
from mipsdsl.data import load_dataset
from mipsdsl.data.examples import MAX_EXAMPLES_VALUES
from mipsdsl.errors import DataError
from tests.conftest import ROOT, SPECS

SPEC = 'task mystery "Known only by examples."\ninput x in {0, 1}\nexamples "data.npz"\noutput y\n'
X = np.array([[0, 1, 1], [1, 0, 0]], dtype=np.int64)
Y = np.array([[0, 1, 0], [1, 1, 1]], dtype=np.int64)


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return status, out, err


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def write_zip(path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def check_examples(capsys, tmp_path, fragment: str) -> str:
    """`mipsc check` on an examples spec naming tmp_path/data.npz: exit 1, `fragment` said."""
    spec = tmp_path / "mystery.mips"
    spec.write_text(SPEC, encoding="utf-8")
    status, _, err = run(capsys, "check", str(spec))
    assert status == 1, err
    assert fragment in err
    assert "mystery.mips:3:1: error:" in err  # a diagnostic at the examples statement
    return err


def test_the_good_file_checks(capsys, tmp_path):
    np.savez(tmp_path / "data.npz", x=X, y=Y)
    (tmp_path / "mystery.mips").write_text(SPEC, encoding="utf-8")
    assert run(capsys, "check", str(tmp_path / "mystery.mips"))[0] == 0


def test_members_that_are_not_npy_arrays(capsys, tmp_path):
    write_zip(tmp_path / "data.npz", {"x": b"0 1 1\n1 0 0\n", "y": b"0 1 0\n1 1 1\n"})
    check_examples(capsys, tmp_path, "'x', which is not a .npy array")


def test_a_header_claiming_ten_trillion_elements(capsys, tmp_path):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<i8", "fortran_order": False, "shape": (10**13,)}
    )
    write_zip(tmp_path / "data.npz", {"x.npy": header.getvalue() + bytes(64), "y.npy": npy(Y)})
    err = check_examples(capsys, tmp_path, "10,000,000,000,000 values")
    assert f"at most {MAX_EXAMPLES_VALUES:,}" in err


def test_a_zip_bomb(capsys, tmp_path):
    """A member that inflates to four times the limit (512 MiB of zeros in about 2 MB), streamed
    so that building it takes little memory."""
    rows = 4 * MAX_EXAMPLES_VALUES // 8
    with zipfile.ZipFile(tmp_path / "data.npz", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        with z.open("x.npy", "w", force_zip64=True) as member:
            np.lib.format.write_array_header_1_0(
                member, {"descr": "|u1", "fortran_order": False, "shape": (rows, 8)}
            )
            chunk = bytes(1 << 20)
            for _ in range(rows * 8 // len(chunk)):
                member.write(chunk)
        z.writestr("y.npy", npy(np.zeros((rows, 8), dtype=np.uint8)[:2]))
    assert (tmp_path / "data.npz").stat().st_size < 8 << 20
    check_examples(capsys, tmp_path, f"{4 * MAX_EXAMPLES_VALUES:,} values")


def test_a_text_file_named_npz(capsys, tmp_path):
    (tmp_path / "data.npz").write_text("x,y\n0,1\n", encoding="utf-8")
    err = check_examples(capsys, tmp_path, "'data.npz' is not an .npz file")
    assert "pickle" not in err


def test_an_npy_file_named_npz(capsys, tmp_path):
    np.save(tmp_path / "data.npy", X)
    (tmp_path / "data.npy").rename(tmp_path / "data.npz")
    check_examples(capsys, tmp_path, "'data.npz' is not an .npz file")


def test_lengths_holding_strings(capsys, tmp_path):
    np.savez(tmp_path / "data.npz", x=X, y=Y, lengths=np.array(["3", "2"]))
    check_examples(capsys, tmp_path, "'lengths' in 'data.npz' must hold integers, not <U1")


def test_uint64_values_above_int64_are_refused_not_wrapped(capsys, tmp_path):
    y = Y.astype(np.uint64)
    y[0, 0] = 2**64 - 1
    np.savez(tmp_path / "data.npz", x=X, y=y)
    err = check_examples(capsys, tmp_path, "18446744073709551615")
    # no wrapped value (-1) in the message; the temporary path may hold "-1" (pytest-1xx)
    assert "does not fit in a 64-bit signed integer" in err
    assert "-1" not in err.replace(str(tmp_path), "")


def test_a_pipe_named_as_the_examples_file(capsys, tmp_path):
    os.mkfifo(tmp_path / "data.npz")
    check_examples(capsys, tmp_path, "'data.npz' is not a regular file")


def test_load_dataset_applies_the_same_rules(tmp_path):
    from mipsdsl.check import load_task

    task, _ = load_task(SPECS / "add_mod_3.mips", sample=0)
    path = tmp_path / "data.npz"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(DataError, match="is not an .npz file"):
        load_dataset(path, task)
    np.savez(path, x=np.full((2, 3), 2**64 - 1, dtype=np.uint64), y=Y)
    with pytest.raises(DataError, match="does not fit in a 64-bit signed integer"):
        load_dataset(path, task)


# ---------------------------------------------------------------- the command line, boxed


def cli_in_a_box(*argv: str) -> subprocess.CompletedProcess:
    """`mipsc ARGV` in a child with 2 GiB of address space and a minute: a regression that
    reads without limit or blocks fails this test instead of taking the machine down."""

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    code = "import sys; from mipsdsl.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
    )


# ---------------------------------------------------------------- mipsc data sizes


@pytest.mark.parametrize("output", [False, True])
def test_data_refuses_more_than_memory_holds_up_front(tmp_path, output):
    """Today's code would build 100 million sequences (16 GB and more) to print 20 of them."""
    argv = ["data", str(SPECS / "add_mod_3.mips"), "-n", "100000000"]
    done = cli_in_a_box(*argv, *(["-o", str(tmp_path / "big.npz")] if output else []))
    assert done.returncode == 1 and done.stdout == "", done.stderr
    assert "100,000,000 sequences of length 10 need about 74.5 GiB of memory" in done.stderr
    assert "more than the 8 GiB allowed; lower -n" in done.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- spec files


@pytest.mark.parametrize("command", ["check", "data"])
def test_a_device_as_the_spec_ends_quickly_with_a_clear_error(command):
    done = cli_in_a_box(command, "/dev/zero")
    assert done.returncode == 2, done.stderr
    assert "/dev/zero: error: is not a regular file" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_pipe_as_the_spec_is_refused_without_waiting_for_a_writer(tmp_path):
    os.mkfifo(tmp_path / "spec.mips")
    done = cli_in_a_box("check", str(tmp_path / "spec.mips"))
    assert done.returncode == 2 and "is not a regular file" in done.stderr


@pytest.mark.parametrize("command", [["check"], ["data", "-n", "2"]])
def test_a_spec_with_a_byte_order_mark_checks(capsys, tmp_path, command):
    path = tmp_path / "bom.mips"
    path.write_bytes(b"\xef\xbb\xbf" + (SPECS / "add_mod_3.mips").read_bytes())
    status, out, _ = run(capsys, command[0], str(path), *command[1:])
    assert status == 0
    assert out.startswith("ok  add_mod_3" if command == ["check"] else "add_mod_3: 2 of 2")
