"""Read input/output examples from an .npz file (as `mipsc data -o` writes them), validated
against a task's input channels.

The file comes from a user and may be anything, so it is not handed to `np.load`: that reads a
member that is not .npy whole (a zip bomb), allocates whatever an .npy header claims, and answers
a file that is no zip with advice about pickles. Instead every member must be a .npy array, the
headers of x, y and lengths are read and their sizes checked first, and only then their data.
"""

from __future__ import annotations

import math
import stat
import tokenize
import zipfile
import zlib
from pathlib import Path

import numpy as np

from mipsdsl.task import InputChannel

try:
    from lzma import LZMAError

    _LZMA_ERRORS: tuple[type[Exception], ...] = (LZMAError,)
except ImportError:  # a Python built without lzma reads no LZMA-compressed member at all
    _LZMA_ERRORS = ()

# Values in x, y and lengths together: 1 GiB as int64. A hand-collected examples file is far
# smaller; the bound keeps a hostile one from claiming more memory than a laptop has.
MAX_EXAMPLES_VALUES = 1 << 27
# Uncompressed int64 arrays at the value limit, plus room for headers and other members.
MAX_EXAMPLES_FILE_BYTES = 8 * MAX_EXAMPLES_VALUES + (1 << 20)

_KEYS = ("x", "y", "lengths")
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
# What reading a damaged or unusual zip archive can raise: truncated or corrupt data (bzip2's
# is an OSError), a corrupt deflate or LZMA stream, an unsupported zip version or compression
# method, an encrypted member, an .npy header that is no Python literal.
_DAMAGE: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    ValueError,
    zipfile.BadZipFile,
    zlib.error,
    *_LZMA_ERRORS,
    NotImplementedError,
    RuntimeError,
    tokenize.TokenError,
    SyntaxError,
)


class ExamplesError(Exception):
    pass


def read_examples(path: Path, inputs: tuple[InputChannel, ...], shown: str | None = None):
    """Return int64 x (N, L, C), y (N, L, O) and lengths (N,), or raise `ExamplesError`.

    `shown` is how messages name the file (as the user wrote it); default: its file name.
    """
    shown = shown or path.name
    arrays = _read_npz(path, shown)
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
    else:
        lengths = _as_int64(lengths, "lengths", shown)
        if lengths.shape != (x.shape[0],) or lengths.min() < 1 or lengths.max() > x.shape[1]:
            raise ExamplesError("'lengths' must hold one length in 1..L per sequence")
    valid = np.arange(x.shape[1])[None, :] < lengths[:, None]
    for i, channel in enumerate(inputs):
        outside = ~np.isin(x[..., i], channel.values) & valid
        if outside.any():
            seq, pos = np.argwhere(outside)[0]
            raise ExamplesError(
                f"x[{seq}, {pos}] = {x[seq, pos, i]} lies outside the alphabet of '{channel.name}'"
            )
    return x, y, lengths


def _read_npz(path: Path, shown: str) -> dict[str, np.ndarray]:
    """x, y and (when present) lengths as stored; any problem with the file an `ExamplesError`."""
    try:
        status = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise ExamplesError(f"examples file '{shown}' not found") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the name
        raise ExamplesError(f"'{shown}' cannot be read: {exc}") from None
    if not stat.S_ISREG(status.st_mode):  # a pipe would block, a device never end
        raise ExamplesError(f"'{shown}' is not a regular file")
    if status.st_size > MAX_EXAMPLES_FILE_BYTES:
        raise ExamplesError(
            f"'{shown}' is {status.st_size:,} bytes; an examples file may have at most "
            f"{MAX_EXAMPLES_FILE_BYTES:,}"
        )
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ExamplesError(
            f"'{shown}' is not an .npz file (a zip archive of .npy arrays, as np.savez writes)"
        ) from None
    except OSError as exc:
        raise ExamplesError(f"'{shown}' cannot be read: {exc.strerror or exc}") from None
    except _DAMAGE as exc:
        raise ExamplesError(f"'{shown}' is a damaged .npz file ({exc})") from None
    with archive:
        try:
            return _read_arrays(archive, shown)
        except _DAMAGE as exc:
            raise ExamplesError(f"'{shown}' is a damaged .npz file ({exc})") from None


def _read_arrays(archive: zipfile.ZipFile, shown: str) -> dict[str, np.ndarray]:
    members = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise ExamplesError(
                f"'{shown}' holds '{info.filename}', which is not a .npy array; "
                "an .npz file holds only .npy arrays"
            )
        members[info.filename.removesuffix(".npy")] = info
    for key in ("x", "y"):
        if key not in members:
            raise ExamplesError(f"'{shown}' has no array '{key}' (it needs x and y)")
    wanted = [key for key in _KEYS if key in members]
    claimed = {key: _header(archive, members[key], key, shown) for key in wanted}
    if sum(claimed.values()) > MAX_EXAMPLES_VALUES:
        sizes = ", ".join(f"{key} {_amount(count)} values" for key, count in claimed.items())
        raise ExamplesError(
            f"'{shown}' holds more than an examples file may (at most {MAX_EXAMPLES_VALUES:,} "
            f"values): {sizes}"
        )
    arrays = {}
    for key in wanted:
        with archive.open(members[key]) as member:
            arrays[key] = np.lib.format.read_array(member, allow_pickle=False)
    return arrays


def _header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, shown: str) -> int:
    """How many values member `key` holds, from its .npy header alone; refuses non-integer ones."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version not in _HEADER_READERS:
            raise ExamplesError(f"'{key}' in '{shown}' is in .npy format {version}, not 1.0 or 2.0")
        shape, _, dtype = _HEADER_READERS[version](member)
    if not _integer(dtype):
        raise ExamplesError(f"'{key}' in '{shown}' must hold integers, not {dtype}")
    if not all(type(d) is int and d >= 0 for d in shape):  # numpy lets True and -1 through
        raise ExamplesError(f"'{key}' in '{shown}' has a damaged .npy header")
    return math.prod(shape)


def _integer(dtype: np.dtype) -> bool:
    return dtype.kind in "biu"  # not issubdtype(np.integer): that admits timedelta64


def _amount(count: int) -> str:
    """A count for a message; a header may claim one too long to print (or to `str`)."""
    return f"{count:,}" if count < 10**15 else f"at least 10^{(count.bit_length() - 1) * 3 // 10}"


def _as_int64(array: np.ndarray, key: str, shown: str) -> np.ndarray:
    """`array` (integers: `_header` refused the rest) as int64, refusing values that int64
    cannot hold rather than wrapping them."""
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ExamplesError(
            f"'{key}' in '{shown}' holds {array.max()}, which does not fit in a 64-bit signed "
            "integer"
        )
    return array.astype(np.int64)


def _as_int3(array: np.ndarray, key: str, shown: str) -> np.ndarray:
    if array.ndim not in (2, 3):
        raise ExamplesError(
            f"'{key}' must have shape (N, L) or (N, L, channels), not {array.shape}"
        )
    array = _as_int64(array, key, shown)
    return array[..., None] if array.ndim == 2 else array
