"""Parse `.mips` text into the syntax tree (`mipsdsl.syntax.tree`), keeping source spans.

The grammar is the package file `mipsdsl/syntax/mips.lark` (`grammar/mips.lark` at the top of a
source checkout is a link to it, so there is one copy). A syntax error becomes a `SpecError`
whose message says what was found and what could have come there instead.
"""

from __future__ import annotations

import functools
from importlib import resources

import lark
from lark import Token, Transformer, v_args

from mipsdsl.diagnostics import Span, SpecError, error
from mipsdsl.syntax import tree as T
from mipsdsl.user_cache import cache_dir

# How terminals are named in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name",
    "INT": "a whole number",
    "SIGNED_INT": "an integer",
    "NUMBER": "a number",
    "STRING": 'a "quoted string"',
    "SYMBOL": "a quoted character such as '('",
    "_NL": "end of line",
    "$END": "end of file",
    "POSITION": "'t'",
    "OR_OP": "'or'/'xor'",
    "AND_OP": "'and'",
    "NOT_OP": "'not'",
    "NEG_OP": "'-'",
    "COMPARE_OP": "a comparison",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*', '//' or '%'",
    "PATTERN": 'a "regular expression"',
    "FULL": "'full'",
}


@functools.lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    grammar = resources.files("mipsdsl.syntax").joinpath("mips.lark").read_text(encoding="utf-8")
    return lark.Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=_tables_file(),
    )


def _tables_file() -> str | bool:
    """Where lark keeps its analysis of the grammar, which takes 0.24 s to build and 0.007 s
    to load (benchmarks/startup.py) in every process that parses (a compile has two): in the
    user cache directory, or nowhere when that cannot be made. Lark stores a hash of the grammar,
    its options and the lark and Python versions with the tables, and builds them afresh when it
    differs or the file cannot be read."""
    directory = cache_dir() / "parser"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return str(directory / "mips.lark-tables")


def _span(meta_or_token) -> Span:
    return Span(
        meta_or_token.line,
        meta_or_token.column,
        getattr(meta_or_token, "end_line", None),
        getattr(meta_or_token, "end_column", None),
    )


def _unquote(token: Token) -> str:
    body = token[1:-1]
    out, escape = [], False
    for ch in body:
        if escape:
            out.append({"n": "\n", "t": "\t"}.get(ch, ch))
            escape = False
        elif ch == "\\":
            escape = True
        else:
            out.append(ch)
    return "".join(out)


def _ident(token: Token) -> T.Ident:
    return T.Ident(str(token), _span(token))


@v_args(meta=True)
class _ToTree(Transformer):
    """lark parse tree -> `mipsdsl.syntax.tree` nodes."""

    def start(self, meta, children):
        return tuple(
            s for child in children for s in (child if isinstance(child, list) else [child])
        )

    # ---- statements ----
    def task_decl(self, meta, c):
        return T.TaskDecl(_ident(c[0]), _unquote(c[1]) if len(c) > 1 else None, _span(meta))

    def input_decl(self, meta, c):
        names = tuple(_ident(tok) for tok in c if isinstance(tok, Token) and tok.type == "NAME")
        alphabet = next(x for x in c if isinstance(x, (T.RangeAlphabet, T.SetAlphabet)))
        pad = c[-1] if isinstance(c[-1], int) and not isinstance(c[-1], Token) else None
        return T.InputDecl(names, alphabet, pad, _span(meta))

    def half_open_range(self, meta, c):
        return T.RangeAlphabet(c[0], c[1], False, _span(meta))

    def closed_range(self, meta, c):
        return T.RangeAlphabet(c[0], c[1], True, _span(meta))

    def value_set(self, meta, c):
        return T.SetAlphabet(tuple(self._item(x) for x in c), _span(meta))

    @staticmethod
    def _item(x):
        return _unquote(x) if isinstance(x, Token) and x.type == "SYMBOL" else x

    def integer(self, meta, c):
        return int(c[0])

    def int_range(self, meta, c):
        lo = int(c[0])
        return (lo, int(c[1]) if len(c) > 1 else lo)

    def length_decl(self, meta, c):
        return T.LengthDecl(c[0][0], c[0][1], _span(meta))

    def generate_decl(self, meta, c):
        parts = tuple(x for x in c if isinstance(x, T.Part))
        return T.GenerateDecl(parts, any(x == "duplicates" for x in c), _span(meta))

    def duplicates(self, meta, c):
        return "duplicates"

    def part_length(self, meta, c):
        return c[0]

    def uniform_part(self, meta, c):
        return T.Part("uniform", (), c[0] if c else None, _span(meta))

    def weighted_part(self, meta, c):
        weights = tuple(
            x for x in c if isinstance(x, tuple) and len(x) == 2 and isinstance(x[1], float)
        )
        length = c[-1] if c and not (isinstance(c[-1][1], float)) else None
        return T.Part("weighted", weights, length, _span(meta))

    def palindrome_part(self, meta, c):
        return T.Part("palindrome", (), c[0] if c else None, _span(meta))

    def weight(self, meta, c):
        return (self._item(c[0]), float(c[1]))

    def state_decl(self, meta, c):
        return list(c)

    def state_init(self, meta, c):
        return T.StateInit(_ident(c[0]), c[1], _span(meta))

    def let_decl(self, meta, c):
        return T.LetDecl(_ident(c[0]), c[1], _span(meta))

    def update_decl(self, meta, c):
        return T.UpdateDecl(_ident(c[0]), c[1], _span(meta))

    def output_decl(self, meta, c):
        return T.OutputDecl(_ident(c[0]), c[1], _span(meta))

    def output_names(self, meta, c):
        bounds = c[-1] if isinstance(c[-1], tuple) else None
        names = [tok for tok in c if isinstance(tok, Token)]
        return [T.OutputDecl(_ident(tok), None, _span(meta), bounds) for tok in names]

    def output_range(self, meta, c):
        return (c[0], c[1])

    def examples_decl(self, meta, c):
        return T.ExamplesDecl(_unquote(c[0]), _span(meta))

    def data_decl(self, meta, c):
        return T.DataDecl(tuple(c), _span(meta))

    def data_size(self, meta, c):
        return T.DataOption("size", int(c[0]), _span(meta))

    def data_train(self, meta, c):
        return T.DataOption("train", float(c[0]), _span(meta))

    def data_seed(self, meta, c):
        return T.DataOption("seed", int(c[0]), _span(meta))

    def hint_decl(self, meta, c):
        value = int(c[1]) if c[1].type == "INT" else str(c[1])
        return T.HintDecl(_ident(c[0]), value, _span(meta))

    # ---- expressions ----
    def number(self, meta, c):
        return T.Num(int(c[0]), _span(meta))

    def symbol(self, meta, c):
        return T.Sym(_unquote(c[0]), _span(meta))

    def position(self, meta, c):
        return T.Pos(_span(meta))

    def name(self, meta, c):
        return T.Name(str(c[0]), _span(meta))

    def unary(self, meta, c):
        return T.Unary(str(c[0]), c[1], _span(meta))

    def binary(self, meta, c):
        return T.Binary(str(c[1]), c[0], c[2], _span(meta))

    def conditional(self, meta, c):
        return T.Conditional(c[0], c[1], c[2], _span(meta))

    def shift(self, meta, c):
        offset = 0
        if len(c) == 4:
            offset = int(c[3]) if c[2] == "-" else -int(c[3])
        return T.Shift(c[0], offset, _span(meta))

    def call(self, meta, c):
        args, window, full, ties, pattern = c[1]
        return T.Call(
            str(c[0]), args, window, ties, _span(meta), _span(c[0]), pattern=pattern, full=full
        )

    def call_args(self, meta, c):
        options = dict(x for x in c if isinstance(x, tuple))
        tokens = {x.type: x for x in c if isinstance(x, Token)}
        args = tuple(x for x in c if not isinstance(x, tuple | Token))
        pattern = tokens.get("PATTERN")
        shown = None if pattern is None else T.Pattern(pattern[1:-1], _span(pattern))
        return args, options.get("window"), "FULL" in tokens, options.get("ties"), shown

    def window(self, meta, c):
        return ("window", int(c[0]))

    def ties(self, meta, c):
        return ("ties", str(c[0]))


def _describe_expected(parser: lark.Lark, expected) -> str:
    names = set()
    for terminal in expected:
        if terminal in _TERMINAL_NAMES:
            names.add(_TERMINAL_NAMES[terminal])
            continue
        try:
            pattern = parser.get_terminal(terminal).pattern
        except KeyError:
            continue
        names.add(f"'{pattern.value}'" if pattern.type == "str" else terminal.lower())
    if not names:
        return ""
    ordered = sorted(names)
    if len(ordered) == 1:
        return f", expected {ordered[0]}"
    return ", expected one of: " + ", ".join(ordered)


def _found(token: Token) -> str:
    if token.type == "$END":
        return "end of file"
    if token.type == "_NL":
        return "end of line"
    return f"'{token}'"


def parse(source: str, path: str = "<spec>") -> T.Spec:
    """Parse spec text; raises `SpecError` with one diagnostic on a syntax error.

    A leading byte-order mark (text read with a plain "utf-8" decode keeps it) is not part of the
    spec: it is dropped, so spans and the spec's hash are those of the text without it.
    """
    source = source.removeprefix("\ufeff")
    parser = _parser()
    try:
        lark_tree = parser.parse(source)
    except lark.UnexpectedCharacters as exc:
        at = exc.pos_in_stream
        char = source[at] if at is not None and at < len(source) else "?"
        message = f"unexpected character {char!r}" + _describe_expected(parser, exc.allowed or ())
        raise SpecError([error(message, path, Span(exc.line, exc.column))], source) from None
    except lark.UnexpectedToken as exc:
        token = exc.token
        line = token.line if token.line is not None else exc.line
        column = token.column if token.column is not None else exc.column
        if token.type == "$END":
            line = max(1, source.count("\n") + (0 if source.endswith("\n") else 1))
            column = len(source.splitlines()[-1]) + 1 if source.strip() else 1
        message = f"unexpected {_found(token)}" + _describe_expected(parser, exc.expected)
        raise SpecError([error(message, path, Span(line, column))], source) from None
    except lark.UnexpectedEOF as exc:
        message = "unexpected end of file" + _describe_expected(parser, exc.expected)
        raise SpecError([error(message, path, None)], source) from None
    except RecursionError:
        raise SpecError([error("the spec is nested too deeply to read", path)], source) from None
    try:
        statements = _ToTree().transform(lark_tree)
    except RecursionError:
        raise SpecError(
            [error("an expression is nested too deeply to read", path)], source
        ) from None
    return T.Spec(path, source, statements)
