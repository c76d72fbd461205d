"""Small, fast training fixtures: a thinned synthetic magnet scan and a tiny search space."""

from __future__ import annotations

import numpy as np
import pytest

from reanalyze.synthetic import GENERATORS
from reanalyze.table import UnitTable
from reanalyze.train.data import TrainingData
from reanalyze.train.space import SearchSpace


@pytest.fixture(scope="session")
def magnet_table() -> UnitTable:
    table = GENERATORS["bean_rodbell_second_order"]().scan(seed=1)
    keep = np.zeros(len(table), bool)
    keep[::4] = True  # every 4th temperature of each field: ~200 rows
    return table.filter(keep)


@pytest.fixture(scope="session")
def magnet_data(magnet_table: UnitTable) -> TrainingData:
    return TrainingData.from_table(magnet_table, ["T", "H"], "M")


@pytest.fixture
def tiny_space() -> SearchSpace:
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
