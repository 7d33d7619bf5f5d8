"""Read a spec file's text, bounded; whatever reads a spec file from disk should use `read_spec`.

Only regular files are read (a device such as /dev/zero never ends; a pipe blocks until someone
writes), and at most `MAX_SPEC_BYTES` + 1 bytes, so a size that `stat` misreports cannot make the
read unbounded. A UTF-8 byte-order mark, as some editors write, is dropped.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from mipsdsl.diagnostics import SpecError, SpecFileError, error

MAX_SPEC_BYTES = 1 << 20  # the largest benchmark spec is under 1 KiB; 1 MiB is no hand-written spec


def read_spec(path: str | Path) -> str:
    """The text of a spec file; every file-system or encoding problem becomes a `SpecError`
    (a `SpecFileError`, a usage error, when the file cannot be opened or is not a file)."""
    shown = str(path)
    try:
        # O_NONBLOCK: opening a pipe returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise SpecFileError([error("no such file", shown)]) from None
    except PermissionError:
        raise SpecFileError([error("permission denied", shown)]) from None
    except OSError as exc:
        raise SpecFileError([error(f"cannot be opened: {exc.strerror or exc}", shown)]) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise SpecFileError([error("is a directory, not a spec file", shown)])
        if not stat.S_ISREG(mode):
            raise SpecFileError([error("is not a regular file", shown)])
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError([error(f"cannot be read: {exc.strerror or exc}", shown)]) from None
    finally:
        os.close(fd)
    if len(data) > MAX_SPEC_BYTES:
        raise SpecError([error(f"is larger than {MAX_SPEC_BYTES:,} bytes; not a spec", shown)])
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError([error(f"is not UTF-8 text (byte {skip + exc.start})", shown)]) from None
