"""The README's examples run as written, from a folder of the user's own, offline.

Every ``reanalyze …`` command of the README's ``bash`` blocks and every ``python`` block runs
in a fresh process, in README order, in a working folder beside which ``../shared/data`` holds
the paper's files (as in a clone next to the shared data), with the download cache seeded
from them. The folder holds what the README says are the user's own files: one Quantum Design
file per field (``MT_*.dat``), a WebPlotDigitizer export (``digitized.csv``) and a plain CSV
(``plain.csv``). Commands that train run with the small budget their documented options give
(:data:`CHEAP`); ``reanalyze ui`` is stopped with Ctrl-C once it has printed its URL. At the
end, everything the commands wrote in the folder is ignored by the project's ``.gitignore``,
so running the tour in a clone leaves ``git status`` clean. Every command's standard error holds
only reanalyze's own lines (:mod:`stderr_helpers`; this covers ``demo`` and ``validate`` for
``test_cli_stderr.py``, which does not run them a second time).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from server_helpers import first_line, interrupt, serving
from stderr_helpers import foreign_lines, unmuted_environ
from support import MAT_INTERP, REPO

README = REPO / "README.md"
#: Options appended to the commands that train, so the test stays small (each documented in
#: the command's --help).
CHEAP = {
    "train": [
        "--trials",
        "2",
        "--ensemble",
        "1",
        "--workers",
        "1",
        "--layers",
        "1:2",
        "--nodes",
        "8:16",
        "--max-epochs",
        "20",
        "--patience",
        "5",
    ],
    "validate": ["--folds", "2", "--method", "linear"],
    "demo": ["--trials", "2", "--max-epochs", "5"],
}


def code_blocks(text: str) -> list[tuple[str, str]]:
    """``(language, code)`` of every fenced block of a Markdown text."""
    return re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def reanalyze_commands(block: str) -> list[list[str]]:
    """The ``reanalyze`` commands of a shell block (continued lines joined, comments and the
    other commands of ``a && b`` lines left out)."""
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        for segment in line.split("&&"):
            words = shlex.split(segment, comments=True)
            if words[:1] == ["reanalyze"]:
                commands.append(words)
    return commands


def test_the_parser_finds_the_commands() -> None:
    block = 'pip install -e . && reanalyze demo\n# a comment\nreanalyze data inspect "a b.csv" \\\n  --out x.parquet   # why\n'
    assert reanalyze_commands(block) == [
        ["reanalyze", "demo"],
        ["reanalyze", "data", "inspect", "a b.csv", "--out", "x.parquet"],
    ]


def check_demo(out: Path, printed: str) -> None:
    """Every stage of ``reanalyze demo`` ran offline and wrote what it says, into ``out``."""
    for text in (
        "recommended field step",
        "|ΔS_M|max (µ0ΔH = 5 T) = ",  # the grid ends at the top field: one field change
        "exact |ΔS_M|max (µ0ΔH = 5 T) = ",
        "report:",
        "MLflow store:",
        "time:",
    ):
        assert text in printed, text
    summary = json.loads((out / "delta_s_m" / "summary.json").read_text())["summary"]
    assert summary["delta_h"]["value"] == pytest.approx(5.0)
    assert "µ0ΔH = 5 T (0 → 5 T)" in summary["delta_s_max"]["description"]
    assert summary["delta_h"]["description"] == "largest field change, 0 → 5 T"
    for name in ("run/bundle.json", "run/training.parquet", "mlflow.db", "dense.parquet",
                 "plan/plan.json", "report/index.html"):  # fmt: skip
        assert (out / name).is_file(), name
    plan = json.loads((out / "plan" / "plan.json").read_text())
    assert [r["step"] for r in plan["rows"]] == [1, 0.5, 0.2, 0.1, 0.05]
    assert all(r["hours"] > 0 for r in plan["rows"])
    assert plan["instrument"]["name"] == "mpms3"
    html = (out / "report" / "index.html").read_text()
    assert "Plans: step, cost and accuracy" in html and "data:image/png;base64," in html


#: The standard deviation of the field readback around its set point in the files written
#: below: an MPMS3 writes the magnet's readback, which wanders by a fraction of an oersted.
READBACK_JITTER_OE = 0.2


def write_quantum_design_files(folder: Path, seed: int = 0) -> list[Path]:
    """The synthetic ErCo2-like magnet's scan as an MPMS3 would write it: one file per field,
    named for its set point, with the field's readback scattering around it."""
    from reanalyze.synthetic import GENERATORS

    scan = GENERATORS["bean_rodbell_first_order"]().scan(seed=0)
    t, h, m = scan.values("T"), scan.values("H"), scan.values("M")
    readback = h + np.random.default_rng(seed).normal(0.0, READBACK_JITTER_OE, h.size)
    columns = ["Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
               "Moment (emu)", "M. Std. Err. (emu)"]  # fmt: skip
    paths = []
    for field in np.unique(h):
        rows = np.flatnonzero(h == field)
        lines = [
            "[Header]", "; Quantum Design MPMS3 Data File", "BYAPP, MPMS3, 1.1.6 Build 42",
            "INFO,ErCo2-like,SAMPLE_MATERIAL", "INFO,0.61,SAMPLE_MASS", "[Data]",
            ",".join(columns),
            *(f",{1000.0 + i:.1f},{t[i]:.17g},{readback[i]:.17g},{m[i]:.17g},1e-7"
              for i in rows),
        ]  # fmt: skip
        path = folder / f"MT_{int(field)}Oe.dat"
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
        paths.append(path)
    return paths


def write_user_files(folder: Path) -> set[str]:
    """The files the README's commands take as the user's own; returns their names."""
    names = {p.name for p in write_quantum_design_files(folder)}
    temperatures = np.linspace(10.0, 60.0, 11)
    digitized = ["1 T,,2 T,", "X,Y,X,Y"] + [
        f"{t:g},{40 / (1 + np.exp((t - 35) / 4)):.4f},{t:g},{60 / (1 + np.exp((t - 37) / 4)):.4f}"
        for t in temperatures
    ]
    (folder / "digitized.csv").write_text("\n".join(digitized) + "\n")
    plain = ["X1,X2,Y"] + [f"{t:g},{h:g},{0.01 * t + 1e-6 * h:.6g}" for h in (1e4, 2e4)
                           for t in temperatures]  # fmt: skip
    (folder / "plain.csv").write_text("\n".join(plain) + "\n")
    return names | {"digitized.csv", "plain.csv"}


def run_server(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[int, str, str]:
    """Start ``reanalyze ui``, wait for its URL, stop it with Ctrl-C."""
    assert command[0] == "reanalyze", command
    with serving(command[1:], cwd=cwd, env=env) as process:
        first = first_line(process)
        out, err = interrupt(process)
    return process.returncode, first + out, err


@pytest.mark.slow
def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    if not MAT_INTERP.is_dir():
        pytest.skip(f"{MAT_INTERP} not present (CI provides it)")
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(MAT_INTERP.parent, target_is_directory=True)
    cache = tmp_path / "cache"
    cache.mkdir()
    for file in MAT_INTERP.glob("*.csv"):
        shutil.copyfile(file, cache / file.name)
    env = unmuted_environ()
    # as narrow as test_cli_stderr's terminal, whose demo and validate checks this one took over
    env.update(REANALYZE_CACHE_DIR=str(cache), COLUMNS="80")
    env.pop("MLFLOW_TRACKING_URI", None)
    users = write_user_files(work)

    ran = []
    printed: dict[str, str] = {}  # what each command printed on standard output, by name
    for language, code in code_blocks(README.read_text(encoding="utf-8")):
        if language == "python":
            result = subprocess.run([sys.executable, "-c", code], cwd=work, env=env,
                                    capture_output=True, text=True, timeout=900)  # fmt: skip
            assert result.returncode == 0, f"{code}\n{result.stderr}"
            ran.append("python")
            continue
        if language != "bash":
            continue
        for words in reanalyze_commands(code):
            name = words[1]
            argv = ["reanalyze", *words[1:], *CHEAP.get(name, [])]
            if name == "ui":
                status, out, err = run_server(argv, work, env)
                assert status == 130, err
                assert "http://127.0.0.1:" in out, out
                assert foreign_lines(err) == [], err
            else:
                result = subprocess.run([sys.executable, "-m", *argv], cwd=work, env=env,
                                        capture_output=True, text=True, timeout=900)  # fmt: skip
                assert result.returncode == 0, f"{shlex.join(words)}\n{result.stderr}"
                assert result.stdout.strip(), shlex.join(words)
                assert foreign_lines(result.stderr) == [], f"{shlex.join(words)}\n{result.stderr}"
                printed.setdefault(name, result.stdout)
            ran.append(" ".join(words[:3]))
    assert "python" in ran and "reanalyze demo" in ran and "reanalyze ui" in ran, ran
    assert any(r.startswith("reanalyze validate") for r in ran), ran
    check_demo(work / "reanalyze-demo", printed["demo"])

    # what the tour wrote in the folder is ignored in a clone (git status stays clean)
    written = sorted(p.name + ("/" if p.is_dir() else "") for p in work.iterdir()
                     if p.name not in users)  # fmt: skip
    assert written, "the commands wrote nothing"
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("no git to check the ignore rules with")
    check = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", *written],
                           capture_output=True, text=True)  # fmt: skip
    ignored = set(check.stdout.split())
    assert [w for w in written if w not in ignored] == [], written
