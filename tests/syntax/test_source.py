"""Reading a spec file: size limit, byte order mark, files that cannot be read."""

from __future__ import annotations

import pytest

from mipsdsl.diagnostics import SpecError, SpecFileError
from mipsdsl.syntax import MAX_SPEC_BYTES, read_spec


def test_read_spec_reads_at_most_the_limit(tmp_path):
    path = tmp_path / "big.mips"
    path.write_bytes(b"#" * MAX_SPEC_BYTES)
    assert len(read_spec(path)) == MAX_SPEC_BYTES
    path.write_bytes(b"#" * (MAX_SPEC_BYTES + 1))
    with pytest.raises(SpecError, match=f"larger than {MAX_SPEC_BYTES:,} bytes"):
        read_spec(path)
    with pytest.raises(SpecFileError, match="no such file"):
        read_spec(tmp_path / "none.mips")
    with pytest.raises(SpecFileError, match="is a directory"):
        read_spec(tmp_path)


def test_read_spec_drops_a_byte_order_mark_and_counts_bytes_after_it(tmp_path):
    path = tmp_path / "bom.mips"
    path.write_bytes(b"\xef\xbb\xbftask d\n")
    assert read_spec(path) == "task d\n"
    path.write_bytes(b"\xef\xbb\xbftask \xff\n")
    with pytest.raises(SpecError, match=r"not UTF-8 text \(byte 8\)"):
        read_spec(path)
