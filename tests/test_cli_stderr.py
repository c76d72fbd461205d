"""Every command prints only reanalyze's own lines on standard error.

Each command and subcommand of ``reanalyze --help`` runs in a fresh process (TensorFlow's
C++ start-up lines, absl, oneDNN, MLflow, SQLAlchemy, Optuna and Python warnings are written
once per process, so only a fresh one shows them) on a narrow, non-interactive terminal
(``COLUMNS=80``), with cheap valid arguments: a thinned synthetic scan, one tiny twin trained
once for the module by ``reanalyze train`` itself, the paper's files from a seeded cache.
Standard error may hold progress bars and their lines, ``note:``/``warning:``/``error:`` lines
and nothing else; ``--verbose`` (or ``REANALYZE_VERBOSE=1``) lets the libraries' lines through.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from stderr_helpers import foreign_lines, quiet_env
from support import MAT_INTERP

from reanalyze.table import UnitTable

TINY = ["--trials", "2", "--ensemble", "1", "--workers", "1", "--layers", "1:1", "--nodes",
        "8:12", "--batch-size", "32", "--max-epochs", "15", "--patience", "5"]  # fmt: skip
GRID = "T=10:60:1K H=100:50000Oe:2500Oe"


@dataclass
class Workspace:
    """The working folder of the commands, and what the train fixture printed."""

    root: Path
    env: dict[str, str]
    train: subprocess.CompletedProcess[str]
    study: str


def reanalyze(
    ws: Workspace | Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``python -m reanalyze ARGS`` in a fresh process in the working folder, output captured
    (so no terminal: rich draws what a pipe gets)."""
    root = ws.root if isinstance(ws, Workspace) else ws
    environment = env if env is not None else ws.env  # type: ignore[union-attr]
    return subprocess.run(
        [sys.executable, "-m", "reanalyze", *args],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=environment,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, magnet_table: UnitTable) -> Workspace:
    """A working folder with a thinned scan, a seeded cache and a tiny twin in ``run``."""
    root = tmp_path_factory.mktemp("stderr")
    cache = root.parent / f"{root.name}-cache"
    cache.mkdir()
    if MAT_INTERP.is_dir():
        for file in MAT_INTERP.glob("*.csv"):
            shutil.copyfile(file, cache / file.name)
    magnet_table.to_csv(root / "mag.csv")
    env = quiet_env(root, cache)
    train = reanalyze(root, "train", "mag.csv", "--x", "T", "--x", "H", "--y", "M", "--out",
                      "run", "--storage", "study.journal", *TINY, env=env)  # fmt: skip
    assert train.returncode == 0, train.stderr
    study = json.loads((root / "run" / "bundle.json").read_text())["summary"]["study_name"]
    (root / "empty-cache").mkdir()
    return Workspace(root, env, train, study)


def needs_paper_data() -> None:
    if not MAT_INTERP.is_dir():
        pytest.skip(f"{MAT_INTERP} not present (CI provides it)")


#: Every command of ``reanalyze --help``: its arguments in the workspace (``run``: the twin).
CASES: dict[str, Callable[[Workspace], list[str]]] = {
    "data list": lambda ws: ["data", "list"],
    "data show": lambda ws: ["data", "show", "erco2"],
    "data fetch": lambda ws: ["data", "fetch", "erco2"],
    "data verify": lambda ws: ["data", "verify"],
    "data seed": lambda ws: ["data", "seed", str(MAT_INTERP)],
    "data inspect": lambda ws: ["data", "inspect", "mag.csv", "--out", "inspected.parquet"],
    "data synth": lambda ws: ["data", "synth", "synthetic_magnet", "--out", "synth.csv"],
    "data loaders": lambda ws: ["data", "loaders"],
    "registry validate": lambda ws: ["registry", "validate"],
    "registry schema": lambda ws: ["registry", "schema", "--out", "schema.json"],
    "instrument list": lambda ws: ["instrument", "list"],
    "instrument show": lambda ws: ["instrument", "show", "mpms3"],
    "property list": lambda ws: ["property", "list"],
    "property show": lambda ws: ["property", "show", "magnetocaloric"],
    "property run": lambda ws: [
        "property",
        "run",
        "magnetocaloric",
        "run",
        "--grid",
        GRID,
        "--out",
        "ds",
    ],
    "simulate": lambda ws: ["simulate", "run", "--grid", GRID, "--out", "dense.parquet"],
    "plan": lambda ws: [
        "plan",
        "run",
        "--property",
        "magnetocaloric",
        "--axis",
        "H",
        "--steps",
        "1T,0.5T",
        "--instrument",
        "mpms3",
        "--out",
        "plan",
    ],
    "worker": lambda ws: ["worker", ws.study, "--storage", "study.journal"],
}
#: Cases that need the one before them (they read what it wrote).
AFTER = {"report": ("plan", "property run")}
#: Commands whose standard error test_readme.py checks as it runs the README's tour (the
#: same cheap options: ``validate --folds 2 --method linear``, ``demo --trials 2
#: --max-epochs 5``), so they are not run a second time here.
IN_README = ("validate", "demo")
PAPER = {"data show", "data fetch", "data verify", "data seed"}


def test_the_cases_cover_every_command() -> None:
    import typer

    from reanalyze.cli import app

    def commands(group: object, prefix: str = "") -> list[str]:
        names = []
        for name, command in group.commands.items():  # type: ignore[attr-defined]
            if hasattr(command, "commands"):
                names += commands(command, f"{prefix}{name} ")
            else:
                names.append(f"{prefix}{name}")
        return names

    covered = {*CASES, "train", "report", *SERVERS, *IN_README}
    assert sorted(commands(typer.main.get_command(app))) == sorted(covered)


def test_train_prints_only_its_own_lines(ws: Workspace) -> None:
    assert foreign_lines(ws.train.stderr) == [], ws.train.stderr
    text = ws.train.stdout
    assert "2 trials in" in text and "trained to the end" in text and "stopped early" in text
    assert "best network:" in text and "reanalyze validate run" in text


_RAN: dict[str, subprocess.CompletedProcess[str]] = {}


def run_case(ws: Workspace, name: str) -> subprocess.CompletedProcess[str]:
    """The command of case ``name``, run once per module (later tests read its output)."""
    if name not in _RAN:
        if name in PAPER:
            needs_paper_data()
        env = ws.env
        if name == "data seed":  # into an empty cache, so there is something to copy
            env = {**ws.env, "REANALYZE_CACHE_DIR": str(ws.root / "empty-cache")}
        _RAN[name] = reanalyze(ws, *CASES[name](ws), env=env)
    return _RAN[name]


@pytest.mark.parametrize("name", list(CASES))
def test_command_prints_only_its_own_lines(ws: Workspace, name: str) -> None:
    result = run_case(ws, name)
    assert result.returncode == 0, result.stderr
    assert foreign_lines(result.stderr) == [], result.stderr
    assert result.stdout.strip(), "the command printed nothing"


def test_report_prints_only_its_own_lines(ws: Workspace) -> None:
    for name in AFTER["report"]:
        assert run_case(ws, name).returncode == 0
    result = reanalyze(ws, "report", "run", "--plan", "plan", "--property", "ds")
    assert result.returncode == 0, result.stderr
    assert foreign_lines(result.stderr) == [], result.stderr
    assert "1. Dataset and search" in result.stderr.splitlines()  # the sections, in turn
    # -q: no sections; what became of the MLflow logging is still said (here: no such store)
    store = f"sqlite:///{ws.root / 'nowhere.db'}"
    quiet = reanalyze(ws, "report", "run", "-q", "--out", "quiet/index.html",
                      "--tracking-uri", store)  # fmt: skip
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.splitlines() == ["wrote quiet/index.html"], quiet.stdout
    assert quiet.stderr.splitlines() == [f"MLflow store {store} not found; report not logged"]


def test_a_bad_download_is_one_whole_line(ws: Workspace) -> None:
    """Offline and not cached: one error line, the URL whole (no wrapping at 80 columns)."""
    from reanalyze.registry import load_registry

    url = load_registry().dataset("erco2").source.url  # type: ignore[union-attr]
    env = {**ws.env, "REANALYZE_CACHE_DIR": str(ws.root / "offline-cache")}
    result = reanalyze(ws, "train", "erco2", "--out", "runs/erco2", env=env)
    if result.returncode == 0:  # pragma: no cover - a machine with a network
        pytest.skip("the download worked: this machine has a network")
    assert result.returncode == 1
    assert foreign_lines(result.stderr) == [], result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert f" {url} " in lines[0] and "reanalyze data seed FOLDER" in lines[0]


#: Commands that serve until Ctrl-C.
SERVERS = ("ui", "gui")


@pytest.mark.slow
@pytest.mark.parametrize("command", SERVERS)
def test_servers_print_only_their_own_lines(ws: Workspace, command: str) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "reanalyze", command, "--port", str(port)],
        cwd=ws.root, env=ws.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the URL, once the server answers
        assert f"127.0.0.1:{port}" in first, first
        time.sleep(1.0)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert foreign_lines(err) == [], err


@pytest.mark.parametrize("how", ["--verbose", "REANALYZE_VERBOSE=1"])
def test_verbose_lets_the_libraries_speak(ws: Workspace, how: str) -> None:
    env = dict(ws.env)
    args = ["worker", ws.study, "--storage", "study.journal"]  # a command importing TensorFlow
    if how == "--verbose":
        args.insert(0, how)
    else:
        env["REANALYZE_VERBOSE"] = "1"
    result = reanalyze(ws, *args, env=env)
    assert result.returncode == 0, result.stderr
    assert foreign_lines(result.stderr), result.stderr  # TensorFlow's start-up lines


# ----------------------------------------------------------------- what the tables show at 80
def test_names_a_user_types_are_never_cut(ws: Workspace) -> None:
    """At 80 columns (and at 40) every dataset, plugin and instrument name appears whole,
    and no cell or header ends in an ellipsis."""
    from reanalyze.instruments import load_instruments
    from reanalyze.plugins import list_plugins
    from reanalyze.registry import load_registry

    names = {
        ("data", "list"): list(load_registry().datasets),
        ("property", "list"): list(list_plugins("reanalyze.properties")),
        ("instrument", "list"): list(load_instruments()),
        ("data", "loaders"): list(list_plugins("reanalyze.loaders")),
    }
    for columns in ("80", "40"):
        for args, expected in names.items():
            result = reanalyze(ws, *args, env={**ws.env, "COLUMNS": columns})
            assert result.returncode == 0, result.stderr
            words = set(re.findall(r"[\w.-]+", result.stdout))
            assert set(expected) <= words, (args, columns, result.stdout)
            assert "…" not in result.stdout, result.stdout
    assert "synthetic_magnet_second_order" in run_case(ws, "data list").stdout
    # the kinds of a dataset's columns, which --kind takes, are names too
    shown = reanalyze(ws, "data", "show", "erco2", env={**ws.env, "COLUMNS": "80"})
    assert shown.returncode == 0, shown.stderr
    assert {"temperature", "magnetic_field", "magnetic_moment"} <= set(
        re.findall(r"[\w.-]+", shown.stdout)
    ), shown.stdout


def test_plan_headers_are_whole_with_conventional_units(ws: Workspace) -> None:
    result = run_case(ws, "plan")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "…" not in text
    header = " ".join(line.strip("┃ ") for line in text.splitlines() if "┃" in line)
    for word in ("spread", "(J", "kg⁻¹", "K⁻¹)", "step", "(T)", "max.", "peak", "centre", "(K)"):
        assert word in header.split(), (word, text)
    assert "J/(kg" not in text


def test_property_run_prints_a_headline_and_says_where_the_rest_is(ws: Workspace) -> None:
    """magnetocaloric on 20 field changes: at most 20 lines, the largest field change, a few
    representative ones, conventional units, and the last line names the folder."""
    result = run_case(ws, "property run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.rstrip("\n").splitlines()
    assert len(lines) <= 20, result.stdout
    summary = json.loads((ws.root / "ds" / "summary.json").read_text())["summary"]
    largest = summary["delta_h"]["value"]
    assert lines[0].startswith(f"{largest:.4g}T: |ΔS_M|max for µ0ΔH = {largest:.4g} T (")
    header = next(line for line in lines if line.startswith("quantity") and "unit" in line)
    variants = header.split()[3:]
    assert 1 <= len(variants) <= 3 and all(f"delta_s_max_{v}" in summary for v in variants)
    assert "J kg⁻¹ K⁻¹" in result.stdout and "J/(kg*K)" not in result.stdout
    more = len(summary) - 7 * (1 + len(variants)) - 3
    assert lines[-1] == f"wrote ds: summary.json ({more} more numbers), tables (CSV), figures (PNG)"
    assert "note: " in result.stderr and "note: " not in result.stdout
