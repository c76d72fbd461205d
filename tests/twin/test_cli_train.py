"""`reanalyze train` and `reanalyze worker` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reanalyze.cli import main
from reanalyze.table import UnitTable

TINY = [
    "--layers",
    "1:2",
    "--nodes",
    "8:16",
    "--batch-size",
    "32",
    "--max-epochs",
    "30",
    "--patience",
    "10",
]


def test_train_from_a_file_with_units(
    magnet_table: UnitTable, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    run = tmp_path / "run"
    status = main(
        [
            "train",
            str(data),
            "--x",
            "T",
            "--x",
            "H",
            "--y",
            "M",
            "--out",
            str(run),
            "--trials",
            "2",
            "--workers",
            "1",
            "--ensemble",
            "2",
            "--quiet",
            "--tracking-uri",
            f"sqlite:///{tmp_path / 'mlflow.db'}",
            *TINY,
        ]
    )
    captured = capsys.readouterr()
    assert status == 0, captured.err
    # stderr holds reanalyze's own lines only: no MLflow signature warning or registry chatter
    assert [line for line in captured.err.splitlines() if line.strip()] == [], captured.err
    text = captured.out
    assert "2 trials in" in text and f"twin saved to {run}" in text
    assert "best network:" in text and "measured lines fitted to" in text
    # the default recipe holds out lines and compares with the classic methods on them
    assert "held-out lines (" in text and "best of linear/PCHIP/RBF" in text
    bundle = json.loads((run / "bundle.json").read_text())
    assert bundle["units"] == {"T": "K", "H": "Oe", "M": "emu"}
    assert len(bundle["members"]) == 2
    assert bundle["summary"]["config"]["max_epochs"] == 30
    assert (tmp_path / "mlflow.db").is_file()


@pytest.mark.parametrize(
    ("args", "fragment", "status"),
    [
        (["--x", "T", "--x", "Q", "--y", "M"], "unknown column 'Q'", 1),
        (["--x", "T", "--y", "T"], "column 'T' is both a feature and the target", 1),
        (["--x", "T", "--x", "H", "--y", "M", "--objective", "best"], "objective must be one", 2),
        (["--x", "T", "--x", "H", "--y", "M", "--layers", "4:2"], "--layers: expected 1 <=", 2),
        (
            ["--x", "T", "--x", "H", "--y", "M", "--trials", "0"],
            "'--trials': Input should be greater than or equal to 1",
            2,
        ),
        (["--ensemble", "0"], "'--ensemble': Input should be greater", 2),
        (["--batch-size", "0"], "--batch-size: batch sizes must be whole numbers >= 1", 2),
        (["--batch-size", "abc"], "--batch-size: expected a comma-separated list, got 'abc'", 2),
        (["--lr", "abc"], "--lr: expected a number or LOW:HIGH, got 'abc'", 2),
        (["--lr", "1e400"], "--lr: expected a number or LOW:HIGH, got '1e400'", 2),
        (["--max-epochs", "0"], "'--max-epochs': Input should be greater", 2),
        (["--timeout", "0"], "timeout must be a positive number of seconds", 2),
    ],
)
def test_train_bad_input(
    magnet_table: UnitTable,
    tmp_path: Path,
    args: list[str],
    fragment: str,
    status: int,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bad data exit 1, misused options 2; one line, and no run folder is made."""
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    code = main(
        [
            "train",
            str(data),
            "--out",
            str(tmp_path / "run"),
            "--no-mlflow",
            "-q",
            "--workers",
            "1",
            *args,
        ]
    )
    err = capsys.readouterr().err
    assert code == status and err.startswith("error: ") and err.count("\n") == 1, err
    assert fragment in err
    assert not (tmp_path / "run").exists()


def test_worker_for_a_missing_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "study.journal"
    status = main(["worker", "nope", "--storage", str(journal)])
    assert status == 1
    assert "no such study journal" in capsys.readouterr().err and not journal.exists()
    import optuna

    from reanalyze.twin.storage import open_storage

    optuna.create_study(study_name="other", storage=open_storage(journal))  # not 'nope'
    assert journal.is_file()
    assert main(["worker", "nope", "--storage", str(journal)]) == 1
    assert "no study 'nope'" in capsys.readouterr().err


def test_train_quantum_design_files_defaults_to_their_columns(
    magnet_table: UnitTable, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One QD file per field: features and target come from the loader's column kinds."""
    import numpy as np

    h = magnet_table.values("H")
    for field in np.unique(h):
        rows = h == field
        lines = [
            "[Header]",
            "BYAPP, MPMS3, 1.1.6",
            "INFO,1.5,SAMPLE_MASS",
            "[Data]",
            "Comment,Time Stamp (sec),Temperature (K),Magnetic Field (Oe),Moment (emu)",
        ]
        for i, (t, m) in enumerate(
            zip(magnet_table.values("T")[rows], magnet_table.values("M")[rows], strict=True)
        ):
            lines.append(f",{i},{float(t)!r},{float(field)!r},{float(m)!r}")
        (tmp_path / f"mt_{int(field)}.dat").write_text("\n".join(lines) + "\n")
    status = main(
        ["train", str(tmp_path / "mt_*.dat"), "--out", str(tmp_path / "run"), "--trials", "1",
         "--workers", "1", "--ensemble", "1", "--no-mlflow", "-q", *TINY]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "features Temperature, Magnetic Field and target Moment" in captured.err
    bundle = json.loads((tmp_path / "run" / "bundle.json").read_text())
    assert bundle["features"] == ["Temperature", "Magnetic Field"]
    assert bundle["target"] == "Moment"


def test_a_run_folder_resumes_only_its_own_search(
    magnet_table: UnitTable, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Another seed, recipe or table into a finished run folder is refused in one line before
    anything is written (the twin, its marker and its study stay as they were); the same
    command resumes it."""
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    keep = np.ones(len(magnet_table), bool)
    keep[0] = False  # the same scan less one row: another table
    other = magnet_table.filter(keep).to_csv(tmp_path / "other.csv")
    run = tmp_path / "run"
    base = ["train", str(data), "--x", "T", "--x", "H", "--y", "M", "--out", str(run),
            "--trials", "2", "--workers", "1", "--ensemble", "1", "-q", "--no-mlflow", *TINY]  # fmt: skip
    assert main(base) == 0, capsys.readouterr().err
    capsys.readouterr()
    kept = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    cases = [
        (["--seed", "1"], "holds a search with seed 0 (this call: 1)"),
        (["--recipe", "paper"], "holds a search with recipe 'default' (this call: 'paper')"),
        (["--layers", "2:3"], "holds a search with other space settings"),
    ]
    for extra, said in cases:
        assert main([*base, *extra]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err and "choose another --out" in err, err
    argv = [str(other) if word == str(data) else word for word in base]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds the search of other data" in err, err
    assert {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()} == kept
    assert main(base) == 0  # the same settings: resumed (nothing left to do)
