"""``reanalyze demo`` end to end with a tiny budget: every stage runs, nothing needs a network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reanalyze.cli import main


def test_demo_runs_end_to_end_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo"
    argv = ["demo", "--out", str(out), "--trials", "2", "--max-epochs", "30"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
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
    for name in (
        "run/bundle.json",
        "run/training.parquet",
        "mlflow.db",
        "dense.parquet",
        "delta_s_m/summary.json",
        "plan/plan.json",
        "report/index.html",
    ):
        assert (out / name).is_file(), name
    plan = json.loads((out / "plan" / "plan.json").read_text())
    assert [r["step"] for r in plan["rows"]] == [1, 0.5, 0.2, 0.1, 0.05]
    assert all(r["hours"] > 0 for r in plan["rows"])
    assert plan["instrument"]["name"] == "mpms3"
    html = (out / "report" / "index.html").read_text()
    assert "Plans: step, cost and accuracy" in html and "data:image/png;base64," in html


def test_demo_rejects_an_unknown_case(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--case", "nope"]) == 2  # a misused option
    assert "--case must be one of synthetic, erco2" in capsys.readouterr().err
