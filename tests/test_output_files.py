"""Single output files (``simulate``, ``data inspect``, ``data synth``): the user's file, an
input and a file inside a folder reanalyze owns are never replaced; with ``overwrite`` only
the user's file is; a failed write leaves nothing behind.

The rules of :func:`reanalyze.outputs.file_action` on real folders, the atomic table writer
:func:`reanalyze.outputs.write_table_file` with a write that fails half-way, then the
commands with ``--overwrite`` on a twin whose predictions are exact (``twins.py``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from twins import linear_member, magnet_twin

from reanalyze._atomic import atomic_path, place_new
from reanalyze.cli import main
from reanalyze.errors import DataError, OptionError
from reanalyze.load import load
from reanalyze.outputs import (
    file_action,
    output_action,
    publish_folder,
    table_file_action,
    write_table_file,
)
from reanalyze.synthetic import GENERATORS
from reanalyze.table import UnitTable

GRID = "T=10:60:10K H=0.1:5T:0.7T"
#: (a [emu/K], b [emu/Oe], c [emu]) of the twin's members: M = a·T + b·H + c
COEFFS = [(1e-3, 2e-7, 0.01), (1.1e-3, 1.8e-7, 0.012)]


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (hidden temporary files included)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture(scope="module")
def table() -> UnitTable:
    return GENERATORS["bean_rodbell_second_order"]().scan(seed=2)


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder: the user's notes, a data file, a plan output and a twin's run folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.csv").write_text("my notes\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "scan.csv").write_text("T (K),M (emu)\n1,2\n")
    with publish_folder("plan", "plan", output_action("plan", "plan")) as tmp:
        (tmp / "plan.json").write_text("{}")
    (tmp_path / "run" / "members").mkdir(parents=True)  # a twin saved before markers existed
    (tmp_path / "run" / "bundle.json").write_text("{}")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "bundle.json").write_text("{}")  # the user's, not a twin's
    (tmp_path / "folder.csv").mkdir()
    return tmp_path


# ------------------------------------------------------------------ the decision
def test_new_files_are_created_and_an_existing_one_needs_overwrite(work: Path) -> None:
    assert file_action("new.csv") == "create"
    assert file_action("data/new.csv", inputs=["data/scan.csv", "data"]) == "create"
    assert file_action("missing/folders/new.csv") == "create"  # created, as for folders
    assert file_action("mine/new.csv") == "create"
    with pytest.raises(OptionError) as refused:
        file_action("notes.csv")
    # the library's words; the command line says --out and --overwrite (below)
    assert str(refused.value) == "output file notes.csv: exists; give overwrite=True to replace it"
    assert file_action("notes.csv", overwrite=True) == "replace"


@pytest.mark.parametrize("overwrite", [False, True])
@pytest.mark.parametrize(
    ("target", "inputs", "message"),
    [
        ("folder.csv", [], "output file folder.csv: is a folder; give a file name"),
        ("notes.csv/x.csv", [], "output file notes.csv/x.csv: notes.csv is a file, not a folder"),
        ("data/scan.csv", ["data/scan.csv"], "is the input data/scan.csv; give another file"),
        ("data/../data/scan.csv", ["data/scan.csv"], "is the input data/scan.csv"),
        ("link.csv", ["data/scan.csv"], "is the input data/scan.csv"),  # a link to it
        ("plan/extra.csv", [], "is inside plan, an output folder of reanalyze plan"),
        ("plan/tables/new.csv", [], "is inside plan, an output folder of reanalyze plan"),
        ("run/training.parquet", [], "is inside run, a twin's run folder (its files belong"),
        ("run/new/x.csv", ["run"], "run, a twin's run folder (its files belong to it); write it"),
    ],
)
def test_refused_even_with_overwrite(
    work: Path, target: str, inputs: list[str], message: str, overwrite: bool
) -> None:
    (work / "link.csv").symlink_to(work / "data" / "scan.csv")
    before = tree(work)
    with pytest.raises(OptionError, match=re.escape(message)):
        file_action(target, inputs=inputs, overwrite=overwrite)
    assert tree(work) == before


def test_a_table_file_needs_a_table_suffix(work: Path) -> None:
    assert table_file_action("t.parquet") == table_file_action("t.txt") == "create"
    with pytest.raises(OptionError, match=r"--out t\.json: use a \.csv or \.parquet file name"):
        table_file_action("t.json", option="--out")


# ------------------------------------------------------------------- the writer
@pytest.mark.parametrize("name", ["t.csv", "t.parquet", "sub/folder/t.txt"])
def test_the_writer_writes_by_suffix(tmp_path: Path, table: UnitTable, name: str) -> None:
    out = tmp_path / name
    assert write_table_file(table, out, table_file_action(out)) == out
    back = load(str(out))
    assert back.columns == table.columns and back.unit("M") == table.unit("M")
    assert np.allclose(back.values("M"), table.values("M"))
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary left
    first = out.read_bytes()
    write_table_file(table.filter(np.arange(len(table)) < 10), out, "replace")
    assert out.read_bytes() != first and len(load(str(out))) == 10


class FailingTable:
    """A table whose writing fails half-way, as a full disk would."""

    def _fail(self, path: str | Path) -> None:
        Path(path).write_bytes(b"half a table")
        raise OSError(28, "No space left on device", str(path))

    to_csv = to_parquet = _fail


@pytest.mark.parametrize("name", ["t.csv", "t.parquet"])
def test_a_failed_write_leaves_nothing_and_the_old_file_as_it_was(
    tmp_path: Path, name: str
) -> None:
    out = tmp_path / name
    failing: Any = FailingTable()
    with pytest.raises(OSError, match="No space left"):
        write_table_file(failing, out, "create")
    assert list(tmp_path.iterdir()) == []
    out.write_bytes(b"the user's file")
    with pytest.raises(OSError, match="No space left"):
        write_table_file(failing, out, "replace")
    assert tree(tmp_path) == {name: b"the user's file"}


def test_a_file_that_appears_while_the_command_runs_is_not_replaced(
    tmp_path: Path, table: UnitTable
) -> None:
    out = tmp_path / "t.csv"
    action = table_file_action(out)  # nothing there yet
    out.write_text("written by someone else meanwhile")
    with pytest.raises(DataError, match="a file appeared there while this command ran"):
        write_table_file(table, out, action)
    assert tree(tmp_path) == {"t.csv": b"written by someone else meanwhile"}


def test_place_new_never_replaces(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_text("new")
    target.write_text("old")
    with pytest.raises(FileExistsError):
        place_new(source, target)
    assert source.read_text() == "new" and target.read_text() == "old"
    with pytest.raises(FileExistsError), atomic_path(target, replace=False) as tmp:
        tmp.write_text("new")
    assert tree(tmp_path) == {"source": b"new", "target": b"old"}
    target.unlink()
    place_new(source, target)
    assert tree(tmp_path) == {"target": b"new"}


# ---------------------------------------------------------------- the commands
@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A twin M = a·T + b·H + c (two members), saved as a run folder."""
    twin = magnet_twin(
        [linear_member(*c) for c in COEFFS], {"T": (10.0, 60.0), "H": (100.0, 50000.0)}
    )
    return twin.save(tmp_path_factory.mktemp("twin") / "run")


def exact_mean(t: np.ndarray, h: np.ndarray) -> np.ndarray:
    return np.mean([a * t + b * h + c for a, b, c in COEFFS], axis=0)


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "{run}", "--grid", GRID, "--out", "notes.csv"],
        ["data", "synth", "bean_rodbell_second_order", "--out", "notes.csv"],
        ["data", "inspect", "data/scan.csv", "--out", "notes.csv"],
    ],
    ids=["simulate", "data synth", "data inspect"],
)
def test_a_users_file_is_refused_then_replaced_with_overwrite(
    work: Path, run_dir: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.replace("{run}", str(run_dir)) for a in argv]
    before, names = tree(work), sorted(work.iterdir())
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "error: --out notes.csv: exists; give --overwrite to replace it\n"
    )
    assert tree(work) == before
    assert main([*argv, "--overwrite"]) == 0, capsys.readouterr().err
    assert "wrote" in capsys.readouterr().out
    written = load("notes.csv")
    if argv[0] == "simulate":
        assert len(written) == 6 * 8 and written.unit("M") == "emu"
        mean = exact_mean(written.values("T"), written.values("H"))
        assert np.allclose(written.values("M"), mean, atol=1e-6)
    else:
        assert {"T", "M"} <= set(written.columns)
    assert sorted(work.iterdir()) == names  # no temporary file left


def test_simulate_never_replaces_its_points_file_or_its_twins_files(
    work: Path, run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (work / "points.csv").write_text("T (K),H (T)\n20,1\n30,2\n")
    twin = tree(run_dir)
    for out, message in [
        ("points.csv", "error: --out points.csv: is the input points.csv; give another file"),
        (f"{run_dir}/new.parquet", "a twin's run folder (its files belong to it)"),
        (f"{run_dir}/members/new.csv", "a twin's run folder (its files belong to it)"),
    ]:
        before = tree(work)
        assert main(["simulate", str(run_dir), "-g", "points.csv", "-o", out, "--overwrite"]) == 2
        err = capsys.readouterr().err
        assert len(err.splitlines()) == 1 and message in err, err
        assert tree(work) == before and tree(run_dir) == twin
