"""Shared fixtures: an isolated download cache seeded from ../shared/data (as in CI), and small,
fast training fixtures (a thinned synthetic magnet scan and a tiny search space)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from support import MAT_INTERP, REPO, SHARED_DATA, browser_missing  # noqa: F401

from reanalyze.synthetic import GENERATORS, BeanRodbellMagnet
from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData
from reanalyze.twin.space import SearchSpace


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist exports the controller's COLUMNS to its workers, and rich fixes that width
    when the CLI's consoles are made: tests that set COLUMNS would not be seen. Without it, the
    consoles read COLUMNS each time, as in a plain run."""
    os.environ.pop("COLUMNS", None)


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


@pytest.fixture(scope="module")
def erco2() -> BeanRodbellMagnet:
    """The first-order ErCo2-like Bean–Rodbell magnet (its exact answers)."""
    return BeanRodbellMagnet.erco2_like()


@pytest.fixture(scope="module")
def second_order() -> BeanRodbellMagnet:
    """The second-order Bean–Rodbell magnet (eta = 0.5, Curie temperature 35 K)."""
    return BeanRodbellMagnet.second_order()


@pytest.fixture(scope="session")
def magnet_table() -> UnitTable:
    """A thinned second-order synthetic magnet scan (~200 rows), for small fast searches."""
    table = GENERATORS["bean_rodbell_second_order"]().scan(seed=1)
    keep = np.zeros(len(table), bool)
    keep[::4] = True  # every 4th temperature of each field: ~200 rows
    return table.filter(keep)


@pytest.fixture(scope="session")
def magnet_data(magnet_table: UnitTable) -> TrainingData:
    return TrainingData.from_table(magnet_table, ["T", "H"], "M")


@pytest.fixture(scope="session")
def tiny_space() -> SearchSpace:
    """A search space small enough for a trial in about a second."""
    return SearchSpace.from_overrides(
        {
            "layers": "1:2",
            "nodes": "8:24",
            "learning_rate": "3e-3:1e-2",
            "batch_sizes": "32",
            "max_epochs": 40,
            "patience": 15,
            "lr_drop_epoch": 30,
        }
    )
