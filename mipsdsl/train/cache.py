"""The checkpoint cache: one file per content hash, written atomically, read with weights_only.

Location: $MIPSDSL_CACHE_DIR, else $XDG_CACHE_HOME/mipsdsl, else ~/.cache/mipsdsl.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch


def cache_dir() -> Path:
    if os.environ.get("MIPSDSL_CACHE_DIR"):
        return Path(os.environ["MIPSDSL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mipsdsl"


def _path(key: str) -> Path:
    return cache_dir() / "train" / f"{key}.pt"


def load(key: str) -> dict | None:
    """The cached entry, or None when absent or unreadable (a corrupt file is ignored, not fatal)."""
    path = _path(key)
    if not path.is_file():
        return None
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # noqa: BLE001 - any unreadable cache entry just means "train again"
        return None


def save(key: str, entry: dict) -> None:
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return  # an unwritable cache only costs time later
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(entry, handle)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
