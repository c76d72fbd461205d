"""``reanalyze property run`` on measured inputs: registry datasets and one file per field."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from reanalyze.cli import main
from reanalyze.load import load_dataset
from reanalyze.plugins import load_plugin


def summary_of(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_one_file_per_field_equals_the_combined_table(tmp_path: Path) -> None:
    table = load_dataset("synthetic_superconductor")
    fields = np.unique(table.values("H"))
    files = []
    for i, value in enumerate(fields):
        line = table.filter(table.values("H") == value).data[["T", "R"]]
        path = tmp_path / f"line_{i}.csv"
        line.rename(columns={"T": "Temperature (K)", "R": "Resistance (Ohm)"}).to_csv(
            path, index=False
        )
        files.append(str(path))
    values = [arg for v in fields for arg in ("--value", f"{v} Oe")]
    out = tmp_path / "hc2"
    argv = ["property", "run", "superconducting_transport", *files, "--slow-axis", "H", *values]
    assert main([*argv, "--out", str(out)]) == 0
    direct = load_plugin("reanalyze.properties", "superconducting_transport")().run(
        table, figures=False
    )
    got = summary_of(out)["summary"]
    for key in ("tc0", "hc2_0_gl", "width_0"):
        assert got[key]["value"] == pytest.approx(direct.summary[key].value, rel=1e-9)
    assert got["hc2_0_gl"]["unit"] == "T"
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["curves.png", "hc2.png"]


@pytest.mark.usefixtures("seeded_cache")
def test_paper_datasets_through_the_cli(tmp_path: Path) -> None:
    cases = {
        "magnetocaloric": ("erco2", "delta_s_max", "J/(kg*K)"),
        "superconducting_transport": ("pdh", "tc0", "K"),
        "arpes_map": ("lofbis2_arpes", "k_peak_mean", "1/angstrom"),
    }
    for plugin, (dataset, key, unit) in cases.items():
        out = tmp_path / plugin
        assert main(["property", "run", plugin, dataset, "--out", str(out)]) == 0
        info = summary_of(out)
        assert info["summary"][key]["unit"] == unit
        assert np.isfinite(info["summary"][key]["value"])
        assert info["input"] == dataset and info["members"] == 1
    # the paper's ErCo2: a first-order transition, peak between 33 and 40 K
    erco2 = summary_of(tmp_path / "magnetocaloric")["summary"]
    assert 33 < erco2["t_peak"]["value"] < 40
    assert erco2["banerjee_negative_isotherms"]["value"] > 0
