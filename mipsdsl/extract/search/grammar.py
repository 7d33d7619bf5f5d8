"""What candidates are made of: leaves, operators (coded by their index in `OPS`), value limit."""

from __future__ import annotations

from collections.abc import Iterable

from mipsdsl import expr as E

LIMIT = 2**31  # candidates must keep every value below this in absolute value

# `>` and `>=` are `<` and `<=` with the operands swapped, which the enumeration already tries;
# the rebuilt expressions use them where that puts a constant on the right.
BINARY = tuple(
    op for op in E.ARITHMETIC_OPS + E.COMPARISON_OPS + E.LOGIC_OPS if op not in (">", ">=")
)
OPS = ("leaf", *E.UNARY_OPS, *BINARY, "cond")
CODE = {op: code for code, op in enumerate(OPS)}
BUILT_IN = (0, 1, 2, -1)  # the constants every search offers, after the columns


def leaves(names: Iterable[str], constants: Iterable[int]) -> list[E.Var | E.Const]:
    """The variables in order, then the constants 0, 1, 2, -1 and `constants`, each once: the
    first leaves win ties, so a variable beats a constant of the same values."""
    found: list[E.Var | E.Const] = [E.Var(name) for name in names]
    for value in (*BUILT_IN, *constants):
        if E.Const(int(value)) not in found:
            found.append(E.Const(int(value)))
    return found
