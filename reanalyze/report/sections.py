"""The report's HTML, made from the collected data alone: no file is read, nothing drawn.

:func:`render` turns a :class:`~reanalyze.report.data.ReportData` into the page. Every string
that comes from the data is escaped; figures are embedded as base64 ``data:`` URIs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reanalyze.properties.results import PropertyFile
from reanalyze.report.data import (
    DENSE_POINTS,
    FIGURES_DIR,
    GRID_POINTS,
    REPORT_DIR,
    TOP_TRIALS,
    About,
    ExactComparison,
    ExactRow,
    GridInfo,
    Learning,
    PropertyEntry,
    ReportData,
    RunInfo,
    TrainingFit,
    ValidationInfo,
)
from reanalyze.report.markup import (
    Section,
    embed,
    escape,
    folders_section,
    notes,
    page,
    pairs_table,
    paragraph,
    params_table,
    table,
    warning,
)
from reanalyze.report.plan_section import plans_section
from reanalyze.report.text import at_precision, format_params, num, percent, value_pm, with_unit
from reanalyze.units import pretty_unit

__all__ = [
    "about_section",
    "grid_section",
    "learning_section",
    "plans_section",
    "properties_section",
    "render",
    "search_section",
    "training_section",
    "validation_section",
]


def _too_many_features(key: str, run: RunInfo) -> Section:
    return Section(
        key,
        f"A twin of {len(run.bundle.features)} features: this section draws twins of one or two "
        "features only.",
    )


# ------------------------------------------------------------------ the sections
def search_section(run: RunInfo) -> Section:
    """1. The dataset, the twin's columns with units, and the search."""
    bundle, sample = run.bundle, run.sample
    s = bundle.summary
    sample_text = ", ".join(
        part
        for part in (
            str(sample.get("material") or ""),
            with_unit(sample.get("mass"), str(sample.get("mass_unit") or ""))
            if sample.get("mass")
            else "",
            with_unit(sample.get("molar_mass"), "g/mol") if sample.get("molar_mass") else "",
        )
        if part
    )
    trials = s.get("trials") or {}
    ranges = "; ".join(
        f"{f} {num(lo)} … {num(hi)} {run.unit(f)}".rstrip() for f, (lo, hi) in bundle.ranges.items()
    )
    objective = str(s.get("objective", "?"))
    pairs = [
        ("dataset", run.dataset),
        ("features", ", ".join(f"{f} ({run.unit(f)}, {bundle.kinds[f]})" for f in bundle.features)),
        ("target", f"{bundle.target} ({run.unit(bundle.target)}, {bundle.kinds[bundle.target]})"),
        ("training ranges", ranges),
        ("rows", num(run.rows) if run.rows is not None else "— (no training.parquet)"),
        ("data sha256", f"{bundle.data_sha256[:12]}…"),
        ("sample", sample_text or "—"),
        ("study", f"{s.get('study_name', '—')} in {s.get('storage', '—')}"),
        ("trials", ", ".join(f"{n} {state.lower()}" for state, n in trials.items()) or "—"),
        (
            "best objective",
            f"{num(s.get('best_value'), 6)} in trial {s.get('best_trial', '—')}; objective "
            f"{objective!r}: {_objective_text(run)}",
        ),
        ("best parameters", format_params(s.get("best_params") or {})),
        (
            "ensemble",
            f"{s.get('ensemble', run.members)} members"
            + (f" ({s['ensemble_dropped']} dropped)" if s.get("ensemble_dropped") else ""),
        ),
        (
            "times",
            f"wall {num(s.get('wall_s'))} s, search {num(s.get('search_s'))} s, "
            f"ensemble {num(s.get('ensemble_s'))} s",
        ),
    ]
    intro = (
        f"The twin of {run.dataset}: a neural-network ensemble predicting {bundle.target} from "
        f"{', '.join(bundle.features)} in the training units. The search trained one network "
        "per trial (Optuna TPE) and scored it by the objective (1 is a perfect fit); the "
        "ensemble re-trains the best configuration several times, and its spread is the twin's "
        "uncertainty."
    )
    return Section("search", intro, [pairs_table(pairs, "summary")])


def training_section(run: RunInfo, fit: TrainingFit | None) -> Section:
    """2. The training rows against the twin, and the RMS residual of every scan line."""
    if run.rows is None:
        return Section(
            "training",
            "The training rows are not in this run folder (no RUN/training.parquet: the folder "
            "predates it; train again to get this section).",
        )
    if fit is None:
        return _too_many_features("training", run)
    target, tu, fast, slow = run.bundle.target, run.unit(run.bundle.target), fit.fast, fit.slow
    line_word = f"line of {slow} ({run.unit(slow)})" if slow else "line"
    headers = [
        f"{slow} ({run.unit(slow)})" if slow else "line",
        "points",
        f"RMS residual ({tu})",
        f"max |residual| ({tu})",
    ]
    rows = [
        [num(line.value) if slow else "all", num(line.points), num(line.rms), num(line.worst)]
        for line in fit.lines
    ]
    body = [
        embed(fit.image),
        paragraph(
            f"RMS residual of every {line_word}, {target} in {tu}; over all {fit.rows} rows "
            f"{num(fit.total_rms)} {tu}, while {target} spans {num(fit.span)} {tu}."
        ),
        table(headers, rows, table_id="rms-residuals"),
    ]
    shown = (
        f" ({fit.drawn} of the {len(fit.lines)} lines are drawn, evenly chosen)"
        if fit.drawn < len(fit.lines)
        else ""
    )
    intro = (
        f"The measured {target} (dots) and the twin (line: ensemble mean on {DENSE_POINTS} "
        f"points along {fast}; band: ± one ensemble standard deviation)"
        + (f" at each measured {slow}" if slow else "")
        + f"{shown}. The lower panel shows the residuals measured − twin at the measured "
        "points: a good twin leaves noise, not structure."
    )
    return Section("training", intro, body)


def validation_section(run: RunInfo, validation: ValidationInfo | None) -> Section:
    """3. The line-held-out validation of the run, else the search's own held-out lines."""
    if validation is None:
        section = Section(
            "validation",
            "Not validated yet: reanalyze validate RUN holds out every interior scan line in "
            "turn, retrains the twin without it and compares with linear, PCHIP, RBF and GP.",
        )
        holdout = run.bundle.summary.get("holdout")
        if holdout and holdout.get("classic"):
            rows = [["twin (best trial)", f"{percent(holdout['twin'])}%"]] + [
                [name, f"{percent(value)}%"] for name, value in sorted(holdout["classic"].items())
            ]
            unit = pretty_unit(str(run.bundle.summary.get("slow_unit", "")))
            lines = ", ".join(f"{v:g}" for v in holdout["lines"]) + (f" {unit}" if unit else "")
            section.body.append(paragraph(f"The search's own held-out lines ({lines}):"))
            section.body.append(
                table(["method", "error / line range"], rows, table_id="search-holdout")
            )
        return section
    unit = pretty_unit(validation.unit)
    rows = [
        [m.method, f"{percent(m.rel_rmse)}%", num(m.rmse), num(m.max_error), f"{m.wall_s:.1f}"]
        for m in sorted(validation.methods, key=lambda m: m.rel_rmse)
    ]
    headers = ["method", "error / line range", f"RMSE ({unit})", f"max error ({unit})"]
    body = [
        table([*headers, "time (s)"], rows, table_id="validation"),
        notes(validation.notes),
        *(embed(f) for f in validation.figures),
    ]
    return Section("validation", validation.verdict, body)


def _objective_text(run: RunInfo) -> str:
    """What the trials' objective values mean (dimensionless)."""
    if run.bundle.summary.get("objective") == "lines":
        return (
            "1 − (mean held-out line error + fit error above the noise), as fractions of the "
            "line range (dimensionless)"
        )
    return "R² (dimensionless)"


def learning_section(run: RunInfo, learning: Learning) -> Section:
    """4. Loss and val_loss per epoch of the best complete trials."""
    intro = (
        f"Training (loss, solid) and validation (val_loss, dashed, when the objective holds "
        f"out scan lines) loss per epoch of the {TOP_TRIALS} best complete trials: the mean "
        "squared error of the standardized target (dimensionless, log scale). Curves that "
        "still fall at the last epoch suggest more epochs; a val_loss rising while loss falls "
        "is over-fitting."
    )
    if not learning.opened:
        return Section("learning", intro, [warning(f"Not drawn: {learning.where}.")])
    if learning.image is None:
        return Section(
            "learning",
            intro,
            [warning(f"Not drawn: no complete trial with a history in {learning.where}.")],
        )
    rows = [
        [
            str(rank),
            str(t.number),
            num(t.value, 6),
            num(t.epochs),
            num(t.best_epoch),
            with_unit(t.wall_s, "s"),
            format_params(t.params),
        ]
        for rank, t in enumerate(learning.trials, start=1)
    ]
    body = [
        embed(learning.image),
        paragraph(f"From the study journal {learning.where}; objective: {_objective_text(run)}."),
        table(
            ["rank", "trial", "objective", "epochs", "best epoch", "wall", "parameters"],
            rows,
            table_id="best-trials",
        ),
    ]
    return Section("learning", intro, body)


def grid_section(run: RunInfo, grid: GridInfo | None) -> Section:
    """5. The twin's mean and ensemble std over the training ranges."""
    if grid is None:
        return _too_many_features("grid", run)
    target, tu = run.bundle.target, run.unit(run.bundle.target)
    spread = (
        "the ensemble standard deviation (the members' disagreement: small on measured lines, "
        "larger between lines far apart)"
        if run.members > 1
        else "no spread (a single member)"
    )
    fast, slow = grid.fast, grid.slow
    if slow is None:
        intro = (
            f"The twin's {target} over the training range of {fast} on {DENSE_POINTS} points: "
            f"ensemble mean (line) and {spread} (band)."
        )
        return Section("grid", intro, [embed(grid.image)])
    intro = (
        f"The twin's {target} on a {GRID_POINTS} × {GRID_POINTS} grid over the training "
        f"ranges of {fast} and {slow}: the ensemble mean (left) and {spread} (right)"
        + (
            f", with the {grid.lines} measured scan lines of {slow} drawn on it. Spread that "
            "peaks between the measured lines is where the twin interpolates on its own: a "
            "feature of a derived property there (a bump in ΔS_M) may be the twin's, not the "
            "sample's."
            if grid.lines
            else "."
        )
    )

    def where(point: Mapping[str, float]) -> str:
        return (
            f"at {fast} = {num(point.get(fast))} {run.unit(fast)}, "
            f"{slow} = {num(point.get(slow))} {run.unit(slow)}"
        )

    stats = [
        ("mean range", f"{num(grid.mean_min)} … {num(grid.mean_max)} {tu}"),
        ("median std", with_unit(grid.median_std, tu)),
        ("largest std", f"{with_unit(grid.max_std, tu)} {where(grid.worst)}"),
    ]
    if grid.line_std is not None:
        stats.append(
            (
                "largest std on a measured line",
                f"{with_unit(grid.line_std, tu)} {where(grid.line_worst)}",
            )
        )
    if grid.between_std is not None:
        ratio = (
            f" ({num(grid.between_std / grid.line_std, 3)} × the largest on a line)"
            if grid.line_std
            else ""
        )
        stats.append(
            (
                "largest std between measured lines",
                f"{with_unit(grid.between_std, tu)} {where(grid.between_worst)}{ratio}",
            )
        )
    body = [embed(grid.image), pairs_table(stats, "grid-stats")]
    if grid.spread is not None:
        body.append(embed(grid.spread))
    return Section("grid", intro, body)


def split_variants(keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """Keys that extend another key with ``_...`` (``delta_s_max_1T``) are variants of it.

    Examples
    --------
    >>> split_variants(["rc", "rcp", "rc_1T", "tec_3K", "tec_3K_1T"])
    (['rc', 'rcp', 'tec_3K'], ['rc_1T', 'tec_3K_1T'])
    """
    names = set(keys)
    variant = [any(k.startswith(f"{other}_") for other in names if other != k) for k in keys]
    return (
        [k for k, v in zip(keys, variant, strict=True) if not v],
        [k for k, v in zip(keys, variant, strict=True) if v],
    )


def _relative_error(row: ExactRow) -> tuple[float, float | None]:
    """The twin's error and std in % of the exact maximum (std None: a single member).

    Examples
    --------
    >>> error, std = _relative_error(ExactRow(5.0, 32.73, 0.35, 32.52, 37.0, 36.9, 0.28, None))
    >>> round(error, 4), round(std, 4)
    (0.6458, 1.0763)
    """
    scale = 100.0 / row.exact_peak
    std = None if row.twin_std is None else row.twin_std * scale
    return (row.twin_peak - row.exact_peak) * scale, std


def _exact_block(exact: ExactComparison, index: int) -> list[str]:
    """The twin against the exact answer of a synthetic dataset: a paragraph, table, figure."""
    unit = pretty_unit(exact.unit)
    headers = [
        "µ0ΔH (T)",
        f"twin |ΔS_M|max ({unit})",
        f"exact |ΔS_M|max ({unit})",
        f"error ({unit})",
        "error (%)",
        "twin T_peak (K)",
        "exact T_peak (K)",
        f"RMS twin − exact ({unit})",
        "within ± 2 std (%)",
    ]
    rows = [
        [
            num(r.delta_h),
            value_pm(r.twin_peak, r.twin_std, ""),
            num(r.exact_peak),
            at_precision(r.twin_peak - r.exact_peak, r.twin_std, sign=True),
            at_precision(*_relative_error(r), sign=True),
            num(r.twin_t_peak),
            num(r.exact_t_peak),
            num(r.rms, 3),
            percent(r.within),
        ]
        for r in exact.rows
    ]
    text = (
        f"{exact.dataset} is made by the generator {exact.generator}, so the exact ΔS_M is "
        "known: the table sets the twin's |ΔS_M|max (mean ± std of the ensemble members' "
        "peaks, as in the summary) beside the exact maximum (found on a 0.01 K grid), for "
        "the largest field change and two smaller ones, with the error rounded to the twin's "
        "std; RMS over every temperature of the result, and the share of them where the exact "
        "curve lies within ± 2 std of the twin."
    )
    largest = exact.rows[-1]
    error = largest.twin_peak - largest.exact_peak
    headline = (
        f"µ0ΔH = {num(largest.delta_h)} T: twin |ΔS_M|max "
        f"{value_pm(largest.twin_peak, largest.twin_std, exact.unit)} at "
        f"{num(largest.twin_t_peak)} K, exact {with_unit(largest.exact_peak, exact.unit)} at "
        f"{num(largest.exact_t_peak)} K; error "
        f"{value_pm(error, largest.twin_std, exact.unit, sign=True)} "
        f"({value_pm(*_relative_error(largest), '', sign=True)} %)."
    )
    return [
        f'<h4 id="property-{index}-exact">The exact answer</h4>',
        paragraph(text),
        f'<p class="verdict">{escape(headline)}</p>',
        table(headers, rows, table_id=f"property-{index}-exact"),
        embed(exact.image),
    ]


def properties_section(entries: Sequence[PropertyEntry]) -> Section:
    """6. Each property result: its summary numbers with units, notes and figures."""
    intro = (
        "Derived properties computed with property plugins (reanalyze property run). From a "
        "twin's simulation every ensemble member is used, so each number of a summary table is "
        "the mean ± standard deviation over the members (the std to 2 significant digits, the "
        "mean to the same decimal place); the plugin's notes come from its result on the "
        "ensemble-mean curve."
    )
    return folders_section("properties", intro, entries, "property", _property_block)


def _property_block(index: int, entry: PropertyEntry) -> list[str]:
    """The HTML of property result ``index``: heading, inputs, summary, exact answer, notes
    and figures."""
    prop = entry.result
    name = prop.property or "property"
    details = [("folder", str(entry.folder)), ("input", prop.input or "—")]
    details.append(("ensemble members", str(prop.members)))
    body = [
        f'<h3 id="property-{index}">{escape(name)} — {escape(entry.folder.name)}</h3>',
        pairs_table(details),
    ]
    if prop.params:
        body.append(params_table(prop.params, f"property-{index}-params"))
    main, variants = split_variants(list(prop.summary))
    headers = ["quantity", _value_header(prop.members), "description"]

    def rows(keys: Sequence[str], p: PropertyFile = prop) -> list[list[str]]:
        return [
            [
                k,
                value_pm(p.summary[k].value, p.summary[k].std, p.summary[k].unit),
                p.summary[k].description,
            ]
            for k in keys
        ]

    body.append(table(headers, rows(main), table_id=f"property-{index}-summary"))
    if entry.exact is not None:
        body += _exact_block(entry.exact, index)
    if variants:
        body.append(
            f"<details><summary>{len(variants)} more numbers (the same quantities for "
            "other parameter values)</summary>"
            + table(headers, rows(variants), table_id=f"property-{index}-more")
            + "</details>"
        )
    body += _property_notes(prop)
    return body + [embed(f) for f in entry.figures]


def _value_header(members: int) -> str:
    """The summary's value column: mean ± std over the members, or one result's value.

    Examples
    --------
    >>> _value_header(5), _value_header(1)
    ('mean ± std over the 5 members', 'value')
    """
    return f"mean ± std over the {members} members" if members > 1 else "value"


def _property_notes(prop: PropertyFile) -> list[str]:
    """The plugin's notes, saying that numbers in them are of the ensemble-mean curve."""
    if not prop.notes:
        return []
    if prop.members <= 1:
        return [notes(prop.notes)]
    lead = (
        "Notes of the plugin. A number quoted in them (a count, a largest value) is of the "
        f"ensemble-mean curve, one result; the table above gives the mean ± std over the "
        f"{prop.members} members' results, which can differ from it."
    )
    return [f'<p class="notes-lead">{escape(lead)}</p>', notes(prop.notes)]


def about_section(about: About, run: RunInfo) -> Section:
    """8. Version, time and the inputs of the report."""
    pairs = [
        ("reanalyze", about.version),
        ("python", about.python),
        ("generated", about.generated),
        ("run folder", about.run),
        ("report", about.report),
    ]
    pairs += [(f"property {i}", p) for i, p in enumerate(about.properties, start=1)]
    pairs += [(f"plan {i}", p) for i, p in enumerate(about.plans, start=1)]
    if about.mlflow is not None:
        record: Mapping[str, str] = about.mlflow
        pairs.append(
            (
                "MLflow",
                f"run {record['run_id']} at {record['tracking_uri']} "
                f"(artifacts under {REPORT_DIR}/)",
            )
        )
    intro = (
        "How this report was made. It is one self-contained HTML file (figures embedded); the "
        f"same figures are PNG files in {FIGURES_DIR}/ beside it."
    )
    return Section("about", intro, [pairs_table(pairs, "about-table")])


def render(data: ReportData, title: str | None = None) -> str:
    """The report page of ``data`` (default title ``"Twin report: DATASET"``)."""
    run = data.run
    sections = [
        search_section(run),
        training_section(run, data.training),
        validation_section(run, data.validation),
        learning_section(run, data.learning),
        grid_section(run, data.grid),
        properties_section(data.properties),
        plans_section(data.plans),
    ]
    lead = (
        f"{run.bundle.target}({', '.join(run.bundle.features)}) of {run.dataset}, "
        f"{run.members}-member ensemble; generated {data.about.generated} by reanalyze."
    )
    heading = title or f"Twin report: {run.dataset}"
    return page(heading, lead, sections, about_section(data.about, run), data.about.version)
