"""Front end: `.mips` text -> syntax tree with source spans."""

from mipsdsl.syntax.parse import parse

__all__ = ["parse"]
