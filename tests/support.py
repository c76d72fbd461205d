"""What several test modules import: the repository's paths and the browser-test skip reason.

(A module, not ``conftest.py``: ``from conftest import …`` is ambiguous once a test folder has
a ``conftest.py`` of its own, such as tests/gui.)
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: The published datasets of the paper, kept beside the project (never copied into it).
SHARED_DATA = Path(os.environ.get("REANALYZE_SHARED_DATA", REPO.parent / "shared" / "data"))
MAT_INTERP = SHARED_DATA / "mat_interp"


def browser_missing() -> str | None:
    """Why the browser tests cannot run: the programs that are not installed, by name (None
    when Chromium and its driver are both there, and selenium can be imported)."""
    import importlib.util

    missing = []
    if not (shutil.which("chromium") or shutil.which("chromium-browser")):
        missing.append("chromium (neither chromium nor chromium-browser is on PATH)")
    if not shutil.which("chromedriver"):
        missing.append("chromedriver (not on PATH)")
    if importlib.util.find_spec("selenium") is None:
        missing.append("the selenium package (pip install -e '.[test]')")
    if not missing:
        return None
    return "not installed: " + "; ".join(missing)
