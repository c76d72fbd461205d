"""Shared fixtures: an isolated download cache seeded from ../shared/data, as in CI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: The published datasets of the paper, kept beside the project (never copied into it).
SHARED_DATA = Path(os.environ.get("REANALYZE_SHARED_DATA", REPO.parent / "shared" / "data"))
MAT_INTERP = SHARED_DATA / "mat_interp"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every test gets an empty private cache unless it asks for the seeded one."""
    monkeypatch.setenv("REANALYZE_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def seeded_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache holding the paper's four files copied from ../shared/data/mat_interp."""
    if not MAT_INTERP.is_dir():
        pytest.skip(f"{MAT_INTERP} not present (CI provides it)")
    cache = tmp_path / "seeded-cache"
    cache.mkdir()
    for file in MAT_INTERP.glob("*.csv"):
        shutil.copyfile(file, cache / file.name)
    monkeypatch.setenv("REANALYZE_CACHE_DIR", str(cache))
    return cache


@pytest.fixture
def mat_interp() -> Path:
    """The folder of the paper's published files (skips when absent)."""
    if not MAT_INTERP.is_dir():
        pytest.skip(f"{MAT_INTERP} not present (CI provides it)")
    return MAT_INTERP
