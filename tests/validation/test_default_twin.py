"""The default recipe against ground truth: the synthetic first-order magnet (exact answer known).

One real twin, trained as ``reanalyze train`` does by default (fewer trials), then:

* held out line by line (``validate_run``), it predicts the missing curves better than every
  classic method between curves;
* its |ΔS_M|(T) for 0 → 5 T on a dense grid matches the generator's exact curve: the peak
  within 2 %, the RMS error within 3 % of the peak, no spurious bumps (total variation within
  10 % of the exact curve's) — where the trapezoid on the measured fields is 15 % high.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reanalyze.load import load_dataset
from reanalyze.properties.magnetocaloric import MagnetocaloricEffect
from reanalyze.synthetic import GENERATORS
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.simulate import simulate
from reanalyze.validation import validate_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = TrainingData.from_table(load_dataset("synthetic_magnet"), ["T", "H"], "M")
    folder = tmp_path_factory.mktemp("default-twin") / "run"
    Search(n_trials=4, seed=0).fit(data, folder)
    return folder


def test_default_twin_beats_classic_interpolation_on_held_out_lines(run: Path) -> None:
    result, _ = validate_run(run, methods=("linear", "pchip", "rbf"), n_folds=3)
    twin, best = result.method("twin"), result.best_classic()
    assert twin is not None and best is not None
    assert twin.rel_rmse < best.rel_rmse
    assert "beats the twin" not in result.verdict()


def delta_s_5t(table: object) -> tuple[np.ndarray, np.ndarray]:
    result = MagnetocaloricEffect().run(table, {"low_field": "constant"}, figures=False)
    out = result.tables["delta_s_m"]
    top = np.isclose(out.values("delta_h"), out.values("delta_h").max())
    return out.values("T")[top], np.abs(out.values("delta_s_m")[top])


def test_default_twin_gives_the_exact_entropy_change(run: Path) -> None:
    magnet = GENERATORS["bean_rodbell_first_order"]()
    grid = simulate(run, "T=10:60:0.2K H=0.05:5T:0.05T")
    t, s = delta_s_5t(grid)
    exact = np.abs(magnet.delta_s_m(t, np.full_like(t, 5e4)))
    peak = exact.max()
    window = (t >= 25) & (t <= 55)
    assert abs(s.max() - peak) / peak < 0.02
    assert np.sqrt(np.mean((s[window] - exact[window]) ** 2)) / peak < 0.03
    total_variation = np.sum(np.abs(np.diff(s))) / np.sum(np.abs(np.diff(exact)))
    assert total_variation < 1.1
    # the classic way, the trapezoid between the 8 measured fields, is far off
    _, sc = delta_s_5t(load_dataset("synthetic_magnet"))
    assert (sc.max() - peak) / peak > 0.1
