"""Output folders: nothing reanalyze did not write is ever deleted, nothing partial is complete.

The rules of :mod:`reanalyze.outputs` on real folders, then a fault test: writers killed with
SIGKILL at random moments, after which the previous output (and the user's files) must be
intact and a partial output must be refused by its reader.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from reanalyze.errors import DataError, OptionError
from reanalyze.outputs import (
    MARKER,
    check_complete,
    folder_lock,
    output_action,
    publish_folder,
    read_marker,
)


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def write(target: Path, kind: str, files: dict[str, str], **options: object) -> None:
    action = output_action(target, kind, **options)  # type: ignore[arg-type]
    with publish_folder(target, kind, action) as tmp:
        for name, text in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(text)


def test_refuses_the_current_folder_its_parents_inputs_and_run_folders(tmp_path: Path) -> None:
    here = tmp_path / "work"
    data = here / "data"
    data.mkdir(parents=True)
    (data / "scan.csv").write_text("T (K),M (emu)\n1,2\n")
    run = tmp_path / "run"
    run.mkdir()
    (run / "bundle.json").write_text("{}")
    cases = [
        (here, {}, "is the current folder"),
        (tmp_path, {}, "is a parent of the current folder"),
        (data, {"inputs": [data / "scan.csv"]}, "is or holds the input"),
        (data / "scan.csv", {"inputs": [data / "scan.csv"]}, "is or holds the input"),
        (run, {}, "is a twin's run folder"),
        (here / "data" / "scan.csv", {}, "exists and is not a folder"),
    ]
    for target, options, message in cases:
        for overwrite in (False, True):  # --overwrite never allows these
            with pytest.raises(OptionError, match=message):
                output_action(target, "plan", cwd=here, overwrite=overwrite, **options)  # type: ignore[arg-type]


def test_a_users_folder_is_refused_then_only_added_to(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "figures").mkdir(parents=True)
    (mine / "figures" / "my-plot.png").write_bytes(b"user")
    (mine / "notes.txt").write_text("keep")
    before = tree(mine)
    with pytest.raises(OptionError, match="not empty and not written by reanalyze report"):
        write(mine, "report", {"index.html": "new"})
    assert tree(mine) == before
    write(mine, "report", {"index.html": "v1", "figures/a.png": "a"}, overwrite=True)
    after = tree(mine)
    assert after["notes.txt"] == b"keep" and after["figures/my-plot.png"] == b"user"
    assert after["index.html"] == b"v1" and after["figures/a.png"] == b"a"
    # now it holds a report: the next one replaces the report's files, and only those
    write(mine, "report", {"index.html": "v2", "figures/b.png": "b"})
    after = tree(mine)
    assert after["index.html"] == b"v2" and after["figures/b.png"] == b"b"
    assert "figures/a.png" not in after  # reanalyze wrote it, the new report has no such file
    assert after["notes.txt"] == b"keep" and after["figures/my-plot.png"] == b"user"
    marker = read_marker(mine)
    assert marker is not None and marker.complete and marker.kind == "report"
    assert marker.files == ["figures/b.png", "index.html"]
    # another command's folder is not this one's
    with pytest.raises(OptionError, match=r"written by reanalyze report"):
        write(mine, "plan", {"plan.json": "{}"})


def test_a_new_folder_appears_whole_and_an_error_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "new"

    def fail_while_writing() -> None:
        with publish_folder(out, "plan", "create") as tmp:
            (tmp / "plan.json").write_text("{}")
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        fail_while_writing()
    assert not out.exists() and list(tmp_path.iterdir()) == []
    write(out, "plan", {"plan.json": "{}", "tables/plan.csv": "x"})
    assert set(tree(out)) == {"plan.json", "tables/plan.csv", MARKER}


def test_an_incomplete_output_is_refused_by_its_reader(tmp_path: Path) -> None:
    from reanalyze.outputs import OutputMarker, write_marker
    from reanalyze.planning.plan_file import read_plan
    from reanalyze.properties.results import read_property

    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "summary.json").write_text(json.dumps({"summary": {}}))
    read_property(folder)
    write_marker(folder, OutputMarker(kind="property", complete=False))
    with pytest.raises(DataError, match="incomplete property result"):
        read_property(folder)
    with pytest.raises(DataError, match="incomplete plan"):
        read_plan(folder)
    with pytest.raises(DataError, match="incomplete"):
        check_complete(folder, "thing")


def test_a_locked_folder_names_its_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from reanalyze.outputs import folder_lock\n"
            f"with folder_lock({str(tmp_path)!r}, 'run folder'):\n"
            "    print('locked', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        message = rf"another reanalyze process \(PID {holder.pid}\)"
        with pytest.raises(DataError, match=message), folder_lock(tmp_path, "run folder"):
            pass
    finally:
        holder.kill()
        holder.wait()
    with folder_lock(tmp_path, "run folder"):  # the lock dies with its holder: never stale
        pass


# ------------------------------------------------------------------ fault test
#: Writers that save the same kind of output over and over, printing a line after each.
WRITERS = {
    "property": """
        from reanalyze.plugins import load_plugin

        cls = load_plugin("reanalyze.properties", "magnetocaloric")
        plugin = cls()
        result = plugin.run(cls.example_table(), plugin.Params())
        for i in range(10_000):
            result.save(out, plugin="magnetocaloric", extra={"input": f"save {i}"},
                        overwrite=True)
            print(i, flush=True)
        """,
    "validation": """
        from reanalyze.synthetic import GENERATORS
        from reanalyze.twin.data import TrainingData
        from reanalyze.validation import validate_data
        from reanalyze.validation.write import write_validation

        table = GENERATORS["bean_rodbell_second_order"]().scan(seed=1)
        data = TrainingData.from_table(table, ["T", "H"], "M")
        result, predictions = validate_data(data, methods=("linear", "pchip"))
        for i in range(10_000):
            write_validation(out, result, predictions, overwrite=True)
            print(i, flush=True)
        """,
}


def check_property(out: Path, marker_files: list[str]) -> None:
    from reanalyze.properties.results import read_property

    info = read_property(out)  # parses: summary.json is whole
    assert info.property == "magnetocaloric" and info.input.startswith("save ")


def check_validation(out: Path, marker_files: list[str]) -> None:
    from reanalyze.validation.result import Validation

    result = Validation.read(out)
    pngs = [name for name in marker_files if name.endswith(".png")]
    assert len(pngs) == sum(len(fold) for fold in result.folds)


def refused(out: Path, kind: str) -> None:
    from reanalyze.properties.results import read_property
    from reanalyze.validation.result import Validation

    with pytest.raises(DataError, match="incomplete"):
        read_property(out) if kind == "property" else Validation.read(out)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_writers_killed_at_random_points_leave_no_partial_output(tmp_path: Path, kind: str) -> None:
    """SIGKILL a writer mid-save: the user's files survive, and the folder is either a
    complete, consistent output or refused as incomplete by its reader — never a partial one
    taken for complete."""
    out = tmp_path / "result"
    out.mkdir()
    (out / "notes.txt").write_text("my notes")
    code = f"from pathlib import Path\nout = Path({str(out)!r})\n" + textwrap.dedent(WRITERS[kind])
    rng = random.Random(20261201)
    outcomes = {"complete": 0, "refused": 0}
    for _ in range(5):
        writer = subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert writer.stdout is not None
        assert writer.stdout.readline()  # one save done: the folder is an output from now on
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
        assert (out / "notes.txt").read_text() == "my notes"
        marker = read_marker(out)
        assert marker is not None and marker.kind == kind
        if marker.complete:
            for name in marker.files:
                assert (out / name).is_file(), name
            (check_property if kind == "property" else check_validation)(out, marker.files)
            outcomes["complete"] += 1
        else:
            refused(out, kind)
            outcomes["refused"] += 1
        # leftovers of a killed writer are only its hidden temporary folders
        assert all(p.name.startswith(".") for p in tmp_path.iterdir() if p != out)
    assert sum(outcomes.values()) == 5
