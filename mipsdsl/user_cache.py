"""Where mipsdsl keeps what it can always rebuild: trained networks and the parser's tables.

$MIPSDSL_CACHE_DIR, else $XDG_CACHE_HOME/mipsdsl, else ~/.cache/mipsdsl. Kept free of heavy
imports, since the parser, which every command loads, asks for it.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    if os.environ.get("MIPSDSL_CACHE_DIR"):
        return Path(os.environ["MIPSDSL_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mipsdsl"
