"""`python -m mipsdsl.explain SPEC [-o DIR]`: `mipsc explain` on its own, with its exit codes
(0 ok, 1 a spec or explain error, 2 a usage error) and no traceback for a user's mistake."""

import argparse
import sys

from mipsdsl.diagnostics import SpecError, SpecFileError
from mipsdsl.errors import MipsError
from mipsdsl.explain.command import add_explain_arguments, cmd_explain

parser = argparse.ArgumentParser(
    prog="python -m mipsdsl.explain", description="Draw what the network learned for a spec."
)
add_explain_arguments(parser)
arguments = parser.parse_args()  # exits 2 with a usage message on bad arguments
try:
    sys.exit(cmd_explain(arguments))
except SpecError as exc:
    for diagnostic in exc.diagnostics:
        print(diagnostic.format(exc.source), file=sys.stderr)
    sys.exit(2 if isinstance(exc, SpecFileError) else 1)
except MipsError as exc:
    print(f"mipsc: error: {exc}", file=sys.stderr)
    sys.exit(1)
except OSError as exc:
    where = f"'{exc.filename}': " if exc.filename else ""
    print(f"mipsc: error: {where}{exc.strerror or exc}", file=sys.stderr)
    sys.exit(2)
except KeyboardInterrupt:
    print("mipsc: interrupted", file=sys.stderr)
    sys.exit(130)
