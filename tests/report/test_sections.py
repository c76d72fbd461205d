"""The report's HTML sections from hand-made data: no twin, no files, no matplotlib.

Each test builds the collected data (:mod:`reanalyze.report.data`) by hand, renders it and
reads the HTML back: headings, tables with units in their headers, the verdict, the figures
embedded as they were given, and text from the data escaped.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from report_helpers import HEADINGS, HOSTILE_NOTE, PLAN_ROWS, VERDICT, Page, plan_json

from reanalyze.planning.plan_file import PlanFile, PlanRow
from reanalyze.properties.results import PropertyFile
from reanalyze.report import data, sections
from reanalyze.twin.run_folder import BundleFile, member_file

PNG = b"\x89PNG\r\n\x1a\n not really an image"


def image(name: str, caption: str = "a figure") -> data.Image:
    return data.Image(name, PNG, caption)


def run_info(rows: int | None = 200, **bundle: Any) -> data.RunInfo:
    """A two-feature twin of three members; ``bundle``: fields of its bundle.json changed."""
    description = {
        "features": ["T", "H"],
        "target": "M",
        "units": {"T": "K", "H": "Oe", "M": "emu"},
        "kinds": {"T": "temperature", "H": "magnetic_field", "M": "magnetic_moment"},
        "ranges": {"T": (10.0, 60.0), "H": (100.0, 50000.0)},
        "members": [member_file(i) for i in range(3)],
        "data_sha256": "0123456789abcdef0123",
        "sample": {"material": "ErCo2", "mass": 0.61, "mass_unit": "mg"},
        "summary": {
            "study_name": "magnet",
            "storage": "runs/magnet/study.journal",
            "trials": {"COMPLETE": 4, "PRUNED": 1},
            "objective": "r2",
            "best_value": 0.998765432,
            "best_trial": 2,
            "best_params": {"layers": 3, "learning_rate": 0.0012345},
            "ensemble": 3,
            "wall_s": 12.5,
            "search_s": 10.0,
            "ensemble_s": 2.5,
            "holdout": {"twin": 0.0123, "classic": {"pchip": 0.05, "linear": 0.04}, "lines": [2]},
            "slow_unit": "T",
        },
        **bundle,
    }
    return data.RunInfo(
        Path("runs/magnet"), "synthetic_magnet", BundleFile.model_validate(description), rows
    )


def training_fit() -> data.TrainingFit:
    lines = [data.LineFit(100.0, 50, 0.0123, 0.05), data.LineFit(10000.0, 50, 0.0234, 0.07)]
    return data.TrainingFit(
        fast="T",
        slow="H",
        lines=lines,
        drawn=2,
        rows=100,
        total_rms=0.0185,
        span=1.25,
        image=image("training_vs_twin.png", "M along T for each scan line of H"),
    )


def plan_file() -> PlanFile:
    return PlanFile.model_validate(plan_json())


def property_file() -> PropertyFile:
    return PropertyFile.model_validate(
        {
            "property": "magnetocaloric",
            "input": "twin runs/magnet",
            "params": {"low_field": "lowest"},
            "summary": {
                "delta_s_max": {"value": 21.19, "std": 0.58, "unit": "J/(kg*K)"},
                "delta_s_max_1T": {"value": 5.5, "std": None, "unit": "J/(kg*K)"},
                "t_peak": {"value": None, "unit": "K", "description": "no peak"},
                "delta_h": {"value": 4.96, "std": 0.0, "unit": "T"},  # the same for all members
            },
            "notes": ["ΔS_M < 0 below 12 K"],
            "members": 3,
        }
    )


def report_data() -> data.ReportData:
    return data.ReportData(
        run=run_info(),
        training=training_fit(),
        validation=None,
        learning=data.Learning(opened=False, where="the study lives in postgresql://db"),
        grid=data.GridInfo(
            fast="T",
            slow="H",
            image=image("grid.png"),
            mean_min=-1.0,
            mean_max=2.5,
            median_std=0.01,
            max_std=0.04,
            worst={"T": 33.3, "H": 25000.0},
        ),
        properties=[data.PropertyEntry(Path("results/mce"), property_file(), [image("p-a.png")])],
        plans=[data.PlanEntry(Path("plans/mce"), plan_file(), [image("plan-b.png")], [])],
        about=data.About(
            version="0.1.0",
            python="3.11.9",
            generated="2025-01-01T00:00:00+00:00",
            run="/abs/runs/magnet",
            report="/abs/runs/magnet/report/index.html",
            properties=["/abs/results/mce"],
            plans=["/abs/plans/mce"],
            mlflow={"run_id": "abc123", "tracking_uri": "sqlite:///mlflow.db"},
        ),
        images=[image("training_vs_twin.png"), image("grid.png")],
    )


def section_page(section: sections.Section) -> Page:
    return Page(section.html())


# ------------------------------------------------------------------ the page
def test_page_has_every_section_in_order_and_a_table_of_contents() -> None:
    page = Page(sections.render(report_data()))
    assert page.h2 == HEADINGS
    keys = ["search", "training", "validation", "learning", "grid", "properties", "plans"]
    assert [u for u in page.urls if u.startswith("#")] == [f"#{k}" for k in [*keys, "about"]]
    assert "Twin report: synthetic_magnet" in page.all_text
    assert "M(T, H) of synthetic_magnet, 3-member ensemble" in page.all_text
    assert page.tags["script"] == 0


def test_a_title_with_markup_is_escaped() -> None:
    text = sections.render(report_data(), title="Twin <report> & co")
    assert "<title>Twin &lt;report&gt; &amp; co</title>" in text
    assert "<h1>Twin &lt;report&gt; &amp; co</h1>" in text
    assert "<report>" not in text


# ------------------------------------------------------------------ sections 1 to 5
def test_search_section_gives_units_kinds_and_the_search() -> None:
    pairs = section_page(sections.search_section(run_info())).pairs("summary")
    assert pairs["features"] == "T (K, temperature), H (Oe, magnetic_field)"
    assert pairs["target"] == "M (emu, magnetic_moment)"
    assert pairs["training ranges"] == "T 10 … 60 K; H 100 … 50000 Oe"
    assert pairs["rows"] == "200"
    assert pairs["data sha256"] == "0123456789ab…"
    assert pairs["sample"] == "ErCo2, 0.61 mg"
    assert pairs["trials"] == "4 complete, 1 pruned"
    assert pairs["best objective"] == "0.998765 in trial 2; objective 'r2': R² (dimensionless)"
    assert pairs["best parameters"] == "layers=3, learning_rate=0.00123"
    assert pairs["times"] == "wall 12.5 s, search 10 s, ensemble 2.5 s"
    no_rows = section_page(sections.search_section(run_info(rows=None))).pairs("summary")
    assert no_rows["rows"] == "— (no training.parquet)"


def test_training_section_tabulates_every_line_with_units() -> None:
    page = section_page(sections.training_section(run_info(), training_fit()))
    assert page.h2 == [HEADINGS[1]]
    assert page.headers["rms-residuals"] == [
        "H (Oe)",
        "points",
        "RMS residual (emu)",
        "max |residual| (emu)",
    ]
    rows = [cells for _, cells in page.tables["rms-residuals"]]
    assert rows == [["100", "50", "0.0123", "0.05"], ["10000", "50", "0.0234", "0.07"]]
    assert "over all 100 rows 0.0185 emu, while M spans 1.25 emu" in page.all_text
    assert page.images == ["data:image/png;base64," + base64.b64encode(PNG).decode()]
    assert "(figures/training_vs_twin.png)" in page.all_text


@pytest.mark.parametrize(
    ("changes", "fit", "expected"),
    [
        ({"rows": None}, None, "no RUN/training.parquet"),
        ({"features": ["T", "H", "x"]}, None, "A twin of 3 features"),
    ],
)
def test_training_section_says_why_it_is_empty(
    changes: dict[str, Any], fit: data.TrainingFit | None, expected: str
) -> None:
    page = section_page(sections.training_section(run_info(**changes), fit))
    assert expected in page.all_text and page.images == [] and page.tables == {}


def test_validation_section_without_a_validation_shows_the_search_holdout() -> None:
    page = section_page(sections.validation_section(run_info(), None))
    assert "Not validated yet" in page.all_text
    assert "The search's own held-out lines (2 T):" in page.all_text
    cells = [cells for _, cells in page.tables["search-holdout"]]
    assert cells == [["twin (best trial)", "1.23%"], ["linear", "4.00%"], ["pchip", "5.00%"]]


def test_validation_section_ranks_the_methods_and_embeds_each_line() -> None:
    validation = data.ValidationInfo(
        verdict="The twin beats every classic method.",
        unit="emu",
        methods=[
            data.MethodScore("linear", 0.04, 0.2, 0.5, 0.01),
            data.MethodScore("twin", 0.01, 0.05, 0.1, 12.34),
        ],
        notes=["2 lines held out"],
        figures=[
            image("validation-line_2.png", "held-out line: line_2"),
            data.NotPng("v/line_x.png"),
        ],
    )
    page = section_page(sections.validation_section(run_info(), validation))
    assert page.headers["validation"] == [
        "method",
        "error / line range",
        "RMSE (emu)",
        "max error (emu)",
        "time (s)",
    ]
    rows = [cells for _, cells in page.tables["validation"]]
    assert rows == [
        ["twin", "1.00%", "0.05", "0.1", "12.3"],
        ["linear", "4.00%", "0.2", "0.5", "0.0"],
    ]
    assert "The twin beats every classic method." in page.all_text
    assert "2 lines held out" in page.all_text
    assert len(page.images) == 1 and "v/line_x.png is not a PNG file" in page.all_text


def test_learning_section_tables_the_best_trials_or_says_why_not() -> None:
    closed = section_page(sections.learning_section(run_info(), data.Learning(False, "no journal")))
    assert "Not drawn: no journal." in closed.all_text and closed.images == []
    empty = section_page(sections.learning_section(run_info(), data.Learning(True, "j.journal")))
    assert "Not drawn: no complete trial with a history in j.journal." in empty.all_text
    learning = data.Learning(
        opened=True,
        where="runs/magnet/study.journal",
        trials=[data.TrialInfo(7, 0.99876543, 40, 31, 1.5, {"layers": 2})],
        image=image("learning_curves.png"),
    )
    page = section_page(sections.learning_section(run_info(), learning))
    assert [cells for _, cells in page.tables["best-trials"]] == [
        ["1", "7", "0.998765", "40", "31", "1.5 s", "layers=2"]
    ]
    assert "objective: R² (dimensionless)" in page.all_text and len(page.images) == 1


def test_grid_section_gives_the_ensemble_spread_with_units() -> None:
    report = report_data()
    page = section_page(sections.grid_section(report.run, report.grid))
    stats = page.pairs("grid-stats")
    assert stats == {
        "mean range": "-1 … 2.5 emu",
        "median std": "0.01 emu",
        "largest std": "0.04 emu at T = 33.3 K, H = 25000 Oe",
    }
    assert "200 × 200 grid" in page.all_text
    one = data.GridInfo(fast="T", slow=None, image=image("grid.png"))
    single = run_info(features=["T"], members=[member_file(0)])
    curve = section_page(sections.grid_section(single, one))
    assert "grid-stats" not in curve.tables and "no spread (a single member)" in curve.all_text


def test_grid_section_compares_the_spread_on_and_between_the_measured_lines() -> None:
    report = report_data()
    grid = report.grid
    assert grid is not None
    grid.lines, grid.spread = 8, image("grid_spread.png", "largest std")
    grid.line_std, grid.line_worst = 0.02, {"T": 35.0, "H": 100.0}
    grid.between_std, grid.between_worst = 0.03, {"T": 39.4, "H": 15650.0}
    page = section_page(sections.grid_section(report.run, grid))
    stats = page.pairs("grid-stats")
    assert stats["largest std on a measured line"] == "0.02 emu at T = 35 K, H = 100 Oe"
    assert stats["largest std between measured lines"] == (
        "0.03 emu at T = 39.4 K, H = 15650 Oe (1.5 × the largest on a line)"
    )
    assert "8 measured scan lines of H" in page.all_text
    assert len(page.images) == 2  # the maps and the spread along T


def test_exact_answer_of_a_synthetic_dataset_is_shown_with_the_error() -> None:
    rows = [
        data.ExactRow(1.66, 30.23, 0.2, 29.86, 36.95, 36.75, 0.185, 0.693),
        data.ExactRow(4.96, 32.73, 0.35, 32.52, 36.98, 36.9, 0.277, None),
    ]
    exact = data.ExactComparison(
        "bean_rodbell_first_order", "synthetic_magnet", "J/(kg*K)", rows, image("exact.png")
    )
    entry = data.PropertyEntry(Path("results/mce"), property_file(), [image("p.png")], exact)
    page = section_page(sections.properties_section([entry]))
    headers = page.headers["property-1-exact"]
    assert headers[:5] == [
        "µ0ΔH (T)",
        "twin |ΔS_M|max (J kg⁻¹ K⁻¹)",
        "exact |ΔS_M|max (J kg⁻¹ K⁻¹)",
        "error (J kg⁻¹ K⁻¹)",
        "error (%)",
    ]
    table = [cells for _, cells in page.tables["property-1-exact"]]
    # the error (%) to the precision of the twin's std, 0.35 / 32.52 = 1.1 %: +0.6, not +0.65
    assert table[1][:5] == ["4.96", "32.73 ± 0.35", "32.52", "+0.21", "+0.6"]
    assert table[0][-1] == "69.30" and table[1][-1] == "—"  # percentages: 2 decimals
    assert (
        "µ0ΔH = 4.96 T: twin |ΔS_M|max 32.73 ± 0.35 J kg⁻¹ K⁻¹ at 36.98 K, exact 32.52 "
        "J kg⁻¹ K⁻¹ at 36.9 K; error +0.21 ± 0.35 J kg⁻¹ K⁻¹ (+0.6 ± 1.1 %)."
    ) in page.all_text
    assert "bean_rodbell_first_order" in page.all_text
    assert len(page.images) == 2  # the exact overlay and the property's own figure


# ------------------------------------------------------------------ sections 6 to 8
def test_properties_section_shows_value_std_and_unit_and_splits_variants() -> None:
    entry = data.PropertyEntry(Path("results/<mce>"), property_file(), [image("p.png")])
    page = section_page(sections.properties_section([entry]))
    assert page.h3 == ["magnetocaloric — <mce>"]
    main = {cells[0]: cells[1:] for _, cells in page.tables["property-1-summary"]}
    assert main == {
        "delta_s_max": ["21.19 ± 0.58 J kg⁻¹ K⁻¹", ""],  # conventional notation
        "t_peak": ["—", "no peak"],
        "delta_h": ["4.96 T", ""],  # a std of 0 is not printed ("± 0")
    }
    more = {cells[0]: cells[1] for _, cells in page.tables["property-1-more"]}
    assert more == {"delta_s_max_1T": "5.5 J kg⁻¹ K⁻¹"}
    assert "± 0 " not in page.all_text
    assert "ΔS_M < 0 below 12 K" in page.all_text
    text = sections.properties_section([entry]).html()
    assert "&lt;mce&gt;" in text and "<mce>" not in text
    nothing = section_page(sections.properties_section([]))
    assert "No property folders were given." in nothing.all_text


def test_plans_section_table_units_recommendation_and_verdict() -> None:
    entry = data.PlanEntry(Path("plans/mce"), plan_file(), [], ["cost_accuracy.png"])
    section = sections.plans_section([entry])
    page = section_page(section)
    assert page.h3 == ["magnetocaloric: step of H — mce"]
    headers = page.headers["plan-1-rows"]
    assert headers[:5] == ["step (T)", "lines", "points", "hours (h)", "days (d)"]
    assert "rms (J kg⁻¹ K⁻¹)" in headers and "peak position error (K)" in headers
    assert "rms_rel (%)" in headers and "tv_ratio (ratio)" in headers
    rows = page.tables["plan-1-rows"]
    assert [css for css, _ in rows] == ["", "recommended", ""]
    assert [cells[0] for _, cells in rows] == ["1", "0.5 ★", "0.2"]
    col = {h.split(" (")[0]: i for i, h in enumerate(headers)}
    assert [cells[col["rms_rel"]] for _, cells in rows] == ["3.12", "0.94", "0.00"]  # in %
    assert [cells[col["meets"]] for _, cells in rows] == ["no", "yes", "yes"]
    assert rows[2][1][col["peak position error"]] == "—"  # NaN in plan.json
    assert rows[1][1][col["hours"]] == str(PLAN_ROWS[1]["hours"])
    details = page.pairs("plan-1-details")
    assert details["recommended step"] == "0.5 T: 20.71 h (0.8629 days)"
    assert details["tolerance"] == (
        "rms_rel ≤ 2 %, peak_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1"
    )
    assert details["fixed axis T"] == "11 … 59 K, step 0.5 K"
    assert details["compared quantity"] == "-ΔS_M (J kg⁻¹ K⁻¹) vs T (K)"
    assert details["instrument"] == "mpms3"
    assert VERDICT in page.all_text and HOSTILE_NOTE in page.all_text
    text = section.html()
    assert '<p class="verdict">' in text and "<b>" not in text and "<script>" not in text
    assert "&lt;b&gt;for 6 h&lt;/b&gt;" in text
    assert "Missing in plans/mce/figures: cost_accuracy.png." in page.all_text


def test_plan_without_recommendation_says_so() -> None:
    plan = plan_file().model_copy(update={"recommended": None, "instrument": None})
    page = section_page(sections.plans_section([data.PlanEntry(Path("p"), plan)]))
    details = page.pairs("plan-1-details")
    assert details["recommended step"] == "none: no candidate meets the tolerance"
    assert details["instrument"] == "none given: no instrument time"
    assert [css for css, _ in page.tables["plan-1-rows"]] == ["", "", ""]


def test_about_section_names_the_inputs_and_the_mlflow_run() -> None:
    report = report_data()
    pairs = section_page(sections.about_section(report.about, report.run)).pairs("about-table")
    assert pairs["run folder"] == "/abs/runs/magnet"
    assert pairs["property 1"] == "/abs/results/mce" and pairs["plan 1"] == "/abs/plans/mce"
    assert pairs["MLflow"] == "run abc123 at sqlite:///mlflow.db (artifacts under report/)"


# ------------------------------------------------------------------ numbers, wording, parameters
def ensemble_property(members: int = 5) -> PropertyFile:
    """A magnetocaloric result as the demo writes it: many digits, stds, notes of the mean."""
    return PropertyFile.model_validate(
        {
            "property": "magnetocaloric",
            "input": "twin runs/magnet",
            "params": {"low_field": "constant", "t_step": None, "tec_widths": [3.0, 10.0]},
            "summary": {
                "delta_s_max": {"value": 32.7482, "std": 0.3465, "unit": "J/(kg*K)"},
                "fwhm": {"value": 14.7026, "std": 0.069, "unit": "K"},
                "rcp": {"value": 481.475, "std": 4.7, "unit": "J/kg"},
                "tec_3K": {"value": 32.0583, "std": 0.3, "unit": "J/(kg*K)"},
                "n_max": {"value": 9.54574, "std": 0.2449, "unit": ""},
                "banerjee_negative_isotherms": {"value": 46.4, "std": 12.2, "unit": ""},
                "delta_h": {"value": 4.96, "std": 0.0, "unit": "T"},
                "t_onset": {"value": 36.98345, "std": None, "unit": "K"},
            },
            "notes": [
                "field exponent n = d ln|ΔS_M|/d ln ΔH reaches 9.46 > 2",
                "Banerjee criterion: 52 of 251 Arrott isotherms have a negative slope",
            ],
            "members": members,
        }
    )


def test_values_with_a_std_are_rounded_to_its_precision() -> None:
    entry = data.PropertyEntry(Path("results/mce"), ensemble_property(), [])
    page = section_page(sections.properties_section([entry]))
    shown = {cells[0]: cells[1] for _, cells in page.tables["property-1-summary"]}
    assert shown == {
        "delta_s_max": "32.75 ± 0.35 J kg⁻¹ K⁻¹",  # as the terminal prints it
        "fwhm": "14.703 ± 0.069 K",
        "rcp": "481.5 ± 4.7 J/kg",
        "tec_3K": "32.06 ± 0.30 J kg⁻¹ K⁻¹",  # the std keeps its 2 significant digits
        "n_max": "9.55 ± 0.24",
        "banerjee_negative_isotherms": "46 ± 12",
        "delta_h": "4.96 T",  # std 0: no "± 0"
        "t_onset": "36.98 K",  # no std: 4 significant digits
    }


def test_value_pm_rounds_tiny_and_huge_numbers_with_a_shared_power_of_ten() -> None:
    from reanalyze.report.text import at_precision, value_pm

    assert value_pm(0.069534, 0.000123, "emu") == "0.06953 ± 0.00012 emu"
    assert value_pm(3.2e-7, 1.1e-8, "emu") == "(3.20 ± 0.11) × 10⁻⁷ emu"
    assert value_pm(5.234e9, 3.1e8, "Oe") == "(5.23 ± 0.31) × 10⁹ Oe"
    assert value_pm(12345.0, 1234.0, "") == "12300 ± 1200"
    assert value_pm(0.0996, 0.0996, "") == "0.10 ± 0.10"  # the std rounds up to 0.10
    assert value_pm(-0.004, 0.35, "K", sign=True) == "0.00 ± 0.35 K"  # no -0.00, no +0.00
    assert at_precision(-1.26, 0.35, sign=True) == "-1.26"


def test_notes_say_they_are_of_the_ensemble_mean_curve_and_the_table_of_the_members() -> None:
    entry = data.PropertyEntry(Path("results/mce"), ensemble_property(), [])
    page = section_page(sections.properties_section([entry]))
    assert page.headers["property-1-summary"][1] == "mean ± std over the 5 members"
    text = page.all_text
    lead = text.index("is of the ensemble-mean curve")
    assert lead < text.index("reaches 9.46") and lead < text.index("52 of 251")
    assert "mean ± std over the 5 members' results" in text
    single = data.PropertyEntry(Path("results/mce"), ensemble_property(members=1), [])
    one = sections.properties_section([single])
    assert section_page(one).headers["property-1-summary"][1] == "value"
    assert 'class="notes-lead"' not in one.html()  # one result: nothing to tell apart


def test_property_and_plan_parameters_are_a_two_column_table() -> None:
    entry = data.PropertyEntry(Path("results/mce"), ensemble_property(), [])
    section = sections.properties_section([entry])
    page = section_page(section)
    assert page.headers["property-1-params"] == ["parameter", "value"]
    assert [cells for _, cells in page.tables["property-1-params"]] == [
        ["low_field", "constant"],
        ["t_step", "none"],
        ["tec_widths", "3, 10"],
    ]
    assert "parameters" not in page.pairs("anonymous-1")  # no raw JSON among the details
    assert "{" not in section.html().split("<h3")[1].split("</table>")[0]
    plan = plan_file().model_copy(
        update={"params": {"low_field": "constant", "field_tolerance": 0.002, "exact": True}}
    )
    plans = section_page(sections.plans_section([data.PlanEntry(Path("p"), plan)]))
    assert [cells for _, cells in plans.tables["plan-1-params"]] == [
        ["low_field", "constant"],
        ["field_tolerance", "0.002"],
        ["exact", "true"],
    ]
    assert "parameters" not in plans.pairs("plan-1-details")


def test_plan_rows_are_rounded_to_their_ensemble_spread() -> None:
    rows = [
        {"step": 0.2, "unit": "T", "hours": 27.7051, "days": 1.15438, "rms": 0.05687,
         "rms_rel": 0.001742, "tv_ratio": 1.00012, "peak": 32.6394, "peak_error": 0.002699,
         "peak_position_error": 0.006945, "spread": 0.3675, "meets": True},
        {"step": 0.1, "unit": "T", "rms": 0.009905, "rms_rel": 0.0003035, "peak": 32.6467,
         "peak_error": -0.009686, "spread": 0.3729, "meets": True},
        {"step": 0.05, "unit": "T", "rms": 0.0, "rms_rel": 0.0, "peak": 32.637,
         "peak_error": 0.0, "spread": 0.0, "meets": True},
    ]  # fmt: skip
    plan = plan_file().model_copy(
        update={"rows": [PlanRow.model_validate(r) for r in rows], "recommended": 0}
    )
    page = section_page(sections.plans_section([data.PlanEntry(Path("p"), plan)]))
    headers = page.headers["plan-1-rows"]
    col = {h.split(" (")[0]: i for i, h in enumerate(headers)}
    table = [cells for _, cells in page.tables["plan-1-rows"]]
    picked = [
        [cells[col[k]] for k in ("hours", "rms", "rms_rel", "peak", "peak error", "spread")]
        for cells in table
    ]
    assert picked == [
        ["27.71", "0.06", "0.17", "32.64", "0.00", "0.37"],
        ["—", "0.01", "0.03", "32.65", "-0.01", "0.37"],
        ["—", "0", "0.00", "32.64", "0", "0"],  # a single twin: no spread, 4 digits
    ]
    assert table[0][col["peak position error"]] == "0.006945"  # no uncertainty: 4 digits
    assert "rounded to its spread" in page.all_text
