"""Read input/output examples from an .npz file (as `mipsc data -o` writes them), validated
against a task's input channels."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from mipsdsl.task import InputChannel


class ExamplesError(Exception):
    pass


def read_examples(path: Path, inputs: tuple[InputChannel, ...], shown: str | None = None):
    """Return int64 x (N, L, C), y (N, L, O) and lengths (N,), or raise `ExamplesError`.

    `shown` is how messages name the file (as the user wrote it); default: its file name.
    """
    shown = shown or path.name
    if not path.is_file():
        raise ExamplesError(f"examples file '{shown}' not found")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ExamplesError(f"'{shown}' is not a readable .npz file ({exc})") from None
    for key in ("x", "y"):
        if key not in arrays:
            raise ExamplesError(f"'{shown}' has no array '{key}' (it needs x and y)")
    x, y = (_as_int3(arrays[key], key, shown) for key in ("x", "y"))
    if x.shape[:2] != y.shape[:2]:
        raise ExamplesError(f"x has shape {x.shape} but y has {y.shape}; they must agree on (N, L)")
    if x.shape[0] == 0 or x.shape[1] == 0:
        raise ExamplesError(f"'{shown}' holds no sequences")
    if x.shape[2] != len(inputs):
        raise ExamplesError(
            f"x has {x.shape[2]} input channels but the spec declares {len(inputs)}"
        )
    lengths = arrays.get("lengths")
    if lengths is None:
        lengths = np.full(x.shape[0], x.shape[1], dtype=np.int64)
    elif lengths.shape != (x.shape[0],) or lengths.min() < 1 or lengths.max() > x.shape[1]:
        raise ExamplesError("'lengths' must hold one length in 1..L per sequence")
    lengths = lengths.astype(np.int64)
    valid = np.arange(x.shape[1])[None, :] < lengths[:, None]
    for i, channel in enumerate(inputs):
        outside = ~np.isin(x[..., i], channel.values) & valid
        if outside.any():
            seq, pos = np.argwhere(outside)[0]
            raise ExamplesError(
                f"x[{seq}, {pos}] = {x[seq, pos, i]} lies outside the alphabet of '{channel.name}'"
            )
    return x, y, lengths


def _as_int3(array: np.ndarray, key: str, shown: str) -> np.ndarray:
    if array.dtype == bool:
        array = array.astype(np.int64)
    if not np.issubdtype(array.dtype, np.integer):
        raise ExamplesError(f"'{key}' in '{shown}' must hold integers, not {array.dtype}")
    if array.ndim == 2:
        array = array[..., None]
    if array.ndim != 3:
        raise ExamplesError(
            f"'{key}' must have shape (N, L) or (N, L, channels), not {array.shape}"
        )
    return array.astype(np.int64)
