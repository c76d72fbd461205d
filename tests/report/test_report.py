"""The HTML report of a twin, end to end: a real tiny twin, a real ΔS_M result, a plan folder.

The twin is trained here (2 trials, 2 members, ≤40 epochs: a few seconds), logged to a
throw-away MLflow store, and reported. Numbers in the report are read back with an HTML
parser and compared with the files they come from, or with an independent computation. The
HTML of each section alone, from hand-made data, is tested in test_sections.py.
"""

from __future__ import annotations

import base64
import json
import math
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_helpers import (
    HEADINGS,
    HOSTILE_NOTE,
    PLAN_ROWS,
    REL_4_DIGITS,
    VERDICT,
    Page,
    close,
    plan_json,
)

from reanalyze.errors import DataError
from reanalyze.outputs import MARKER
from reanalyze.plugins import load_plugin
from reanalyze.report import write_report
from reanalyze.table import UnitTable
from reanalyze.twin.bundle import ModelBundle
from reanalyze.twin.data import TrainingData
from reanalyze.twin.search import Search
from reanalyze.twin.simulate import simulate
from reanalyze.twin.space import SearchSpace
from reanalyze.twin.tracking import log_search
from reanalyze.units import pretty_unit


# ------------------------------------------------------------------ fixtures
def png(path: Path, xlabel: str, ylabel: str) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(3, 2))
    ax = figure.subplots()
    ax.plot([1, 2, 3], [3, 1, 2])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=50)


def make_plan(folder: Path) -> Path:
    """A plan folder following the contract of docs/reports.md."""
    folder.mkdir(parents=True)
    (folder / "plan.json").write_text(json.dumps(plan_json(), indent=2))
    (folder / "tables").mkdir()
    pd.DataFrame(PLAN_ROWS).to_csv(folder / "tables" / "plan.csv", index=False)
    png(folder / "figures" / "convergence.png", "T (K)", "-ΔS_M (J/(kg*K))")
    png(folder / "figures" / "cost_accuracy.png", "instrument time (h)", "rms_rel (%)")
    return folder


@dataclass
class Twin:
    root: Path
    run: Path
    data: TrainingData
    search: Search
    uri: str
    prop: Path
    plan: Path
    html: Path
    text: str
    page: Page
    messages: list[str]


@pytest.fixture(scope="module")
def twin(
    tmp_path_factory: pytest.TempPathFactory, magnet_table: UnitTable, tiny_space: SearchSpace
) -> Twin:
    root = tmp_path_factory.mktemp("report")
    table = magnet_table.with_metadata(dataset="synthetic_magnet_second_order")  # what it is
    data = TrainingData.from_table(table, ["T", "H"], "M")
    search = Search(tiny_space, n_trials=2, workers=1, ensemble=2).fit(data, root / "run")
    uri = f"sqlite:///{root / 'mlflow.db'}"
    log_search(search, data, tracking_uri=uri)
    run = root / "run"
    lo, hi = search.bundle_.ranges["T"]
    grid = simulate(run, f"T={lo + 1:.1f}:{hi - 1:.1f}:0.5K H=0.01:5T:0.5T")
    result = load_plugin("reanalyze.properties", "magnetocaloric")().run(grid)
    prop = result.save(root / "mce", plugin="magnetocaloric", extra={"input": str(run)})
    plan = make_plan(root / "plan")
    messages: list[str] = []
    html = write_report(run, plans=[plan], properties=[prop], progress=messages.append)
    text = html.read_text(encoding="utf-8")
    return Twin(root, run, data, search, uri, prop, plan, html, text, Page(text), messages)


def rounded_pm(cell: str) -> tuple[float, float, float]:
    """Value, std and the step of the last decimal shown in ``32.75 ± 0.35 unit`` or
    ``(3.20 ± 0.11) × 10⁻⁷ unit``."""
    power = 0
    if cell.startswith("("):
        inner, rest = cell[1:].split(")", 1)
        exponent = rest.split("× 10", 1)[1].split()[0]
        power = int(exponent.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")))
        cell = inner
    value, std = cell.split(" ± ")[0], cell.split(" ± ")[1].split()[0]
    places = len(std.split(".")[1]) if "." in std else 0
    assert places == (len(value.split(".")[1]) if "." in value else 0), cell
    scale = 10.0**power
    return float(value) * scale, float(std) * scale, 10.0**-places * scale


# ------------------------------------------------------------------ tests
def test_report_has_every_section_and_every_figure_embedded(twin: Twin) -> None:
    assert twin.html == twin.run / "report" / "index.html"
    assert twin.page.h2 == HEADINGS
    files = sorted((twin.html.parent / "figures").glob("*.png"))
    n_property = len(list((twin.prop / "figures").glob("*.png")))
    assert n_property >= 1
    # 4 of the twin (training vs twin, learning curves, grid, its spread along T), the exact
    # answer of the synthetic magnet beside ΔS_M, the property's own and the plan's 2
    assert len(twin.page.images) == len(files) == 4 + 1 + n_property + 2
    embedded = sorted(base64.b64decode(src.split(",", 1)[1]) for src in twin.page.images)
    assert embedded == sorted(f.read_bytes() for f in files)
    own = {"training_vs_twin.png", "learning_curves.png", "grid.png", "grid_spread.png"}
    assert own | {"property1-magnetocaloric-exact.png"} <= {f.name for f in files}
    assert sum("convergence" in f.name or "cost_accuracy" in f.name for f in files) == 2


def test_report_needs_nothing_outside_the_file(twin: Twin) -> None:
    assert all(src.startswith("data:image/png;base64,") for src in twin.page.images)
    assert [u for u in twin.page.urls if not u.startswith(("data:image/png;base64,", "#"))] == []
    assert twin.page.tags["script"] == 0 and twin.page.tags["link"] == 0
    assert twin.page.tags["iframe"] == 0


def test_strings_from_the_data_are_escaped(twin: Twin) -> None:
    # the verdict and a hostile note of the plan are shown as text, never as markup
    assert VERDICT in twin.page.all_text and HOSTILE_NOTE in twin.page.all_text
    assert "<script>" not in twin.text and "<b>for 6 h</b>" not in twin.text
    assert "&lt;script&gt;" in twin.text


def test_header_gives_dataset_units_rows_and_search(twin: Twin) -> None:
    pairs = twin.page.pairs("summary")
    summary = json.loads((twin.run / "bundle.json").read_text())["summary"]
    assert pairs["dataset"] == "synthetic_magnet_second_order"
    assert pairs["features"] == "T (K, temperature), H (Oe, magnetic_field)"
    assert pairs["target"] == "M (emu, magnetic_moment)"
    assert int(pairs["rows"]) == twin.data.n_rows
    assert pairs["data sha256"].startswith(twin.data.sha256()[:12])
    assert pairs["trials"] == f"{summary['trials']['COMPLETE']} complete"
    assert close(pairs["best objective"], summary["best_value"], rel=5e-6)
    assert f"in trial {summary['best_trial']}" in pairs["best objective"]
    assert pairs["ensemble"].startswith(f"{summary['ensemble']} members")
    assert f"layers={summary['best_params']['layers']}" in pairs["best parameters"]
    times = pairs["times"]
    for key, word in (("wall_s", "wall"), ("search_s", "search"), ("ensemble_s", "ensemble")):
        shown = times.split(f"{word} ", 1)[1].split(" s")[0]
        assert math.isclose(float(shown), summary[key], rel_tol=REL_4_DIGITS)
    assert "0.61 mg" in pairs["sample"]


def test_rms_residual_per_line_equals_an_independent_computation(twin: Twin) -> None:
    bundle = ModelBundle.load(twin.run)
    mean, _ = bundle.predict(twin.data.x)
    frame = pd.DataFrame({"H": twin.data.x[:, 1], "r2": (twin.data.y - mean) ** 2})
    expected = frame.groupby("H")["r2"].agg(["mean", "size"])
    assert twin.page.headers["rms-residuals"][:3] == ["H (Oe)", "points", "RMS residual (emu)"]
    rows = [cells for _, cells in twin.page.tables["rms-residuals"]]
    assert len(rows) == len(expected) == 8
    for cells, (field, stats) in zip(rows, expected.iterrows(), strict=True):
        assert close(cells[0], field)
        assert int(cells[1]) == stats["size"]
        assert close(cells[2], math.sqrt(stats["mean"]), rel=1e-3)


def test_learning_curves_of_the_best_trials(twin: Twin) -> None:
    trials = sorted(
        (t for t in twin.search.study_.trials if t.state.name == "COMPLETE"),
        key=lambda t: t.value,
        reverse=True,
    )[:5]
    rows = [cells for _, cells in twin.page.tables["best-trials"]]
    assert [int(c[1]) for c in rows] == [t.number for t in trials]
    for cells, trial in zip(rows, trials, strict=True):
        assert close(cells[2], trial.value, rel=5e-6)
        assert int(cells[3]) == trial.user_attrs["epochs"]


def test_property_numbers_appear_with_units(twin: Twin) -> None:
    info = json.loads((twin.prop / "summary.json").read_text())
    shown = {
        cells[0]: cells[1]
        for table in ("property-1-summary", "property-1-more")
        for _, cells in twin.page.tables.get(table, [])
    }
    assert set(shown) == set(info["summary"])
    for key, item in info["summary"].items():
        if item["value"] is None:
            assert shown[key] == "—"
            continue
        if item["std"]:  # rounded to the std's precision, the std to 2 significant digits
            value, std, step = rounded_pm(shown[key])
            assert abs(value - item["value"]) <= 0.5 * step * (1 + 1e-9)
            assert math.isclose(std, item["std"], rel_tol=0.05, abs_tol=1e-12)
            assert 10 * step <= std * (1 + 1e-9) and std < 100 * step  # 2 significant
        else:  # no std, or 0 over the members (the largest field change): no "± 0"
            assert close(shown[key], item["value"])  # 4 significant digits
            assert "±" not in shown[key]
        assert shown[key].endswith(pretty_unit(item["unit"]))
    for note in info["notes"]:
        assert note in twin.page.all_text


def test_plan_table_recommendation_and_verdict(twin: Twin) -> None:
    headers = twin.page.headers["plan-1-rows"]
    assert headers[:5] == ["step (T)", "lines", "points", "hours (h)", "days (d)"]
    assert "rms (J kg⁻¹ K⁻¹)" in headers and "peak position error (K)" in headers
    rows = twin.page.tables["plan-1-rows"]
    assert [css for css, _ in rows] == ["", "recommended", ""]
    assert "★" in rows[1][1][0]
    col = {h.split(" (")[0]: i for i, h in enumerate(headers)}
    for (_, cells), row in zip(rows, PLAN_ROWS, strict=True):
        for key in ("step", "hours", "days", "tv_ratio"):
            assert close(cells[col[key]], row[key]), key
        # the quantity's numbers to the precision of the row's spread (2 significant digits)
        step = 10.0 ** (math.floor(math.log10(row["spread"])) - 1)
        for key in ("rms", "peak", "peak_error", "spread"):
            shown = float(cells[col[key.replace("_", " ")]])
            assert abs(shown - row[key]) <= 0.5 * step * (1 + 1e-9), key
        assert abs(float(cells[col["rms_rel"]]) - 100 * row["rms_rel"]) <= 0.005  # %, 2 decimals
        assert close(cells[col["peak position error"]], row["peak_position_error"])
        assert cells[col["meets"]] == ("yes" if row["meets"] else "no")
    details = twin.page.pairs("plan-1-details")
    assert details["recommended step"] == "0.5 T: 20.71 h (0.8629 days)"
    assert details["fixed axis T"] == "11 … 59 K, step 0.5 K"
    assert details["tolerance"] == (
        "rms_rel ≤ 2 %, peak_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1"
    )


def test_figures_folder_and_mlflow_artifacts(twin: Twin) -> None:
    import mlflow

    record = json.loads((twin.run / "mlflow.json").read_text())
    client = mlflow.MlflowClient(tracking_uri=twin.uri)
    top = {a.path for a in client.list_artifacts(record["run_id"], "report")}
    assert top == {"report/index.html", "report/figures"}
    logged = {Path(a.path).name for a in client.list_artifacts(record["run_id"], "report/figures")}
    assert logged == {f.name for f in (twin.html.parent / "figures").glob("*.png")}
    assert any(m.startswith("MLflow: report logged") for m in twin.messages)


def test_progress_names_every_section(twin: Twin) -> None:
    for heading in HEADINGS:
        assert heading in twin.messages


def copy_run(twin: Twin, dest: Path) -> Path:
    shutil.copytree(twin.run, dest, ignore=shutil.ignore_patterns("report", "mlflow.json"))
    return dest


def test_missing_or_garbled_run_is_a_one_line_error_and_writes_nothing(
    twin: Twin, tmp_path: Path
) -> None:
    out = tmp_path / "out" / "index.html"
    with pytest.raises(DataError, match="no such run folder") as missing:
        write_report(tmp_path / "nope", out)
    garbled = copy_run(twin, tmp_path / "garbled")
    (garbled / "bundle.json").write_text('{"format": "reanalyze-bundle", "features": ')
    with pytest.raises(DataError, match="damaged") as damaged:
        write_report(garbled)
    broken = copy_run(twin, tmp_path / "broken")
    (broken / "members" / "member_0.keras").write_bytes(b"not a keras file")
    with pytest.raises(DataError, match="member_0.keras: damaged member model") as member:
        write_report(broken)
    bad_plan = tmp_path / "bad_plan"
    bad_plan.mkdir()
    (bad_plan / "plan.json").write_text(json.dumps({"property": "x", "axis": "H"}))
    with pytest.raises(DataError, match="rows") as plan:
        write_report(twin.run, out, plans=[bad_plan])
    for error in (missing, damaged, member, plan):
        assert "\n" not in str(error.value)
    assert not (tmp_path / "out").exists()
    assert not (garbled / "report").exists() and not (broken / "report").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad_plan", "broken", "garbled"]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [("garbage", "holds no study"), ("remote", "not in a local journal file")],
)
def test_run_whose_study_cannot_be_opened_still_reports(
    twin: Twin, tmp_path: Path, damage: str, reason: str
) -> None:
    run = copy_run(twin, tmp_path / "run")
    if damage == "garbage":
        (run / "study.journal").write_bytes(b"\x00garbage{{{\n")
    else:
        (run / "study.journal").unlink()
        info = json.loads((run / "bundle.json").read_text())
        info["summary"]["storage"] = "postgresql://reanalyze:***@db.example/studies"
        (run / "bundle.json").write_text(json.dumps(info))
    html = write_report(run, log_mlflow=False)
    page = Page(html.read_text(encoding="utf-8"))
    assert page.h2 == HEADINGS
    learning = page.all_text.rsplit(HEADINGS[3], 1)[1].split(HEADINGS[4], 1)[0]  # after the TOC
    assert "Not drawn" in learning and reason in learning
    assert len(page.images) == 3  # training vs twin, the grid and its spread
    assert "best-trials" not in page.tables


def test_run_without_training_rows_still_reports(twin: Twin, tmp_path: Path) -> None:
    run = copy_run(twin, tmp_path / "run")
    (run / "training.parquet").unlink()
    page = Page(write_report(run, log_mlflow=False).read_text(encoding="utf-8"))
    assert page.h2 == HEADINGS
    assert "no RUN/training.parquet" in page.all_text
    assert page.pairs("summary")["rows"] == "— (no training.parquet)"
    assert len(page.images) == 2  # learning curves and the grid


def test_a_second_report_replaces_the_first_completely(twin: Twin, tmp_path: Path) -> None:
    out = tmp_path / "shared" / "twin.html"
    write_report(twin.run, out, properties=[twin.prop], log_mlflow=False)
    first = {p.name for p in (out.parent / "figures").iterdir()}
    write_report(twin.run, out, title="Second <report>", log_mlflow=False)
    second = {p.name for p in (out.parent / "figures").iterdir()}
    own = {"training_vs_twin.png", "learning_curves.png", "grid.png", "grid_spread.png"}
    assert second == own < first
    assert sorted(p.name for p in out.parent.iterdir()) == [MARKER, "figures", "twin.html"]
    assert "<title>Second &lt;report&gt;</title>" in out.read_text(encoding="utf-8")


def test_one_feature_twin_has_one_curve(
    twin: Twin, tmp_path: Path, tiny_space: SearchSpace
) -> None:
    one_line = twin.data.x[:, 1] == 10000.0
    data = TrainingData(
        x=twin.data.x[one_line][:, :1],
        y=twin.data.y[one_line],
        features=["T"],
        target="M",
        units={"T": "K", "M": "emu"},
        kinds={"T": "temperature", "M": "magnetic_moment"},
        slow_axis="T",
        meta={"dataset": "one_field"},
    )
    Search(tiny_space, n_trials=1, workers=1, ensemble=2).fit(data, tmp_path / "run")
    html = write_report(tmp_path / "run", log_mlflow=False)
    page = Page(html.read_text(encoding="utf-8"))
    assert page.h2 == HEADINGS
    rows = [cells for _, cells in page.tables["rms-residuals"]]
    assert len(rows) == 1 and rows[0][0] == "all"
    mean, _ = ModelBundle.load(tmp_path / "run").predict(data.x)
    assert close(rows[0][2], float(np.sqrt(np.mean((data.y - mean) ** 2))), rel=1e-3)
    assert len(page.images) == 3


def test_report_shows_the_validation_of_the_run(twin: Twin, tmp_path: Path) -> None:
    from reanalyze.validation import validate_run
    from reanalyze.validation.write import write_validation

    run = copy_run(twin, tmp_path / "run")
    before = Page(write_report(run, log_mlflow=False).read_text(encoding="utf-8"))
    holdout = twin.search.bundle_.summary["holdout"]  # without one: the search's own split
    cells = {row[0]: row[1] for _, row in before.tables["search-holdout"]}
    assert cells["twin (best trial)"] == f"{holdout['twin']:.2%}"
    result, predictions = validate_run(run, methods=("linear", "pchip"))
    write_validation(run / "validation", result, predictions)
    page = Page(write_report(run, log_mlflow=False).read_text(encoding="utf-8"))
    rows = {row[0]: row for _, row in page.tables["validation"]}
    assert set(rows) == {"twin", "linear", "pchip"}
    for method in result.methods:
        assert rows[method.method][1] == f"{method.rel_rmse:.2%}"
        assert close(rows[method.method][2], method.rmse)
    n_lines = sum(len(f) for f in result.folds)
    assert len(page.images) == len(before.images) + n_lines  # one overlay per held-out line
