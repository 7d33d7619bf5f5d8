"""Front end: `.mips` text -> syntax tree with source spans."""

from mipsdsl.syntax.parse import parse
from mipsdsl.syntax.source import MAX_SPEC_BYTES, read_spec

__all__ = ["MAX_SPEC_BYTES", "parse", "read_spec"]
