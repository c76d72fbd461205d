"""The command line: real commands, one-line errors, non-zero exits, nothing half-written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reanalyze.cli import main


def run(*args: str, env_cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if env_cache is not None:
        env["REANALYZE_CACHE_DIR"] = str(env_cache)
    return subprocess.run(
        [sys.executable, "-m", "reanalyze", *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode == 1, result
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_fetch_from_seeded_cache_offline(seeded_cache: Path) -> None:
    result = run("data", "fetch", "erco2", env_cache=seeded_cache)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(seeded_cache / "traindata_Section3_1.csv")
    verify = run("data", "verify", env_cache=seeded_cache)
    assert verify.returncode == 0 and verify.stdout.count(" ok ") == 4


def test_offline_with_empty_cache(tmp_path: Path) -> None:
    result = run("data", "fetch", "fe3ga4", env_cache=tmp_path)
    assert_one_line_error(result, "traindata_Section3_2.csv is not in the cache", str(tmp_path))


def test_corrupted_cache_is_reported(seeded_cache: Path) -> None:
    (seeded_cache / "traindata_Section3_3.csv").write_text("T,R\n1,2\n")
    assert_one_line_error(
        run("data", "fetch", "pdh", env_cache=seeded_cache), "sha256 is", "--refresh"
    )
    verify = run("data", "verify", env_cache=seeded_cache)
    assert verify.returncode == 1 and "CHECKSUM MISMATCH" in verify.stdout


def test_seed_command(tmp_path: Path, mat_interp: Path) -> None:
    result = run("data", "seed", str(mat_interp), env_cache=tmp_path / "c")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == sorted(
        p.name for p in mat_interp.glob("*.csv")
    )


def test_inspect_reports_columns_units_and_notes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mt.csv"
    path.write_text(
        "Temperature (K),Magnetic Field (Oe),Moment (emu)\n10,100,1e-3\n11,100,nan\n12,100,2e-3\n"
    )
    assert main(["data", "inspect", str(path), "--out", str(tmp_path / "t.parquet")]) == 0
    text = capsys.readouterr().out
    assert "magnetic_field" in text and "Oe" in text and "rows: 2" in text
    assert "dropped 1 row(s) with NaN/inf" in text
    assert (tmp_path / "t.parquet").is_file()
    assert main(["data", "inspect", str(path), "--nonfinite", "error"]) == 1
    assert "1 row(s) with NaN/inf" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["data", "inspect", "missing.csv"], "missing.csv: no such file"),
        (["data", "show", "nope"], "unknown dataset 'nope'"),
        (["data", "inspect", "{tmp}/d.csv", "--units", "H"], "--units expects NAME=VALUE"),
        (["data", "inspect", "{tmp}/d.csv", "--units", "H=parsecs_per_fortnight"], "--units H="),
        (["data", "inspect", "{tmp}/d.csv", "--loader", "nope"], "unknown loader 'nope'"),
        (["data", "inspect", "{tmp}/d.csv", "--out", "{tmp}/out.xlsx"], "use a .csv or .parquet"),
        (["registry", "validate", "{tmp}/bad.yaml"], "datasets.x.source"),
    ],
)
def test_bad_input_gives_one_line_and_exit_1_or_2(
    tmp_path: Path, args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "d.csv").write_text("T (K),H (Oe)\n1,2\n")
    (tmp_path / "bad.yaml").write_text(
        "version: 1\ndatasets:\n  x: {title: t, source: {kind: remote}}\n"
    )
    status = main([a.replace("{tmp}", str(tmp_path)) for a in args])
    err = capsys.readouterr().err
    misused = any(f in fragment for f in ("NAME=VALUE", "use a .csv", "unknown loader", "--units"))
    assert status == (2 if misused else 1)  # a misused option, or bad data
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert fragment in err
    assert not (tmp_path / "out.xlsx").exists()


def test_registry_schema_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["registry", "schema", "--out", str(tmp_path / "schema.json")]) == 0
    schema = json.loads((tmp_path / "schema.json").read_text())
    assert "datasets" in schema["properties"]
    assert main(["registry", "validate"]) == 0
    assert "valid (8 datasets" in capsys.readouterr().out


def test_usage_error_exits_2() -> None:
    result = run("data", "fetch")
    assert result.returncode == 2
    assert "Missing argument" in result.stderr


def test_synth_writes_a_scan_that_matches_its_truth(tmp_path: Path) -> None:
    from reanalyze.load import load
    from reanalyze.synthetic import GENERATORS

    out = tmp_path / "magnet.parquet"
    assert main(["data", "synth", "synthetic_magnet", "--out", str(out), "--seed", "4"]) == 0
    table = load(out)
    generator = GENERATORS["bean_rodbell_first_order"]()
    residual = table.values("M") - generator.truth_table(table)
    relative = residual / generator.truth_table(table)
    assert 0 < np.std(relative) < 0.01  # noisy, but only by the generator's small noise
    assert main(["data", "synth", "synthetic_magnet", "--out", str(tmp_path / "m.xlsx")]) == 2
    assert not (tmp_path / "m.xlsx").exists()


def test_the_browser_skip_names_exactly_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the driver missing: the skip reason names chromedriver, not chromium."""
    from support import browser_missing

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    chromium = bin_dir / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    reason = browser_missing() or ""
    assert "chromedriver" in reason and "chromium (" not in reason, reason
    driver = bin_dir / "chromedriver"
    driver.write_text("#!/bin/sh\n")
    driver.chmod(0o755)
    chromium.unlink()
    reason = browser_missing() or ""
    assert reason.startswith("not installed: chromium (") and "chromedriver" not in reason
