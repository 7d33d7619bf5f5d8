"""The syntax tree: immutable values that keep what was written and where."""

from __future__ import annotations

import dataclasses

import pytest

from mipsdsl.diagnostics import Span
from mipsdsl.syntax import parse
from mipsdsl.syntax import tree as T

TEXT = 'task d "d"\ninput x in {0, 1}\nlength 4\nstate s = 0\nupdate s = s + x\noutput y = s\n'


def test_parsing_the_same_text_twice_gives_equal_trees():
    first, second = parse(TEXT, "d.mips"), parse(TEXT, "d.mips")
    assert first == second and hash(first) == hash(second)
    assert first != parse(TEXT.replace("s + x", "s - x"), "d.mips")


def test_every_node_is_frozen():
    spec = parse(TEXT, "d.mips")
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.statements[0].name = T.Ident("other", Span(1, 1))
    assert all(dataclasses.is_dataclass(s) for s in spec.statements)


def test_statements_keep_their_order_kind_and_source():
    spec = parse(TEXT, "d.mips")
    kinds = [type(s) for s in spec.statements]
    assert kinds == [T.TaskDecl, T.InputDecl, T.LengthDecl, T.StateInit, T.UpdateDecl, T.OutputDecl]
    assert (spec.path, spec.source) == ("d.mips", TEXT)
    update = spec.statements[4]
    assert update.value == T.Binary(
        "+", T.Name("s", Span(5, 12, 5, 13)), T.Name("x", Span(5, 16, 5, 17)), update.value.span
    )
    assert [s.span.line for s in spec.statements] == [1, 2, 3, 4, 5, 6]


def test_a_shift_forward_is_kept_as_written_for_the_checker_to_explain():
    (output,) = [s for s in parse(TEXT + "output z = x[t+1]\n", "d.mips").statements[-1:]]
    assert isinstance(output.value, T.Shift) and output.value.offset == -1
