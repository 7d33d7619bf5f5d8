"""`mipsc explain`: pictures of what the network learned, beside a short markdown summary.

    check -> train (the compile's cached network) -> trace -> extract -> states -> DOT, SVG, PNG

The network and its traces are the ones `mipsc compile` makes with the same options (training
is cached by content hash, so explaining a compiled spec trains nothing); the extraction is the
one its module was read by when that module is up to date (`choose`). `graph` gives every traced
state its extracted values and draws the states as a graph, `dot` writes it, `figure` draws the
hidden states, `summary` links them.
"""

from __future__ import annotations

from importlib import import_module

__all__ = ["Explanation", "explain", "write_explanation"]


def __getattr__(name: str):
    """The package's names, loaded when first used: `mipsc` builds its argument parser from
    `mipsdsl.explain.command` without paying for the extraction and plotting imports."""
    if name in __all__:
        return getattr(import_module("mipsdsl.explain.explaining"), name)
    raise AttributeError(f"module 'mipsdsl.explain' has no attribute {name!r}")
