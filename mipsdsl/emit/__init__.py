"""Emit: a verified Program -> a formatted, dependency-free Python module with provenance."""

from mipsdsl.emit.module import EmitError, Provenance, emit_module, render_module

__all__ = ["EmitError", "Provenance", "emit_module", "render_module"]
