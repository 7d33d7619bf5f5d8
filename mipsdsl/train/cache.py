"""The checkpoint cache: one file per content hash, written atomically, read with weights_only.

Location: `train/` in the user cache directory (`mipsdsl.user_cache`). A cache is
only ever a shortcut: an entry that cannot be read, or (as the search checks) is malformed or no
longer exact, means training again, and a cache that cannot be written means training every time.
"""

from __future__ import annotations

from pathlib import Path

import torch

from mipsdsl import atomic
from mipsdsl.user_cache import cache_dir

_unwritable: set[Path] = set()  # cache directories already said to be unwritable, this process


class UnreadableEntry(Exception):
    """A cache file exists but torch cannot load it (truncated, not a checkpoint, unsafe)."""


def _path(key: str) -> Path:
    return cache_dir() / "train" / f"{key}.pt"


def load(key: str):
    """The cached entry as stored (checking its contents is the caller's), or None when absent;
    raises UnreadableEntry, with a one-line reason, for a file torch cannot load."""
    path = _path(key)
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever torch raises, the entry is unusable
        raise UnreadableEntry(_first_line(exc)) from None


def save(key: str, entry: dict) -> str | None:
    """Store `entry` under `key`. A cache that cannot be written costs time later, not this run:
    the failure is returned as a one-line note the first time for each directory in a process
    (so that a run compiling many specs says it once), and None otherwise."""
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic.replacing(path, prefix=f".{key}.") as handle:
            torch.save(entry, handle)
    except OSError as exc:  # a full disk, say: the network trained is still good
        return _unwritable_note(exc)
    return None


def _unwritable_note(exc: OSError) -> str | None:
    directory = cache_dir()
    if directory in _unwritable:
        return None
    _unwritable.add(directory)
    reason = exc.strerror or _first_line(exc)
    return (
        f"the training cache {directory} cannot be written ({reason}): networks will be trained "
        "again on every run; set MIPSDSL_CACHE_DIR to a writable directory"
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
