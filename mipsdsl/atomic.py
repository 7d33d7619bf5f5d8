"""Atomic file writes: a file is replaced whole or left as it was, never half written.

Every writer of a file that a reader may open at any time (modules, datasets, cache entries,
benchmark reports) goes through `replacing`, so that a crash, a full disk or Ctrl-C leaves no
truncated file, and concurrent writers of one target (`--jobs`) never share a temporary file.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def replacing(
    path: str | Path,
    mode: str = "wb",
    *,
    prefix: str | None = None,
    suffix: str = ".tmp",
    encoding: str | None = None,
    newline: str | None = None,
    permissions: int | None = None,
    check: Callable[[Path], object] | None = None,
) -> Iterator[IO]:
    """A handle on a new temporary file beside `path` (named `prefix`, default `.NAME.`, then a
    unique part, then `suffix`); when the block ends normally the file is flushed to disk, given
    `permissions` (mkstemp's default is 0o600), handed to `check` (which raises to refuse it)
    and moved onto `path`. On any exception, KeyboardInterrupt included, it is removed instead.

    The temporary file lives in the target's directory so that the final rename is atomic."""
    path = Path(path)
    prefix = f".{path.name}." if prefix is None else prefix
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        if permissions is not None:
            os.chmod(temporary, permissions)
        if check is not None:
            check(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
