"""The ErCo2 walkthrough (docs/notebooks/erco2-walkthrough.py), executed on a real kernel.

The slow test runs the notebook with the small budget through ``docs/notebooks/render.py``'s
own :func:`execute` (the code path that renders the copy in docs/), fails on any cell error,
and checks what the executed notebook computed and wrote: ΔS_M of ErCo2 within physical
bounds, a recommended field step that is one of the candidates, the printed numbers equal to
the files behind them, every figure rendered.
"""

from __future__ import annotations

import importlib.util
import math
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
RENDER = REPO / "docs" / "notebooks" / "render.py"
CANDIDATES = (1.0, 0.5, 0.2, 0.1, 0.05)  # T, the notebook's field steps
GAS_CONSTANT = 8.314462618  # J/(mol K)


def _render() -> ModuleType:
    """docs/notebooks/render.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("reanalyze_walkthrough_render", RENDER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_walkthrough_pairs_into_a_notebook_with_prose_between_the_cells() -> None:
    render = _render()
    nb = render.read_notebook()
    kinds = [cell.cell_type for cell in nb.cells]
    assert kinds[0] == "markdown" and kinds.count("code") >= 10
    assert kinds.count("markdown") >= 8
    assert nb.cells[1].source.startswith("%matplotlib inline")  # jupytext uncomments the magic
    for cell in nb.cells:
        if cell.cell_type == "code":  # every cell is Python once its magics are left out
            source = "\n".join(
                line for line in cell.source.splitlines() if not line.startswith("%")
            )
            compile(source, "<cell>", "exec")
    assert all(not cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")


def test_an_unknown_budget_is_refused_before_a_kernel_starts(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="budget must be one of small, full"):
        _render().execute(tmp_path, "huge")


@pytest.mark.slow
def test_the_walkthrough_executes_with_the_small_budget(
    tmp_path: Path, seeded_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reanalyze.planning import read_plan
    from reanalyze.properties.results import read_property
    from reanalyze.registry import load_registry

    monkeypatch.setenv("MPLBACKEND", "Agg")
    render = _render()
    nb, seconds = render.execute(tmp_path / "work", "small")
    assert render.cell_errors(nb) == []
    assert seconds > 0
    text = render.notebook_text(nb)
    assert "budget: small" in text

    # ΔS_M(0 → 5 T) of ErCo2: an entropy decrease, below the whole Er³⁺ J = 15/2 entropy
    # R ln 16 per formula unit, peaked at the first-order transition (Tc ≈ 32–35 K)
    work = tmp_path / "work" / "erco2-walkthrough"
    sample = load_registry().datasets["erco2"].sample
    assert sample is not None and sample.molar_mass
    ceiling = GAS_CONSTANT * math.log(16) / (sample.molar_mass * 1e-3)  # J/(kg K), ≈ 80.8
    twin = read_property(work / "delta_s_twin").summary
    trapezoid = read_property(work / "delta_s_trapezoid").summary
    for summary in (twin, trapezoid):
        peak, t_peak = summary["delta_s_max"], summary["t_peak"]
        assert peak.unit == "J/(kg*K)"
        assert peak.value is not None and 5.0 < peak.value < ceiling
        assert t_peak.value is not None and 30.0 < t_peak.value < 40.0
        assert summary["delta_h"].value == pytest.approx(5.0)  # 0 → 5 T (low_field=constant)
    assert twin["delta_s_max"].std is not None and twin["delta_s_max"].std > 0  # 2 members
    assert trapezoid["delta_s_max"].std is None  # measured data: no band
    printed = re.search(r"twin (\d+\.\d\d) ± (\d+\.\d\d) J/\(kg\*K\) at (\d+\.\d) K", text)
    assert printed is not None
    assert float(printed[1]) == pytest.approx(twin["delta_s_max"].value, abs=0.006)

    # the plan: the candidates in order, priced, a recommendation among them (or the finest)
    plan = read_plan(work / "plan")
    assert [row.step for row in plan.rows] == list(CANDIDATES)
    assert all(row.unit == "T" and row.hours and row.hours > 0 for row in plan.rows)
    hours = [row.hours or 0.0 for row in plan.rows]
    assert hours == sorted(hours)  # finer steps cost more lines
    assert plan.instrument is not None and plan.instrument["name"] == "mpms3"
    if plan.recommended is None:
        assert "recommended field step: none" in text
    else:
        chosen = plan.rows[plan.recommended]
        assert chosen.step in CANDIDATES and chosen.meets
        assert f"recommended field step: {chosen.step:g} T — {chosen.hours:.1f} h" in text

    # the validation the report reads, with the twin and the classic methods on 6 lines
    from reanalyze.validation import Validation

    validation = Validation.read(work / "run" / "validation")
    assert {m.method for m in validation.methods} == {"twin", "linear", "pchip", "rbf"}
    assert sum(len(fold) for fold in validation.folds) == 6
    assert validation.verdict() in text

    # the rendered copy: every figure the cells drew is a PNG the Markdown links to
    pngs = [
        out
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if "image/png" in out.get("data", {})
    ]
    assert len(pngs) >= 6
    markdown, files = render.to_markdown(nb, "small", seconds)
    assert "REANALYZE_NOTEBOOK_BUDGET=small" in markdown.splitlines()[2]
    assert len(files) == len(pngs)
    for name, data in files.items():
        assert f"]({name})" in markdown and data.startswith(b"\x89PNG")
    assert "Traceback" not in markdown
    out = render.write_rendered(markdown, files, tmp_path / "docs")
    assert out.read_text(encoding="utf-8") == markdown
