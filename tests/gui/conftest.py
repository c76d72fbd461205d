"""The GUI's tests: a working folder per test, the GUI configured through the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("streamlit", reason="streamlit is not installed (pip install -e '.[gui]')")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working folder the GUI's pages use (as ``reanalyze gui --workdir`` sets it)."""
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.setenv("REANALYZE_GUI_WORKDIR", str(folder))
    monkeypatch.delenv("REANALYZE_GUI_MAX_UPLOAD_MB", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return folder


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder trained by the GUI's job code (2 tiny trials, 1 member) on a small scan."""
    import time

    from gui_helpers import scan_csv

    from reanalyze.gui import jobs
    from reanalyze.load import load

    root = tmp_path_factory.mktemp("trained")
    csv = root / "scan.csv"
    csv.write_bytes(scan_csv((100.0, 10000.0, 20000.0, 35000.0, 50000.0), 2.0))
    table = root / "scan.parquet"
    load(str(csv)).to_parquet(table)
    spec = jobs.JobSpec(
        run="trained", table=str(table), features=["T", "H"], target="M", n_trials=2,
        workers=1, ensemble=1, overrides={"layers": "1:2", "nodes": "8:16", "max_epochs": 60},
    )  # fmt: skip
    jobs.start_job(root / "jobs", root / "runs", spec)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = jobs.job_status(root / "jobs", "trained")
        if job is not None and job.state not in jobs.RUNNING:
            break
        time.sleep(1.0)
    assert job is not None and job.state == "finished", job
    return root / "runs" / "trained"
