"""`python -m mipsdsl.lsp`: the language server on stdio, as `mipsc lsp` runs it."""

import sys

from mipsdsl.errors import MipsError
from mipsdsl.lsp.server import cmd_lsp

try:
    sys.exit(cmd_lsp())
except MipsError as exc:
    print(f"mipsc: error: {exc}", file=sys.stderr)
    sys.exit(1)
except KeyboardInterrupt:
    sys.exit(130)
