"""Building and installing wheels with pip, offline, for the tests of what a user installs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def pip(command: str, *args: str) -> None:
    """``pip COMMAND --no-deps --no-index -q ARGS``; a failure shows pip's output."""
    result = subprocess.run(
        [sys.executable, "-m", "pip", command, "--no-deps", "--no-index", "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"pip {command} failed:\n{result.stdout}{result.stderr}"


def build_wheel(source: Path, folder: Path) -> Path:
    """The wheel of the project at ``source``, built without isolation into the empty ``folder``."""
    pip("wheel", "--no-build-isolation", "--wheel-dir", str(folder), str(source))
    (wheel,) = folder.glob("*.whl")
    return wheel


def install_wheel(wheel: Path, target: Path) -> None:
    """Install ``wheel`` (not its dependencies) into the folder ``target``."""
    pip("install", "--target", str(target), str(wheel))
