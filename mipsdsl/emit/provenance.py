"""Reading a generated module's provenance back, without executing it or loading the emitter."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

from mipsdsl.errors import MipsError


class ProvenanceError(MipsError):
    """The file is not a module mipsc wrote."""


# The module records the sha256 of its own text, taken with this placeholder in the hash's place,
# so that `mipsc compile --check` can tell a module edited by hand from the one mipsc wrote.
UNHASHED = "0" * 64
# Bumped when the same program is written as a different module; part of the compile key, so
# that `mipsc compile --check` finds the modules written the old way.
FORMAT_VERSION = 3


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def read_provenance(path: str | Path) -> tuple[dict, bool]:
    """A generated module's `__provenance__` (read as a literal, never executed) and whether its
    text is still exactly what mipsc wrote. Raises ProvenanceError for a file mipsc did not write.
    """
    path = Path(path)
    try:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError) as exc:
        raise ProvenanceError(f"cannot read '{path}' as a generated module: {exc}") from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and [
            t.id for t in node.targets if isinstance(t, ast.Name)
        ] == ["__provenance__"]:
            try:
                provenance = ast.literal_eval(node.value)
            except ValueError:
                break
            recorded = provenance.get("source_sha256") if isinstance(provenance, dict) else None
            if not isinstance(recorded, str) or source.count(recorded) != 1:
                break
            return provenance, source_hash(source.replace(recorded, UNHASHED)) != recorded
    raise ProvenanceError(f"'{path}' has no __provenance__ written by mipsc")
