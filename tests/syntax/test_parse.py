"""Parser: the syntax tree keeps what was written and where; syntax errors say what was expected."""

from __future__ import annotations

import pytest

from mipsdsl.diagnostics import SpecError
from mipsdsl.syntax import parse
from mipsdsl.syntax import tree as T
from mipsdsl.syntax.parse import _parser

FULL = """task demo "A \\"quoted\\" description"   # comment after a statement
# a comment line

input a, b in {'(', ')'} pad 1
input x in [-3, 4]
length 5..10
generate palindrome length 2..4 then weighted {0: 3, 1: 1} without duplicates
state carry = 0, v = -1
let total = a + b + carry
update carry = total // 2
output y = if t < 3 then sum(x, last 2) % 3 else mode(x, ties largest)
output z = not x[t-2] xor a and b >= 1
data size 1000 train 75% seed 9
hint hidden 2
"""


def statements(text):
    return parse(text, "demo.mips").statements


def test_every_statement_kind_is_parsed_with_its_values():
    s = statements(FULL)
    kinds = [type(x).__name__ for x in s]
    assert kinds == [
        "TaskDecl",
        "InputDecl",
        "InputDecl",
        "LengthDecl",
        "GenerateDecl",
        "StateInit",
        "StateInit",
        "LetDecl",
        "UpdateDecl",
        "OutputDecl",
        "OutputDecl",
        "DataDecl",
        "HintDecl",
    ]
    task, ab, x, length, gen = s[:5]
    assert task.name.id == "demo" and task.description == 'A "quoted" description'
    assert (
        [n.id for n in ab.names] == ["a", "b"] and ab.alphabet.items == ("(", ")") and ab.pad == 1
    )
    assert (x.alphabet.lo, x.alphabet.hi, x.alphabet.closed) == (-3, 4, True)
    assert (length.lo, length.hi) == (5, 10)
    assert [p.kind for p in gen.parts] == ["palindrome", "weighted"]
    assert gen.parts[0].length == (2, 4) and gen.parts[1].weights == ((0, 3.0), (1, 1.0))
    assert gen.without_duplicates
    data = s[11]
    assert [(o.key, o.value) for o in data.options] == [
        ("size", 1000),
        ("train", 75.0),
        ("seed", 9),
    ]
    assert s[12].name.id == "hidden" and s[12].value == 2


def test_spans_point_at_the_source():
    s = statements(FULL)
    output = s[9]
    assert (output.span.line, output.span.column) == (11, 1)
    assert (output.name.span.line, output.name.span.column) == (11, 8)
    cond = output.value
    assert isinstance(cond, T.Conditional)
    call = cond.then.left
    assert isinstance(call, T.Call) and call.func == "sum" and call.window == 2
    assert (call.func_span.line, call.func_span.column) == (11, 26)


def test_precedence_follows_the_usual_rules():
    (out,) = statements("output z = not x[t-2] xor a and b >= 1 + 2 * 3")
    e = out.value
    assert isinstance(e, T.Binary) and e.op == "xor"
    assert isinstance(e.left, T.Unary) and e.left.op == "not"
    assert isinstance(e.left.operand, T.Shift) and e.left.operand.offset == 2
    right = e.right
    assert right.op == "and" and right.right.op == ">="
    assert right.right.right.op == "+" and right.right.right.right.op == "*"


def test_subtraction_is_left_associative_and_unary_minus_binds_tight():
    (out,) = statements("output y = 10 - 3 - -2")
    e = out.value
    assert e.op == "-" and e.left.op == "-" and isinstance(e.right, T.Unary)


def test_shift_forward_is_parsed_so_the_checker_can_explain_it():
    (out,) = statements("output y = x[t+1]")
    assert out.value.offset == -1


def test_last_line_needs_no_newline_and_blank_lines_are_fine():
    s = statements("\n\n  task  demo\n\n\ninput x in {0,1}")
    assert len(s) == 2 and s[0].description is None


def test_a_byte_order_mark_is_not_part_of_the_spec():
    """Some editors start UTF-8 files with U+FEFF; the spec, its spans and its text are as if
    it were not there."""
    assert parse("\ufeff" + FULL, "demo.mips") == parse(FULL, "demo.mips")
    with pytest.raises(SpecError) as info:
        parse("\ufefftask", "bad.mips")
    (diagnostic,) = info.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (1, 5)
    assert "unexpected character" not in diagnostic.message


@pytest.mark.parametrize(
    "text, line, column, fragment",
    [
        ("task", 1, 5, "expected a name"),
        ("input x in [0, 3", 1, 17, "expected one of: ')', ']'"),
        ("output y = x +\n", 1, 15, "unexpected end of line"),
        ("output y = x ? 2", 1, 14, "unexpected character '?'"),
        ("length 10\nlength x", 2, 8, "expected a whole number"),
        ("output y = x[3]", 1, 14, "expected 't'"),
        ("input x in {0, 1} input y in {0, 1}", 1, 19, "unexpected 'input'"),
        ("frobnicate 3", 1, 1, "expected one of: 'data', 'examples'"),
    ],
)
def test_syntax_errors_are_located_and_say_what_was_expected(text, line, column, fragment):
    with pytest.raises(SpecError) as info:
        parse(text, "bad.mips")
    (diagnostic,) = info.value.diagnostics
    assert (diagnostic.span.line, diagnostic.span.column) == (line, column)
    assert fragment in diagnostic.message
    rendered = diagnostic.format(text)
    assert rendered.startswith(f"bad.mips:{line}:{column}: error: ")
    assert rendered.splitlines()[-1].index("^") == 4 + column - 1


def test_a_pattern_is_kept_as_written_with_where_it_starts():
    _, output = statements('task d\noutput y = matches(p, "\\(\\)|[ab]*")\n')
    call = output.value
    assert isinstance(call, T.Call) and call.func == "matches"
    assert call.pattern == T.Pattern("\\(\\)|[ab]*", call.pattern.span)
    assert (call.pattern.span.line, call.pattern.span.column) == (2, 23)


def test_a_full_window_and_ties_parse_together():
    _, output = statements("task d\noutput y = mode(x, last 3, full, ties largest)\n")
    call = output.value
    assert (call.window, call.full, call.ties, call.pattern) == (3, True, "largest", None)
    _, plain = statements("task d\noutput y = all(x, last 3)\n")
    assert (plain.value.window, plain.value.full) == (3, False)


def test_outputs_are_named_in_a_list_with_stated_bounds():
    _, a, b, c = statements("task d\noutput y0, y1 in [0, 40]\noutput z\n")
    assert [(o.name.id, o.value, o.bounds) for o in (a, b, c)] == [
        ("y0", None, (0, 40)),
        ("y1", None, (0, 40)),
        ("z", None, None),
    ]
    with pytest.raises(SpecError, match="unexpected '='"):
        statements("task d\noutput y0, y1 = x\n")


@pytest.fixture
def fresh_parser():
    """The parser built again in this test, and again after it (it is built once a process)."""
    _parser.cache_clear()
    yield
    _parser.cache_clear()


def test_the_parser_tables_are_kept_and_a_damaged_copy_is_rebuilt(
    tmp_path, monkeypatch, fresh_parser
):
    expected = parse(FULL)
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(tmp_path))
    _parser.cache_clear()
    assert parse(FULL) == expected
    tables = tmp_path / "parser" / "mips.lark-tables"
    assert tables.stat().st_size > 1000
    tables.write_bytes(b"damaged")
    _parser.cache_clear()
    assert parse(FULL) == expected
    assert tables.read_bytes() != b"damaged"  # written afresh


def test_a_cache_directory_that_cannot_be_made_only_costs_time(tmp_path, monkeypatch, fresh_parser):
    expected = parse(FULL)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("MIPSDSL_CACHE_DIR", str(blocker / "cache"))
    _parser.cache_clear()
    assert parse(FULL) == expected
