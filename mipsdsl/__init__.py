"""mipsdsl: compile declarative sequence-task specs into programs read out of trained RNNs.

The Python API, for notebooks and scripts (see docs/api.md):

    from mipsdsl import compile_spec, CompileOptions, load_task, verify

Each name is imported when first used, so that `import mipsdsl` stays cheap (no torch), except
`verify`: it is also the name of the module `mipsdsl.verify`, which the import system binds here
whenever it is imported, so that module is imported now (numpy, no torch) and made callable as
its `verify` function. `from mipsdsl import verify` then works as a function and as the module.
"""

from __future__ import annotations

import importlib
import types
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# name -> the module that defines it
_API = {
    "compile_spec": "mipsdsl.pipeline",
    "CompileOptions": "mipsdsl.pipeline",
    "Compiled": "mipsdsl.pipeline",
    "StageFailed": "mipsdsl.pipeline",
    "load_task": "mipsdsl.check",
    "verify_module": "mipsdsl.verify",
    "VerifyOptions": "mipsdsl.verify",
}
__all__ = [
    "__version__",
    "compile_spec",
    "CompileOptions",
    "Compiled",
    "StageFailed",
    "load_task",
    "verify",
    "verify_module",
    "VerifyOptions",
]

if TYPE_CHECKING:
    from mipsdsl.check import load_task
    from mipsdsl.pipeline import Compiled, CompileOptions, StageFailed, compile_spec
    from mipsdsl.verify import VerifyOptions, verify, verify_module


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'mipsdsl' has no attribute {name!r}")


class _CallableModule(types.ModuleType):
    """`mipsdsl.verify`: the module, and called, its `verify(task, candidate, options)`."""

    def __call__(self, *args, **kwargs):
        return self.verify(*args, **kwargs)


importlib.import_module("mipsdsl.verify").__class__ = _CallableModule
