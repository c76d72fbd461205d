"""A normal (non-editable) install ships registry.yaml and installs loaders/ as reanalyze.loaders."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from packaging_helpers import build_wheel, install_wheel

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_wheel(REPO, tmp_path_factory.mktemp("wheel"))
    assert path.name.startswith("reanalyze-")
    return path


def test_wheel_layout(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "reanalyze/registry.yaml" in names
    assert "reanalyze/loaders/quantum_design.py" in names
    assert "reanalyze/properties/__init__.py" in names
    assert "reanalyze/synthetic/__init__.py" in names
    top_level = {n.split("/")[0] for n in names}
    assert top_level == {
        "reanalyze",
        f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info",
    }
    shipped = zipfile.ZipFile(wheel).read("reanalyze/registry.yaml").decode()
    assert shipped == (REPO / "registry.yaml").read_text()


def test_installed_wheel_finds_its_registry(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    install_wheel(wheel, target)
    code = (
        "import reanalyze, reanalyze.loaders.delimited as d; "
        "from reanalyze.registry import load_registry, registry_path; "
        "print(reanalyze.__file__); print(d.__file__); print(registry_path()); "
        "print(len(load_registry().datasets))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tmp_path,
    )
    lines = result.stdout.splitlines()
    assert all(line.startswith(str(target)) for line in lines[:3]), lines
    assert not Path(lines[2]).is_symlink()
    assert int(lines[3]) >= 8
