"""`mipsc lsp`: a language server for `.mips` files, so an editor shows what `mipsc check` says.

`analysis` turns a document's text into the checker's diagnostics with 0-based ranges and the
hover text of every name; it needs no editor and no pygls. `server` speaks the Language Server
Protocol over stdio with pygls (the optional extra `mipsdsl[lsp]`).
"""

from mipsdsl.lsp.server import add_lsp_arguments, cmd_lsp

__all__ = ["add_lsp_arguments", "cmd_lsp"]
