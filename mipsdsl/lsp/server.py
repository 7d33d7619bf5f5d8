"""The Language Server Protocol side of `mipsc lsp`: pygls on stdio, wired to `analysis`.

Diagnostics are published whenever a document is opened or changed and cleared when it is closed;
a hover over a name shows what the checker knows of it. While a document has errors its hovers
are those of its last version that checked, so they do not vanish mid-edit. pygls is imported
only here, when the server starts, so that the rest of mipsdsl works without the `lsp` extra.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from mipsdsl import __version__
from mipsdsl.diagnostics import Severity
from mipsdsl.errors import MipsError
from mipsdsl.lsp.analysis import Finding, analyse

if TYPE_CHECKING:
    from lsprotocol import types
    from pygls.lsp.server import LanguageServer
    from pygls.workspace import TextDocument

NAME = "mipsc-lsp"
SOURCE = "mipsc"  # what editors show as the diagnostics' origin


def add_lsp_arguments(parser: argparse.ArgumentParser) -> None:
    """`mipsc lsp` takes no arguments: the editor starts it and talks to it on stdio."""
    parser.description = "Serve diagnostics and hovers for .mips files to an editor, on stdio."


def cmd_lsp(args: argparse.Namespace | None = None) -> int:
    """Run the language server on stdin and stdout until the editor says exit."""
    build_server().start_io()
    return 0


def build_server() -> LanguageServer:
    """A pygls server with the features registered; MipsError when pygls is missing."""
    try:
        from lsprotocol import types
        from pygls.lsp.server import LanguageServer
    except ImportError:
        raise MipsError("the language server needs pygls: pip install 'mipsdsl[lsp]'") from None

    server = LanguageServer(NAME, __version__)
    last_hovers: dict[str, dict[str, str]] = {}

    def publish(ls: LanguageServer, uri: str) -> None:
        document = ls.workspace.get_text_document(uri)
        found = analyse(document.source, document.path or uri)
        if found.hovers:
            last_hovers[uri] = found.hovers
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=[_diagnostic(document, f) for f in found.findings],
            )
        )

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        last_hovers.pop(uri, None)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: LanguageServer, params: types.HoverParams) -> types.Hover | None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        text = last_hovers.get(params.text_document.uri, {}).get(
            document.word_at_position(params.position)
        )
        if text is None:
            return None
        return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text))

    return server


def _diagnostic(document: TextDocument, finding: Finding) -> types.Diagnostic:
    """A finding in the editor's position encoding, with its severity."""
    from lsprotocol import types

    lines = document.lines
    codec = document.position_codec
    start, end = (
        codec.position_to_client_units(lines, types.Position(p.line, p.character))
        for p in (finding.start, finding.end)
    )
    severity = (
        types.DiagnosticSeverity.Error
        if finding.severity is Severity.ERROR
        else types.DiagnosticSeverity.Warning
    )
    return types.Diagnostic(types.Range(start, end), finding.message, severity, source=SOURCE)
