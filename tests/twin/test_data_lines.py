"""Scan lines of training data: a table whose slow axis is not constant along its curves
(every row a "line" of its own) is refused in one line that names the option to fix it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reanalyze.errors import DataError
from reanalyze.table import UnitTable, concat
from reanalyze.twin.data import TrainingData
from reanalyze.validation.workflow import training_data
from reanalyze.wording import front_end_words

FIELDS_OE = [100.0, 1000.0, 5000.0, 10000.0]
ROWS = 30


def readback_scan(*, files: bool) -> UnitTable:
    """M(T) at four fields as an MPMS3 writes them, temperature and field readbacks
    scattering (±0.3 Oe), as if every file were read alone and the tables joined
    (``files``: with the ``source_file`` column)."""
    rng = np.random.default_rng(0)
    parts = []
    for field in FIELDS_OE:
        t = np.linspace(10.0, 60.0, ROWS) + rng.normal(0.0, 0.01, ROWS)
        h = field + rng.uniform(-0.3, 0.3, ROWS)
        part = UnitTable(
            pd.DataFrame({"T": t, "H": h, "M": 1e-6 * field / t}),
            {"T": ("temperature", "K"), "H": ("magnetic_field", "Oe"),
             "M": ("magnetic_moment", "emu")},
        )  # fmt: skip
        if files:
            part = part.with_column("source_file", [f"MT_{int(field)}Oe.dat"] * ROWS, "label", "")
        parts.append(part)
    return concat(parts, source="joined")


def test_a_readback_slow_axis_is_refused_with_the_option_that_fixes_it() -> None:
    with pytest.raises(DataError) as info:
        TrainingData.from_table(readback_scan(files=True), ["T", "H"], "M")
    assert str(info.value) == (
        "no feature is constant along scan lines: T has 120 and H 120 distinct values in 120 "
        "rows, so nearly every row would be a scan line of its own; if each file holds one "
        "scan line, load the files with slow_axis='H', the column that is one value per file"
    )
    with front_end_words({"slow_axis": "--slow-axis"}), pytest.raises(DataError) as info:
        TrainingData.from_table(readback_scan(files=False), ["H", "T"], "M")
    assert str(info.value).startswith(
        "no feature is constant along scan lines: H has 120 and T 120"
    )
    assert str(info.value).endswith(  # no file column to tell which it is
        "load the files with --slow-axis NAME, the column that is one value per file"
    )


def test_set_points_and_one_feature_twins_are_accepted() -> None:
    table = readback_scan(files=True)
    fixed = table.with_column("H", np.repeat(FIELDS_OE, ROWS), "magnetic_field", "Oe")
    data = TrainingData.from_table(fixed, ["T", "H"], "M")
    assert data.slow_axis == "H" and data.lines().tolist() == FIELDS_OE
    one = TrainingData.from_table(table, ["T"], "M")  # every T value its own "line" is fine
    assert one.slow_axis == "T"


def test_train_and_validate_refuse_such_a_table(tmp_path: Path) -> None:
    path = tmp_path / "mt.parquet"
    readback_scan(files=True).to_parquet(path)
    with pytest.raises(DataError, match="no feature is constant along scan lines: T has 120"):
        training_data([str(path)], features=["T", "H"], target="M")
    from reanalyze.validation.workflow import validate

    with pytest.raises(DataError, match="load the files with slow_axis='H'"):
        validate([str(path)], features=["T", "H"], target="M", out=tmp_path / "v")


def test_the_advice_works_on_the_command_that_gave_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A readback too noisy to be taken for a set point on its own: ``validate`` refuses the
    files naming ``--slow-axis``, and the same command with ``--slow-axis H`` runs (``train``
    takes it too: the same loading path, ``load_options``)."""
    from reanalyze.cli import main

    rng = np.random.default_rng(1)
    for field in (100.0, 200.0, 400.0, 800.0):  # ±15 Oe: more than a tenth of the 100 Oe gap
        t = np.linspace(10.0, 60.0, ROWS) + rng.normal(0.0, 0.01, ROWS)  # a readback too
        h = field + rng.uniform(-15.0, 15.0, ROWS)
        frame = pd.DataFrame({"T (K)": t, "H (Oe)": h, "M (emu)": 1e-6 * field / t})
        frame.to_csv(tmp_path / f"MT_{int(field)}Oe.csv", index=False)
    files = sorted(str(p) for p in tmp_path.glob("MT_*.csv"))
    argv = ["validate", *files, "--x", "T", "--x", "H", "--y", "M", "--method", "linear",
            "--no-mlflow", "--out", str(tmp_path / "v")]  # fmt: skip
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "load the files with --slow-axis NAME," in err, err
    assert main([*argv, "--slow-axis", "H"]) == 0, capsys.readouterr().err
    assert "linear" in capsys.readouterr().out
    # --column keeps only the columns named, as data inspect's does: without M there is none
    assert main([*argv, "--slow-axis", "H", "--column", "T", "--column", "H"]) == 1
    assert "'M'" in capsys.readouterr().err
