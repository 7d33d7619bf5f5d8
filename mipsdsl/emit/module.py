"""Emit: a verified Program -> a formatted, dependency-free Python module with its provenance.

The module is rendered from a jinja2 template, formatted with black, written to a temporary file
beside its destination, imported in a fresh interpreter and verified there (`mipsc verify`), and
only then moved into place. The same program, spec, verdict and provenance give the same bytes:
nothing in the module depends on the time, the machine or the order of a set.

Text from a spec (its description, its path) is data: in the docstring it is escaped so that the
docstring's value is the text itself and nothing can end the docstring early; in `__provenance__`
it is a `repr()` literal. Names in code are checked identifiers; those that would shadow what the
module uses (`state`, `x`, `int`, ...) get a trailing underscore.
"""

from __future__ import annotations

import glob
import importlib.metadata
import json
import math
import os
import re
import subprocess
import sys
import textwrap
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import black
import jinja2
import numpy as np

from mipsdsl import __version__, atomic, lifeline
from mipsdsl import expr as E
from mipsdsl.emit.printer import PythonPrinter, to_mips
from mipsdsl.emit.provenance import UNHASHED, ProvenanceError, read_provenance, source_hash
from mipsdsl.emit.table import Table, state_table
from mipsdsl.errors import MipsError
from mipsdsl.program import Program
from mipsdsl.task import Task
from mipsdsl.verify import Verdict, VerifyOptions

if TYPE_CHECKING:
    from mipsdsl.prove import Proof

BLACK_MODE = black.Mode(line_length=100)  # the project's black settings (pyproject.toml)
DOC_WIDTH = 96
# A longer string in __provenance__ is split into parts of about PART_WIDTH characters, so that
# its lines stay within black's 100 (black does not split strings).
STRING_WIDTH, PART_WIDTH = 70, 60
# Names the generated step() uses itself; a program variable of that name is renamed.
RESERVED = frozenset({"state", "x", "int", "bool", "abs", "min", "max", "TABLE"})
# The fresh interpreter checks the written module with fewer sequences than the program's own
# verification: it is there to catch a printing mistake, and pure Python is slow.
RECHECK = VerifyOptions(held_out=10_000, longer=1_000, exhaustive_limit=100_000)


class EmitError(MipsError):
    pass


@dataclass(frozen=True)
class Provenance:
    """Where a program came from, beyond the spec: recorded in `__provenance__`. What the search
    tried on the way (labellings, failed paths) is not: that goes to the compile report."""

    extraction: str = "hand-written"  # how the program was obtained; shown in the docstring
    seed: int | None = None
    architecture: str | Mapping[str, Any] | None = field(default=None, hash=False)
    training: Mapping[str, Any] | None = field(default=None, hash=False)
    # what extraction found (path, method, regression, sizes); absent, `extraction` is the method
    found: Mapping[str, Any] | None = field(default=None, hash=False)
    compile_key: str | None = None
    proof: Proof | None = field(default=None, hash=False)  # None: no proof was attempted
    state_table: bool = False  # the program is a verified state table: written as a lookup


def docstring_text(text: str) -> str:
    """Text for a non-raw triple-quoted docstring whose value is `text` itself.

    Backslashes and double quotes are escaped (so no `\"\"\"` can close the docstring) and
    non-printable characters become escape sequences; newlines stay.
    """
    out = []
    for ch in str(text):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" or ch.isprintable():
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def literal(value: Any) -> str:
    """A Python literal for plain data: dicts with str keys, lists, str, int, finite float, bool,
    None. Anything else is refused rather than written as something that might not parse."""
    if isinstance(value, str):
        return _string(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EmitError(f"provenance holds {value!r}, which has no literal")
        return repr(value)
    if isinstance(value, np.integer | np.floating | np.bool_):
        return literal(value.item())
    if isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise EmitError(f"provenance keys must be strings, not {key!r}")
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise EmitError(f"provenance holds a {type(value).__name__}, which has no literal")


def _string(text: str) -> str:
    """A str literal; a long one as adjacent parts in parentheses (one value still), split after
    spaces, which black can put on lines of their own."""
    if len(text) <= STRING_WIDTH:
        return repr(text)
    parts, current = [], ""
    for word in re.findall(r"\S+\s*|\s+", text):
        if current and len(current) + len(word) > PART_WIDTH:
            parts.append(current)
            current = ""
        current += word
    parts.append(current)
    if len(parts) == 1:  # one word (a hash, say): nothing to split at
        return repr(text)
    return "(" + " ".join(repr(part) for part in parts) + ")"


_TEMPLATES = jinja2.Environment(
    loader=jinja2.PackageLoader("mipsdsl.emit", "templates"),
    autoescape=False,  # Python, not HTML: escaping is explicit, through the filters below
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_TEMPLATES.filters["docstring"] = docstring_text
_TEMPLATES.filters["literal"] = literal


def render_module(
    program: Program, task: Task, verdict: Verdict, provenance: Provenance = Provenance()
) -> str:
    """The module's source, formatted with black. Pure: same arguments, same text."""
    if len(program.inputs) != len(task.inputs) or len(program.outputs) != len(task.outputs):
        raise EmitError(f"the program's inputs and outputs do not match task '{task.name}'")
    program = program.simplified()
    names = python_names(program)
    table = state_table(program, task) if provenance.state_table else None
    summary = f"{task.name}: {task.description}" if task.description else task.name
    generated = f"Generated by mipsc {__version__} from {task.path}."
    source = _TEMPLATES.get_template("module.py.j2").render(
        summary="\n".join(_wrap(summary)),
        generated=_wrap(generated),
        regenerate=_wrap(f"Do not edit: recompile with `mipsc compile {task.path}`."),
        method=_wrap(f"Algorithm ({provenance.extraction}):"),
        algorithm=_indented(_algorithm(program, table, names), 4),
        verification=_indented(level_lines(verdict) + _proof_lines(provenance.proof), 4),
        initial_state=_tuple([str(value) for _, value in program.states]),
        table=None if table is None else _table_code(table, program, names),
        parameter=_parameter(program, names),
        step_doc=textwrap.wrap(_step_doc(program, names), DOC_WIDTH - 10, break_long_words=False),
        body=_body(program, names, table, task),
        provenance=_provenance(task, verdict, provenance),
    )
    try:
        source = black.format_str(source, mode=BLACK_MODE)
    except black.InvalidInput as exc:  # a bug of ours, never the spec's doing
        raise EmitError(f"the rendered module is not valid Python: {exc}") from None
    return source.replace(UNHASHED, source_hash(source), 1)


def python_names(program: Program) -> dict[str, str]:
    """Program names -> identifiers in the module: unchanged unless they would shadow what step()
    uses, then suffixed with underscores until unique. A single input named x stays x."""
    everything = [*program.inputs, *program.state_names]
    everything += [s.name for s in program.steps if s.kind == "let"] + list(program.output_names)
    taken, names = set(everything), {}
    for name in everything:
        keep = name not in RESERVED or (name == "x" and program.inputs == ("x",))
        new = name
        while not keep and new in taken:
            new += "_"
        taken.add(new)
        names[name] = new
    return names


def level_lines(verdict: Verdict) -> list[str]:
    """One line per verification level saying exactly what it covered, then the verdict's note.

    The exhaustive level says "every sequence of length 10" only when it enumerated them all;
    when the spec's lengths hold too many it enumerated every sequence of a shorter length, whose
    prefixes are every sequence up to that length, and it says so."""
    lines = []
    for level in verdict.levels:
        what = level.description
        if level.name == "exhaustive" and level.passed is None:
            what = f"not run ({level.description})"
        elif level.name == "exhaustive" and level.exhaustive:
            what = f"every sequence of {_lengths(level.length)} ({level.sequences:,})"
        elif level.name == "exhaustive":
            fits = level.length[1]
            what = f"every sequence up to length {fits} (all {level.sequences:,} of length {fits})"
        lines.append(
            f"{level.name}: {what}" + ("" if level.passed is None else f": {level.status}")
        )
    return lines + ([f"note: {verdict.note}"] if verdict.note else [])


def _lengths(length: tuple[int, int]) -> str:
    lo, hi = length
    return f"length {lo}" if lo == hi else f"lengths {lo} to {hi}"


def _wrap(text: str, indent: str = "", hang: str = "") -> list[str]:
    return textwrap.wrap(
        text,
        DOC_WIDTH,
        initial_indent=indent,
        subsequent_indent=indent + hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]


def _indented(lines: list[str], by: int) -> list[str]:
    """Docstring lines indented by `by` spaces, each too long one wrapped with a hanging indent."""
    out = []
    for line in lines:
        body = line.lstrip(" ")
        out += _wrap(body, " " * (by + len(line) - len(body)), hang="    ")
    return out


def _tuple(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _moves(program: Program) -> dict[str, str]:
    """Lets that only name an output (`y_out` in `y = y_out`) -> that output: the let is written
    as the output itself, and the move is dropped."""
    lets = {s.name for s in program.steps if s.kind == "let"}
    reads: dict[str, int] = {}
    for expr in [s.expr for s in program.steps] + [e for _, e in program.outputs]:
        for name in E.free_vars(expr):
            reads[name] = reads.get(name, 0) + 1
    return {
        expr.name: name
        for name, expr in program.outputs
        if isinstance(expr, E.Var) and expr.name in lets and reads[expr.name] == 1
    }


def _algorithm(program: Program, table: Table | None, names: Mapping[str, str]) -> list[str]:
    """The program in .mips expression notation, as pseudo-code."""
    lines = [f"{name} = {value}" for name, value in program.states]
    inputs = program.inputs[0] if len(program.inputs) == 1 else _tuple(list(program.inputs))
    lines.append(f"for each {inputs}:")
    if table is not None:
        return lines + [f"    {_lookup(table, program, names)}, from the state table in the code"]
    moves = _moves(program)
    for s in program.steps:
        target = f"output {moves[s.name]}" if s.name in moves else s.name
        lines.append(f"    {target} = {to_mips(s.expr)}")
    lines += [
        f"    output {name} = {to_mips(expr)}"
        for name, expr in program.outputs
        if not (isinstance(expr, E.Var) and expr.name in moves)
    ]
    return lines


def _parameter(program: Program, names: Mapping[str, str]) -> str:
    """step()'s input parameter: a single input's own name, else x (a tuple, unpacked)."""
    return names[program.inputs[0]] if len(program.inputs) == 1 else "x"


def _step_doc(program: Program, names: Mapping[str, str]) -> str:
    state = _tuple([names[n] for n in program.state_names]) if program.states else "()"
    inputs = [names[n] for n in program.inputs]
    x = "" if len(inputs) == 1 else f", x is {_tuple(inputs)}"
    return (
        f"One position: state is {state}{x}; returns (the new state, {_outputs(program, names)})."
    )


def _outputs(program: Program, names: Mapping[str, str]) -> str:
    outputs = [names[n] for n in program.output_names]
    return outputs[0] if len(outputs) == 1 else _tuple(outputs)


def _body(program: Program, names: Mapping[str, str], table: Table | None, task: Task) -> list[str]:
    lines = []
    states = [names[n] for n in program.state_names]
    if states:
        lines.append(f"{_tuple(states) if len(states) == 1 else ', '.join(states)} = state")
    if len(program.inputs) > 1:
        lines.append(f"{', '.join(names[n] for n in program.inputs)} = x")
    if table is not None:
        lines.append(_lookup(table, program, names))
    else:
        bounds = program.variable_bounds(
            {name: (c.lo, c.hi) for name, c in zip(program.inputs, task.inputs, strict=True)}
        )
        printer = PythonPrinter(names, bounds)
        moves = _moves(program)
        for step in program.steps:
            lines.append(f"{names[moves.get(step.name, step.name)]} = {printer.value(step.expr)}")
        for name, expr in program.outputs:
            if not (isinstance(expr, E.Var) and expr.name in moves):
                lines.append(f"{names[name]} = {printer.value(expr)}")
    lines.append(f"return {_tuple(states) if states else '()'}, {_outputs(program, names)}")
    return lines


def _lookup(table: Table, program: Program, names: Mapping[str, str]) -> str:
    """`s, y = TABLE[s][a - 1][b]`: the assignment that reads the table."""
    targets = [names[n] for n in (*program.state_names, *program.output_names)]
    return f"{', '.join(targets)} = {_index(table, program, names)}"


def _index(table: Table, program: Program, names: Mapping[str, str]) -> str:
    index = [names[table.state]] if table.state is not None else []
    for name, (low, _) in zip(program.inputs, table.inputs, strict=True):
        index.append(names[name] if low == 0 else f"{names[name]} {'-+'[low < 0]} {abs(low)}")
    return "TABLE" + "".join(f"[{i}]" for i in index)


def _table_code(table: Table, program: Program, names: Mapping[str, str]) -> dict:
    """The table's comment lines and its literal."""
    values = [names[n] for n in (*program.state_names, *program.output_names)]
    if table.state is not None:
        values[0] = f"the new {values[0]}"
    cell = values[0] if len(values) == 1 else f"({', '.join(values)})"
    ranges = [f"{names[table.state]} in 0..{table.states - 1}"] if table.state else []
    ranges += [
        f"{names[name]} in {lo}..{hi}"
        for name, (lo, hi) in zip(program.inputs, table.inputs, strict=True)
    ]
    comment = f"{_index(table, program, names)} is {cell}, for {', '.join(ranges)}."
    return {
        "comment": textwrap.wrap(comment, DOC_WIDTH - 2, break_long_words=False),
        "literal": repr(table.cells),
    }


def _proof_lines(proof: Proof | None) -> list[str]:
    return [] if proof is None else [proof.summary()]


def _provenance(task: Task, verdict: Verdict, provenance: Provenance) -> dict:
    """At most a dozen keys: what identifies the module and what justifies it."""
    proof = provenance.proof
    return {
        "task": task.name,
        "description": task.description,
        "spec": {"path": task.path, "sha256": task.sha256},
        "versions": {
            "mipsdsl": __version__,
            "torch": _version("torch"),
            "numpy": np.__version__,
            "black": black.__version__,
        },
        "seed": provenance.seed,
        "architecture": provenance.architecture,
        "training": provenance.training,
        "extraction": {"method": provenance.extraction, **(provenance.found or {})},
        "compile_key": provenance.compile_key,
        "verification": {  # a passed verdict: no counterexamples to keep
            "passed": verdict.passed,
            "note": verdict.note,
            "levels": {
                level.name: {
                    "sequences": level.sequences,
                    "length": list(level.length),
                    "passed": level.passed,
                }
                for level in verdict.levels
            },
            "proved": None if proof is None else proof.proved,
            "proof": (
                None if proof is None else {"reason": proof.reason, "invariant": proof.invariant}
            ),
        },
        "source_sha256": UNHASHED,
    }


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


# ---------------------------------------------------------------- writing


def emit_module(
    program: Program,
    task: Task,
    verdict: Verdict,
    path: str | Path,
    provenance: Provenance = Provenance(),
    recheck: VerifyOptions = RECHECK,
    timeout: float = 600,
) -> None:
    """Write the module for a verified program to `path`, atomically, once a fresh interpreter
    has imported it and verified it against the spec. On any failure nothing is left behind."""
    if not verdict.passed:
        raise EmitError(f"'{task.name}': the program did not pass verification; nothing written")
    source = render_module(program, task, verdict, provenance)
    path = Path(path)
    if not path.parent.is_dir():
        raise EmitError(f"cannot write '{path}': directory '{path.parent}' does not exist")
    _remove_abandoned(path, older_than=timeout)
    try:
        with atomic.replacing(
            path,
            "w",
            prefix=f".{path.stem}.",
            suffix=".py",
            encoding="utf-8",
            newline="\n",
            permissions=0o644,
            check=lambda written: _recheck(written, task, recheck, timeout),
        ) as handle:
            handle.write(source)
    except OSError as exc:
        raise EmitError(f"cannot write '{path}': {exc.strerror or exc}") from None


def _remove_abandoned(path: Path, older_than: float) -> None:
    """Remove the temporary copies of this module that a killed compile left behind: those that
    mipsc wrote and that are older than the re-check's time limit, so that no live compile
    still owns them."""
    cutoff = time.time() - older_than
    for leftover in path.parent.glob(f".{glob.escape(path.stem)}.*.py"):
        try:
            if leftover.stat().st_mtime < cutoff:
                read_provenance(leftover)  # raises for a file mipsc did not write
                leftover.unlink()
        except (OSError, ProvenanceError):
            continue


def _recheck(module: Path, task: Task, options: VerifyOptions, timeout: float) -> None:
    """Run `mipsc verify` on the written module in a new interpreter; `EmitError` unless it
    passes."""
    command = [
        sys.executable,
        "-m",
        "mipsdsl.cli",
        "verify",
        str(Path(task.path).resolve()),
        str(module),
        "--json",
        "-n",
        str(options.held_out),
        "--longer",
        str(options.longer),
        "--exhaustive-limit",
        str(options.exhaustive_limit),
    ]
    if options.seed is not None:
        command += ["--seed", str(options.seed)]
    package_root = str(Path(__file__).resolve().parents[2])
    env = lifeline.child_environment()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise EmitError(f"re-verifying the module took longer than {timeout:g} s") from None
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise EmitError(
            f"re-verifying the module failed (exit {done.returncode}): {done.stderr.strip()}"
        ) from None
    if report["spec"]["sha256"] != task.sha256:
        raise EmitError(f"the spec '{task.path}' changed on disk during compilation")
    verdict = Verdict.from_json(report["verdict"])
    if not verdict.passed:
        raise EmitError(
            f"the written module does not match the spec in a fresh interpreter:\n"
            f"{verdict.report()}"
        )
