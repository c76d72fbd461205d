"""The worked example of docs/writing-a-property-plugin.md: build it, install it, use it.

The example package (examples/curie-weiss-plugin) is installed with pip into a private
folder, so its entry point is found the way a user's installed plugin is, and then driven
through the command line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging_helpers import build_wheel, install_wheel

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "curie-weiss-plugin"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    wheel = build_wheel(EXAMPLE, build)
    assert wheel.name.startswith("reanalyze_curie_weiss-")
    install_wheel(wheel, target)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")])
    env["COLUMNS"] = "200"  # rich tables: no wrapping
    return env


def run(argv: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reanalyze", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_listed_as_an_installed_entry_point(installed: dict[str, str], tmp_path: Path) -> None:
    result = run(["property", "list"], installed, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "curie_weiss" in result.stdout
    assert "reanalyze-curie-weiss" in result.stdout  # origin: the distribution
    shown = run(["property", "show", "curie_weiss"], installed, tmp_path)
    assert "t_min" in shown.stdout and "Lowest temperature of the fit, K." in shown.stdout


def test_runs_through_the_cli_on_a_file(installed: dict[str, str], tmp_path: Path) -> None:
    data = tmp_path / "paramagnet.csv"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "from reanalyze_curie_weiss import CurieWeiss; import sys; "
            "CurieWeiss.example_table().to_csv(sys.argv[1])",
            str(data),
        ],
        env=installed,
        check=True,
    )
    out = tmp_path / "cw"
    result = run(
        ["property", "run", "curie_weiss", str(data), "--param", "t_min=60", "--out", str(out)],
        installed,
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())["summary"]
    # the example table is an exact Curie-Weiss paramagnet: θ = 20 K, µ_eff = 7 µB
    assert summary["theta_cw"]["value"] == pytest.approx(20.0, abs=1e-6)
    assert summary["theta_cw"]["unit"] == "K"
    assert summary["mu_eff"]["value"] == pytest.approx(7.0, rel=1e-6)
    assert (out / "figures" / "inverse_susceptibility.png").is_file()
    assert (out / "tables" / "inverse_susceptibility.csv").is_file()
    bad = run(
        [
            "property",
            "run",
            "curie_weiss",
            str(data),
            "-p",
            "t_min=400",
            "-o",
            str(tmp_path / "bad"),
        ],
        installed,
        tmp_path,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip().startswith("error: curie_weiss: fewer than 3 points")
    assert not (tmp_path / "bad").exists()


def test_the_example_s_own_tests_pass(installed: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            str(EXAMPLE / "tests"),
            "--rootdir",
            str(tmp_path),
        ],
        env=installed,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


def test_the_guide_shows_the_example_as_it_is() -> None:
    guide = (REPO / "docs" / "writing-a-property-plugin.md").read_text()
    for name in ("pyproject.toml", "src/reanalyze_curie_weiss/plugin.py", "tests/test_plugin.py"):
        assert (EXAMPLE / name).read_text().rstrip() in guide, f"docs out of date with {name}"
