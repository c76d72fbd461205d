"""An interrupted ``train`` stops in one line, its folder says it is incomplete, and it resumes;
a second ``train`` into the same folder is refused while the first runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reanalyze.outputs import read_marker
from reanalyze.table import UnitTable

pytestmark = pytest.mark.slow

#: TensorFlow's C++ start-up lines, which reach stderr before Python can silence them
#: (issue 12 is about them); everything else on stderr is reanalyze's own.
TENSORFLOW_LOG = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} )")
TINY = ["--layers", "1:2", "--nodes", "4:8", "--max-epochs", "40", "--patience", "10"]


def _default_sigint() -> None:
    # a suite started in the background (``pytest &``) ignores SIGINT, and its children would
    # inherit that: give the command the disposition it has in a terminal
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def reanalyze(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-m", "reanalyze", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=_default_sigint,
        **kwargs,
    )


def wait_for_trials(run: Path, timeout: float = 120.0) -> None:
    """Until the study journal has a finished trial (the search is really running)."""
    journal = run / "study.journal"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if journal.is_file() and '"state":1' in journal.read_text(errors="replace"):
            return
        time.sleep(0.3)
    raise AssertionError("no trial finished in time")


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_interrupted_train_is_marked_incomplete_and_resumes(
    magnet_table: UnitTable, tmp_path: Path, how: str
) -> None:
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    run = tmp_path / "run"
    common = [str(data), "--out", str(run), "--workers", "1", "--no-mlflow", "-q", *TINY]
    first = reanalyze("train", *common, "--trials", "100000", start_new_session=True)
    wait_for_trials(run)
    if how == "ctrl-c":  # the terminal sends SIGINT to the whole foreground group
        os.killpg(first.pid, signal.SIGINT)
    else:
        first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=120)  # a loaded machine (two test processes) is slow
    assert first.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    lines = [line for line in err.strip().splitlines() if not TENSORFLOW_LOG.match(line)]
    assert lines[-1].startswith(f"interrupted: {run} is incomplete"), err
    assert "run the same command again to resume" in lines[-1]
    assert [line for line in lines[:-1] if not line.startswith("note: ")] == [], err
    marker = read_marker(run)
    assert marker is not None and marker.kind == "run" and not marker.complete
    if how == "sigterm":  # from here on the same path as Ctrl-C: checked once, below
        return
    grid = ["--grid", "T=20:50:1K H=1T:4T:1T", "--out", str(tmp_path / "sim.csv")]
    sim = reanalyze("simulate", str(run), *grid)
    _, err = sim.communicate(timeout=120)
    assert sim.returncode == 1 and err.count("\n") == 1
    assert "training did not finish" in err and not (tmp_path / "sim.csv").exists()
    # resuming: the same command with a budget it can reach; the finished trials are kept
    resumed = reanalyze("train", *common, "--trials", "3", "--ensemble", "1")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    marker = read_marker(run)
    assert marker is not None and marker.complete
    # a trial the interruption left running is not counted as a failure but said as such
    summary = json.loads((run / "bundle.json").read_text())["summary"]
    first_line = out.splitlines()[0]
    assert "failed" not in first_line, out
    rerun = summary["interrupted_trials"]
    assert (f"; {rerun} left running by an interruption were run again" in first_line) == (
        rerun > 0
    ), (rerun, out)
    sim = reanalyze("simulate", str(run), *grid)
    _, err = sim.communicate(timeout=120)
    assert sim.returncode == 0, err


def test_a_second_writer_is_refused_naming_the_first(
    magnet_table: UnitTable, tmp_path: Path
) -> None:
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    run = tmp_path / "run"
    common = [str(data), "--out", str(run), "--workers", "1", "--no-mlflow", "-q", *TINY]
    first = reanalyze("train", *common, "--trials", "100000")
    try:
        wait_for_trials(run)
        second = reanalyze("train", *common, "--trials", "2")
        _, err = second.communicate(timeout=120)
        lines = [line for line in err.strip().splitlines() if not TENSORFLOW_LOG.match(line)]
        assert second.returncode == 1 and lines[-1].startswith("error: "), err
        assert [line for line in lines[:-1] if not line.startswith("note: ")] == [], err
        assert f"another reanalyze process (PID {first.pid})" in lines[-1]
    finally:
        first.kill()  # SIGKILL: its worker processes must end with it
        first.communicate(timeout=30)


def test_any_interrupted_command_says_so_in_one_line(tmp_path: Path) -> None:
    """Ctrl-C during a command without its own interrupt message (here ``validate`` while its
    Gaussian processes fit, on a whole ~800-row scan) still says ``interrupted`` and exits
    with 130, writing nothing."""
    from reanalyze.synthetic import GENERATORS

    scan = GENERATORS["bean_rodbell_second_order"]().scan(seed=1)
    data = scan.to_csv(tmp_path / "magnet.csv")
    process = reanalyze("validate", str(data), "--x", "T", "--x", "H", "--y", "M", "--method",
                        "gp", "--out", str(tmp_path / "v"), "--no-mlflow", cwd=tmp_path)  # fmt: skip
    time.sleep(4.0)  # reading the data and fitting: the GP takes longer than this
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    lines = [x for x in err.splitlines() if x.strip() and not TENSORFLOW_LOG.match(x)]
    assert lines == ["interrupted"], err
    assert not (tmp_path / "v").exists()


def _server_started(group: int) -> bool:
    """Whether process group ``group`` holds the workers' server (Linux ``/proc``)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[2]) == group and b"multiprocessing.forkserver" in command:
            return True
    return False


def _group_ends(group: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_ctrl_c_while_the_workers_start_is_one_line_and_leaves_no_process(
    magnet_table: UnitTable, tmp_path: Path
) -> None:
    """Ctrl-C reaches the whole group, the workers' server too, while it starts and imports
    TensorFlow and while the first worker is forked: before, the server and a half-started
    worker printed tracebacks (``KeyboardInterrupt``, ``SemLock._rebuild …
    FileNotFoundError``) under the one line."""
    data = magnet_table.to_csv(tmp_path / "magnet.csv")
    run = tmp_path / "run"
    first = reanalyze("train", str(data), "--out", str(run), "--no-mlflow", "-q", *TINY,
                      start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while not _server_started(first.pid):
        assert time.monotonic() < deadline and first.poll() is None, first.communicate()
        time.sleep(0.05)
    os.killpg(first.pid, signal.SIGINT)  # the server is importing TensorFlow: seconds
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130, err
    lines = [line for line in err.strip().splitlines() if not TENSORFLOW_LOG.match(line)]
    assert [line for line in lines if not line.startswith("note: ")] == [
        f"interrupted: {run} is incomplete; run the same command again to resume (finished "
        "trials are kept)"
    ], err
    assert _group_ends(first.pid, timeout=60)  # the server and its workers end too
