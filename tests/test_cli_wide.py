"""Every command, with bad options and bad paths: a non-zero exit, one line, no traceback, and
the file tree exactly as it was.

Each case is a command line run in a working folder that holds a measured file, a twin's run
folder, a damaged twin and a folder of the user's own files. After the command, every file
under the working folder must have the bytes it had before (nothing written, nothing
deleted), stderr must be one ``error:`` line (``note:`` lines may come before it), and the
status must be 2 for a misused option and 1 for bad data.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from reanalyze.cli import main
from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.space import SearchSpace

GRID = "T=20:50:1K H=1T:4T:1T"
PLAN = ["--property", "magnetocaloric", "--axis", "H"]

#: (command line, expected status, a fragment of the error line). Names: ``data.csv`` (a
#: measured M(T, H) scan), ``run`` (a twin), ``broken-run`` (a twin with a garbage member),
#: ``mine`` (the user's own files), ``folder`` and ``folder.csv`` (empty folders).
CASES: list[tuple[list[str], int, str]] = [
    # ---- data
    (["data", "show", "nope"], 1, "unknown dataset 'nope'"),
    (["data", "fetch", "nope"], 1, "unknown dataset 'nope'"),
    (["data", "inspect", "missing.csv"], 1, "missing.csv"),
    (["data", "inspect", "folder"], 1, "folder"),
    (["data", "inspect", "garbage.bin"], 1, "garbage.bin"),
    (["data", "inspect", "data.csv", "--rename", "T=H"], 1, "rename T=H"),
    (["data", "inspect", "data.csv", "--units", "T"], 2, "--units expects NAME=VALUE"),
    (["data", "inspect", "data.csv", "--nonfinite", "maybe"], 2, "--nonfinite"),
    (["data", "inspect", "data.csv", "--loader", "nope"], 2, "unknown loader 'nope'"),
    (["data", "synth", "nope", "--out", "x.csv"], 1, "unknown synthetic dataset"),
    (["data", "synth", "synthetic_magnet", "--out", "x.json"], 2, "use a .csv or .parquet"),
    (["data", "seed", "no-such-folder"], 1, "no-such-folder"),
    # ---- single output files: never the user's file, an input, or one in a run folder
    (["data", "synth", "synthetic_magnet", "-o", "data.csv"], 2, "data.csv: exists; give --over"),
    (["data", "synth", "synthetic_magnet", "-o", "run/training.parquet", "--overwrite"], 2, "run"),
    (["data", "synth", "synthetic_magnet", "-o", "folder.csv", "--overwrite"], 2, "is a folder"),
    (["data", "inspect", "data.csv", "-o", "mine/notes.txt"], 2, "exists; give --overwrite"),
    (["data", "inspect", "data.csv", "-o", "data.csv", "--overwrite"], 2, "is the input data"),
    (["data", "inspect", "d*.csv", "-o", "data.csv", "--overwrite"], 2, "is the input data.csv"),
    (["data", "inspect", "data.csv", "-o", "run/x.csv", "--overwrite"], 2, "a twin's run folder"),
    (["data", "inspect", "data.csv", "-o", "data.csv/x.csv"], 2, "data.csv is a file"),
    # ---- train
    (["train", "missing.csv", "--out", "new"], 1, "missing.csv"),
    (["train", "data.csv", "--out", "new", "--x", "T", "--x", "Q", "--y", "M"], 1, "'Q'"),
    (["train", "data.csv", "--out", "data.csv"], 2, "--out data.csv"),
    (["train", "data.csv", "--out", "."], 2, "is the current folder"),
    (["train", "data.csv", "--out", "mine"], 2, "not empty and not written by reanalyze"),
    (["train", "data.csv", "--out", "new", "--lr", "abc"], 2, "--lr: expected a number"),
    (["train", "data.csv", "--out", "new", "--batch-size", "0"], 2, "--batch-size"),
    (["train", "data.csv", "--out", "new", "--batch-size", "abc"], 2, "--batch-size"),
    (["train", "data.csv", "--out", "new", "--ensemble", "0"], 2, "'--ensemble'"),
    (["train", "data.csv", "--out", "new", "--trials", "0"], 2, "'--trials'"),
    (["train", "data.csv", "--out", "new", "--workers", "-1"], 2, "'--workers'"),
    (["train", "data.csv", "--out", "new", "--recipe", "nope"], 2, "unknown recipe 'nope'"),
    (["train", "data.csv", "--out", "new", "--objective", "best"], 2, "objective must be"),
    (["train", "data.csv", "--out", "new", "--space", "missing.yaml"], 1, "missing.yaml"),
    (
        ["train", "data.csv", "--out", "new", "--units", "T=blorps"],
        2,
        "--units T=blorps: unknown unit",
    ),
    (
        ["train", "data.csv", "--out", "new", "--tracking-uri", "http://127.0.0.1:9"],
        2,
        "no MLflow server answers",
    ),
    (["train", "data.csv", "--out", "new", "--bogus"], 2, "No such option: --bogus"),
    # ---- validate
    (["validate", "run", "--method", "nope"], 2, "unknown method"),
    (["validate", "run", "--folds", "1"], 2, "'--folds'"),
    (["validate", "run", "--out", "run"], 2, "--out run: is or holds the input"),
    (["validate", "run", "--out", "mine"], 2, "not empty and not written by reanalyze"),
    (["validate", "data.csv", "--out", "."], 2, "is the current folder"),
    # ---- simulate
    (["simulate", "run", "--grid", "T=1e400K H=1T", "--out", "s.csv"], 2, "'1e400' is too large"),
    (["simulate", "run", "--grid", "T=10:1e400:1K H=1T", "--out", "s.csv"], 2, "too large"),
    (["simulate", "run", "--grid", "T=a:b:c H=1T", "--out", "s.csv"], 2, "grid axis 'T'"),
    (
        ["simulate", "run", "--grid", "T=20:50:1K Q=1:2:1", "--out", "s.csv"],
        2,
        "'Q' is not a feature",
    ),
    (["simulate", "run", "--grid", GRID, "--out", "s.json"], 2, "use a .csv or .parquet"),
    (["simulate", "mine", "--grid", GRID, "--out", "s.csv"], 1, "not a reanalyze run folder"),
    (["simulate", "run", "--grid", "missing.csv", "--out", "s.csv"], 1, "missing.csv"),
    (["simulate", "broken-run", "--grid", GRID, "--out", "s.csv"], 1, "damaged member model"),
    (["simulate", "run", "--grid", "T=0:500:1K H=1T", "--out", "s.csv"], 1, "interpolator"),
    (["simulate", "run", "-g", GRID, "-o", "data.csv"], 2, "--out data.csv: exists; give --over"),
    (["simulate", "run", "-g", GRID, "-o", "mine/notes.txt"], 2, "exists; give --overwrite"),
    (["simulate", "run", "-g", "T=0:500:1K H=1T", "-o", "data.csv"], 2, "exists"),  # refused first
    (["simulate", "run", "-g", GRID, "-o", "run/training.parquet"], 2, "a twin's run folder"),
    (
        ["simulate", "run", "-g", GRID, "-o", "run/training.parquet", "--overwrite"],
        2,
        "--out run/training.parquet: is inside run, a twin's run folder",
    ),
    (["simulate", "run", "-g", GRID, "-o", "run/new.csv", "--overwrite"], 2, "twin's run folder"),
    (["simulate", "run", "-g", "data.csv", "-o", "data.csv", "--overwrite"], 2, "is the input"),
    (["simulate", "run", "-g", GRID, "-o", "folder.csv", "--overwrite"], 2, "is a folder"),
    (["simulate", "run", "-g", GRID, "-o", "data.csv/s.csv"], 2, "data.csv is a file"),
    # ---- a loader's own options, on every command that loads files
    (["data", "inspect", "data.csv", "--loader-option", "loader=delimited"], 2, "--loader"),
    (["train", "data.csv", "--out", "new", "--loader-option", "units.T=K"], 2, "--units"),
    (
        ["train", "data.csv", "--out", "new", "--loader-option", "moment_column=M"],
        2,
        "unknown option(s) moment_column",
    ),
    (["validate", "data.csv", "--out", "v", "--loader-option", "delimiter"], 2, "KEY=VALUE"),
    (
        ["property", "run", "magnetocaloric", "data.csv", "-o", "p", "--loader-option", "x=T"],
        2,
        "unknown option(s) x",
    ),
    # ---- property
    (["property", "show", "nope"], 2, "unknown property plugin 'nope'"),
    (["property", "run", "nope", "data.csv", "--out", "p"], 2, "unknown property plugin"),
    (["property", "run", "magnetocaloric", "data.csv", "--out", "."], 2, "current folder"),
    (["property", "run", "magnetocaloric", "data.csv", "--out", "mine"], 2, "not empty"),
    (["property", "run", "magnetocaloric", "data.csv", "--out", "run"], 2, "run folder"),
    (["property", "run", "magnetocaloric", "data.csv", "--out", "data.csv"], 2, "input"),
    (["property", "run", "magnetocaloric", "data.csv", "-o", "p", "--mass", "-3mg"], 2, "mass"),
    (["property", "run", "magnetocaloric", "data.csv", "-o", "p", "--mass", "0mg"], 2, "mass"),
    (["property", "run", "magnetocaloric", "data.csv", "-o", "p", "--mass", "infmg"], 2, "mass"),
    (["property", "run", "magnetocaloric", "data.csv", "-o", "p", "-p", "bogus=1"], 1, "bogus"),
    (["property", "run", "magnetocaloric", "data.csv", "-o", "p", "-c", "T=X"], 1, "role 'T'"),
    (
        ["property", "run", "magnetocaloric", "data.csv", "-o", "p", "-c", "T=T", "-c", "T=H"],
        2,
        "--column T given twice",
    ),
    (
        ["property", "run", "magnetocaloric", "run", "--out", "p"],
        2,
        "run folder: give --grid to simulate it on",
    ),
    # ---- plan
    (["plan", "run", *PLAN, "--steps", "1T", "--out", "p"], 2, "at least two candidate steps"),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "--out", "run"], 2, "--out run"),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "--out", "mine"], 2, "not empty"),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "--out", "."], 2, "current folder"),
    (["plan", "run", *PLAN, "--steps", "1K,2K", "--out", "p"], 2, "wrong dimension"),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "-o", "p", "--range", "5T"], 2, "--range"),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "-o", "p", "--tolerance", "rms_rel=-1"], 2, ""),
    (["plan", "run", *PLAN, "--steps", "1T,0.5T", "-o", "p", "--instrument", "nope"], 2, "nope"),
    (["plan", "mine", *PLAN, "--steps", "1T,0.5T", "--out", "p"], 1, "not a reanalyze run"),
    # ---- report
    (["report", "run", "--out", "mine/index.html"], 2, "not empty and not written"),
    (["report", "run", "--out", "report.html"], 2, "is the current folder"),
    (["report", "run", "--plan", "missing", "--no-mlflow"], 1, "missing"),
    (["report", "run", "--property", "mine", "--no-mlflow"], 1, "not a property result"),
    (["report", "missing", "--no-mlflow"], 1, "missing"),
    # ---- instruments, registry, demo, ui, worker
    (["instrument", "show", "nope"], 2, "unknown instrument 'nope'"),
    (["instrument", "list", "--instruments", "missing.yaml"], 1, "missing.yaml"),
    (["registry", "validate", "missing.yaml"], 1, "missing.yaml"),
    (["registry", "validate", "data.csv"], 1, "data.csv"),
    (["demo", "--case", "nope", "--out", "d"], 2, "--case must be one of"),
    (["demo", "--out", "mine"], 2, "not empty and not written by reanalyze demo"),
    (["demo", "--out", "."], 2, "current folder"),
    (["ui", "--port", "0"], 2, "'--port'"),
    (["worker", "nope", "--storage", "missing.journal"], 1, "no such study journal"),
]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: its sha256 (files) or ``dir``."""
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
        )
        for p in sorted(folder.rglob("*"))
    }


@pytest.fixture(scope="module")
def workspace(
    tmp_path_factory: pytest.TempPathFactory,
    magnet_table: UnitTable,
    magnet_data: TrainingData,
    tiny_space: SearchSpace,
) -> Path:
    root = tmp_path_factory.mktemp("cli-wide")
    magnet_table.to_csv(root / "data.csv")
    Search(tiny_space, n_trials=1, workers=1, ensemble=1, seed=0).fit(magnet_data, root / "run")
    shutil.copytree(root / "run", root / "broken-run")
    for member in (root / "broken-run" / "members").iterdir():
        member.write_bytes(b"not a keras file")
    (root / "mine").mkdir()
    (root / "mine" / "notes.txt").write_text("my own notes")
    (root / "folder").mkdir()
    (root / "folder.csv").mkdir()
    (root / "garbage.bin").write_bytes(bytes(range(256)) * 8)
    return root


@pytest.mark.parametrize(("argv", "status", "fragment"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_bad_command_lines_change_nothing_and_say_one_line(
    workspace: Path,
    argv: list[str],
    status: int,
    fragment: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(workspace)
    # a store outside the working folder: no failing command may create it
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{workspace.parent / 'mlflow.db'}")
    before = snapshot(workspace)
    code = main(argv)
    err = capsys.readouterr().err
    assert code == status, err
    assert "Traceback" not in err
    lines = err.splitlines()
    assert all(line.strip() for line in lines), f"a blank line on stderr: {err!r}"
    assert lines and lines[-1].startswith("error: "), err
    assert all(line.startswith("note: ") for line in lines[:-1]), err
    assert fragment in lines[-1], err
    assert snapshot(workspace) == before
