"""The report of a twin: one self-contained HTML file with its figures, for reading or mailing.

:func:`write_report` reads a run folder (written by ``reanalyze train``), optionally property
result folders (``reanalyze property run``) and plan folders (``reanalyze plan``), and writes::

    OUT.parent/
      index.html          the report (default OUT = RUN/report/index.html); every figure is
                          embedded as a base64 ``data:`` URI, so the single file is complete
      figures/*.png       the same figures as files

Sections (each opens with a paragraph saying what it shows):

1. Dataset and search — features and target with units, rows, data checksum, sample, the
   search (trials by state, best objective and trial, best parameters, ensemble, times).
2. Training data vs the twin — every scan line of the slow axis: measured points, the twin's
   ensemble mean ± std on 400 points along the fast axis, the residuals measured − twin, and
   the RMS residual of each line.
3. Learning curves of the best trials — loss and val_loss per epoch of the 5 best complete
   trials, read from the study journal (when it cannot be read, the section says why).
4. The simulated grid — the twin's mean and ensemble std on a 200 × 200 grid over the
   training ranges (a curve with its band for one feature).
5. Properties — summary (value ± std unit), notes and figures of each property folder.
6. Plans — step vs cost vs property error, the recommended step, the verdict, the figures.
7. About this report — version, time, inputs.

The report is built in memory and written at the end (temporary folder, then renamed), so an
error leaves nothing half-written. When the run was logged to MLflow (``RUN/mlflow.json``),
the report is added to that search run as artifacts under ``report/``.

Examples
--------
>>> from reanalyze.report import write_report                     # doctest: +SKIP
>>> write_report("runs/erco2", plans=["plans/erco2"], properties=["ds"])  # doctest: +SKIP
PosixPath('runs/erco2/report/index.html')
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import logging
import math
import re
import string
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from reanalyze.errors import DataError
from reanalyze.outputs import Action, check_complete, output_action, publish_folder

__all__ = [
    "DENSE_POINTS",
    "FIGURES_DIR",
    "GRID_POINTS",
    "REPORT_DIR",
    "SECTION_TITLES",
    "TOP_TRIALS",
    "PlanFile",
    "PlanRow",
    "PropertyFile",
    "write_report",
]

Array = npt.NDArray[np.float64]
Progress = Callable[[str], None]

#: Folder of a run that holds the report by default (``RUN/report/index.html``).
REPORT_DIR = "report"
#: Folder beside the HTML file that holds the figures as PNG files.
FIGURES_DIR = "figures"
#: Points of the twin's curve along the fast axis for each scan line.
DENSE_POINTS = 400
#: Points per axis of the simulated-grid images.
GRID_POINTS = 200
#: Complete trials whose learning curves are drawn.
TOP_TRIALS = 5
#: Scan lines drawn at most (evenly chosen; the RMS table lists every line).
MAX_LINES_DRAWN = 12
#: Scan lines whose slow-axis values differ by less than this fraction of its range are one.
LINE_TOLERANCE = 1e-3
DPI = 110
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

SECTION_TITLES = {
    "search": "1. Dataset and search",
    "training": "2. Training data vs the twin",
    "validation": "3. Held-out scan lines: the twin vs classic interpolation",
    "learning": "4. Learning curves of the best trials",
    "grid": "5. The simulated grid",
    "properties": "6. Properties",
    "plans": "7. Plans: step, cost and accuracy",
    "about": "8. About this report",
}


# ------------------------------------------------------------------ input files (validated)
class PropertyItem(BaseModel):
    """One summary number of a property result."""

    model_config = ConfigDict(extra="allow")

    value: float | None = Field(None, description="The number (ensemble mean), in ``unit``.")
    std: float | None = Field(None, description="Ensemble standard deviation, in ``unit``.")
    unit: str = Field("", description="pint unit string ('' for dimensionless).")
    description: str = Field("", description="What the number is.")


class PropertyFile(BaseModel):
    """``DIR/summary.json`` of a property result folder (:meth:`PropertyResult.save`)."""

    model_config = ConfigDict(extra="allow")

    property: str = Field("", description="Plugin name.")
    input: str = Field("", description="What the property was computed from.")
    params: dict[str, Any] = Field(default_factory=dict, description="Plugin parameters.")
    summary: dict[str, PropertyItem] = Field(description="Summary numbers with units.")
    notes: list[str] = Field(default_factory=list, description="Statements to read.")
    members: int = Field(1, description="Ensemble members the result was computed from.")


class PlanRow(BaseModel):
    """One candidate step of a plan (``plan.json`` → ``rows``)."""

    model_config = ConfigDict(extra="allow")

    step: float = Field(description="Candidate step of the planned axis, in ``unit``.")
    unit: str = Field("", description="Unit of ``step``.")
    lines: int | None = Field(None, description="Scan lines the plan measures.")
    points: int | None = Field(None, description="Points the plan measures.")
    hours: float | None = Field(None, description="Instrument time, h.")
    days: float | None = Field(None, description="Instrument time, days.")
    rms: float | None = Field(None, description="RMS deviation from the finest, quantity unit.")
    rms_rel: float | None = Field(None, description="``rms`` relative (fraction, not %).")
    tv_ratio: float | None = Field(None, description="Total variation / the finest's (ratio).")
    peak: float | None = Field(None, description="Peak of the quantity, quantity unit.")
    peak_error: float | None = Field(None, description="Peak minus the finest's, quantity unit.")
    peak_rel_error: float | None = Field(None, description="``peak_error`` relative (fraction).")
    peak_position: float | None = Field(None, description="Position of the peak, x unit.")
    peak_position_error: float | None = Field(None, description="Its error, x unit.")
    spread: float | None = Field(None, description="Ensemble spread, quantity unit.")
    meets: bool | None = Field(None, description="Whether the step meets the tolerance.")


class PlanFile(BaseModel):
    """``PLAN/plan.json`` written by ``reanalyze plan`` (see docs/reports.md)."""

    model_config = ConfigDict(extra="allow")

    property: str = Field(description="Plugin name.")
    run: str = Field("", description="The twin's run folder.")
    axis: str = Field(description="The axis whose step is planned.")
    axis_unit: str = Field("", description="Unit of the axis and its steps.")
    range: list[float] | None = Field(None, description="Planned range of the axis, axis unit.")
    fixed_axes: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="The other axes: start, stop, step, unit."
    )
    quantity: dict[str, Any] = Field(
        default_factory=dict, description="Compared quantity: name, unit, x, x_unit, label."
    )
    instrument: dict[str, Any] | None = Field(None, description="Instrument profile.")
    tolerance: dict[str, float | None] = Field(
        default_factory=dict, description="Tolerances (fractions; peak_position in x unit)."
    )
    params: dict[str, Any] = Field(default_factory=dict, description="Plugin parameters.")
    rows: list[PlanRow] = Field(description="Candidate steps, finest last.")
    recommended: int | None = Field(None, description="Index of the recommended row.")
    verdict: str = Field("", description="One paragraph.")
    notes: list[str] = Field(default_factory=list, description="Statements to read.")


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(p) for p in error["loc"]) or "top level"
    return f"{where}: {error['msg']}"


def _read_json(file: Path, what: str) -> Any:
    if not file.is_file():
        raise DataError(f"{file.parent}: not a {what} folder (no {file.name})")
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{file}: damaged ({exc})") from None


def read_property(folder: str | Path) -> PropertyFile:
    """Validate a property result folder's ``summary.json``.

    Raises
    ------
    DataError
        No folder, no ``summary.json``, or one that is not a property summary.
    """
    file = Path(folder) / "summary.json"
    check_complete(folder, "property result")
    try:
        return PropertyFile.model_validate(_read_json(file, "property result"))
    except ValidationError as exc:
        raise DataError(f"{file}: not a property summary ({_first_error(exc)})") from None


def read_plan(folder: str | Path) -> PlanFile:
    """Validate a plan folder's ``plan.json``.

    Raises
    ------
    DataError
        No folder, no ``plan.json``, one that is not a plan, or a recommended row that does
        not exist.
    """
    file = Path(folder) / "plan.json"
    check_complete(folder, "plan")
    try:
        plan = PlanFile.model_validate(_read_json(file, "plan"))
    except ValidationError as exc:
        raise DataError(f"{file}: not a plan ({_first_error(exc)})") from None
    if plan.recommended is not None and not 0 <= plan.recommended < len(plan.rows):
        raise DataError(
            f"{file}: recommended row {plan.recommended} does not exist ({len(plan.rows)} rows)"
        )
    return plan


# ------------------------------------------------------------------ formatting
def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _finite(value: Any) -> bool:
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
    )


def num(value: Any, digits: int = 4) -> str:
    """A number with ``digits`` significant digits; ``—`` for missing or non-finite.

    Examples
    --------
    >>> num(12.34567), num(50000.0), num(None), num(3), num(float("nan")), num(True)
    ('12.35', '50000', '—', '3', '—', 'yes')
    """
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return str(int(value))
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(x):
        return "—"
    if 10**digits <= abs(x) < 1e7:
        return f"{x:.0f}"  # 50000, not 5e+04
    return f"{x:.{digits}g}"


def with_unit(value: Any, unit: str, digits: int = 4) -> str:
    """``value unit`` (``—`` alone when the value is missing)."""
    text = num(value, digits)
    return text if text == "—" or not unit else f"{text} {unit}"


def value_pm(value: Any, std: Any, unit: str) -> str:
    """``value ± std unit`` as property results print it (6 and 2 significant digits)."""
    if not _finite(value):
        return "—"
    text = f"{float(value):.6g}"
    if _finite(std):
        text += f" ± {float(std):.2g}"
    return f"{text} {unit}" if unit else text


def _label(name: str, unit: str) -> str:
    return f"{name} ({unit})" if unit and unit != "dimensionless" else f"{name} (dimensionless)"


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-.") or "item"


def _table(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    table_id: str = "",
    row_classes: Sequence[str] = (),
) -> str:
    """An HTML table; every cell is escaped."""
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        css = row_classes[i] if i < len(row_classes) and row_classes[i] else ""
        attr = f' class="{_e(css)}"' if css else ""
        body.append(f"<tr{attr}>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
    ident = f' id="{_e(table_id)}"' if table_id else ""
    return f"<table{ident}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _pairs_table(pairs: Sequence[tuple[str, str]], table_id: str = "") -> str:
    ident = f' id="{_e(table_id)}"' if table_id else ""
    rows = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in pairs)
    return f'<table class="pairs"{ident}><tbody>{rows}</tbody></table>'


def _paragraph(text: str) -> str:
    return f"<p>{_e(text)}</p>"


def _notes(notes: Sequence[str]) -> str:
    if not notes:
        return ""
    return '<ul class="notes">' + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>"


# ------------------------------------------------------------------ figures
@dataclass
class _Image:
    name: str
    png: bytes
    caption: str


@dataclass
class _Figures:
    """The report's figures: PNG bytes kept in memory until the report is written."""

    images: list[_Image] = field(default_factory=list)

    def _unique(self, name: str) -> str:
        taken = {i.name for i in self.images}
        stem, candidate, k = name.removesuffix(".png"), name, 2
        while candidate in taken:
            candidate, k = f"{stem}-{k}.png", k + 1
        return candidate

    def add_png(self, name: str, png: bytes, caption: str) -> str:
        """Register PNG bytes; return the ``<figure>`` HTML embedding them."""
        image = _Image(self._unique(name), png, caption)
        self.images.append(image)
        data = base64.b64encode(png).decode("ascii")
        return (
            f'<figure><img src="data:image/png;base64,{data}" alt="{_e(caption)}">'
            f'<figcaption>{_e(caption)} <span class="file">({FIGURES_DIR}/{_e(image.name)})'
            "</span></figcaption></figure>"
        )

    def add(self, figure: Any, name: str, caption: str) -> str:
        """Render a matplotlib figure to PNG and register it."""
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
        return self.add_png(name, buffer.getvalue(), caption)


def _new_figure(width: float, height: float) -> Any:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _colours(n: int) -> list[Any]:
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(0.9 * i / max(n - 1, 1)) for i in range(n)]


# ------------------------------------------------------------------ the run
@dataclass
class _Run:
    """What the report needs from a run folder."""

    folder: Path
    bundle: Any
    training: Any | None  # UnitTable of the training rows, when RUN/training.parquet exists

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.bundle.summary)

    def unit(self, name: str) -> str:
        return str(self.bundle.units.get(name, ""))


def _load_run(folder: Path) -> _Run:
    from reanalyze.table import UnitTable
    from reanalyze.train.bundle import ModelBundle

    if not folder.is_dir():
        raise DataError(f"{folder}: no such run folder")
    try:
        bundle = ModelBundle.load(folder)
    except DataError:
        raise
    except Exception as exc:  # a damaged bundle.json or member file
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise DataError(f"{folder}: damaged run folder ({message})") from None
    if not bundle.members:
        raise DataError(f"{folder}: the bundle has no ensemble members")
    training = None
    file = folder / "training.parquet"
    if file.exists():
        training = UnitTable.read_parquet(file)
        missing = [c for c in [*bundle.features, bundle.target] if c not in training.columns]
        if missing:
            raise DataError(f"{file}: no column(s) {', '.join(missing)} of the twin")
    return _Run(folder, bundle, training)


def _dataset_name(run: _Run) -> str:
    meta: dict[str, Any] = {}
    if run.training is not None:
        meta.update(run.training.metadata)
    data = run.summary.get("dataset")
    if isinstance(data, Mapping):
        meta = {**data, **meta}
    if meta.get("dataset"):
        return str(meta["dataset"])
    if meta.get("source"):
        return Path(str(meta["source"])).stem
    if run.bundle.sample and run.bundle.sample.get("material"):
        return str(run.bundle.sample["material"])
    return run.folder.resolve().name


def _slow_axis(run: _Run) -> str:
    features = run.bundle.features
    if run.training is not None:
        slow = run.training.metadata.get("slow_axis")
        if slow in features:
            return str(slow)
        counts = [len(np.unique(run.training.values(f))) for f in features]
        return str(features[int(np.argmin(counts))])
    return str(features[-1])


def _line_groups(values: Array) -> list[npt.NDArray[Any]]:
    """Row indices of each scan line: slow-axis values closer than LINE_TOLERANCE·range."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    span = float(np.ptp(values)) if values.size else 0.0
    gap = LINE_TOLERANCE * span
    breaks = np.flatnonzero(np.diff(ordered) > gap) + 1
    return [np.sort(part) for part in np.split(order, breaks)]


# ------------------------------------------------------------------ sections
@dataclass
class _Section:
    key: str
    intro: str
    body: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return SECTION_TITLES[self.key]

    def html(self) -> str:
        return (
            f'<section id="{self.key}"><h2>{_e(self.title)}</h2>'
            f'<p class="intro">{_e(self.intro)}</p>' + "\n".join(self.body) + "</section>"
        )


def _format_params(params: Mapping[str, Any]) -> str:
    parts = []
    for key, value in params.items():
        shown = num(value, 3) if _finite(value) and not isinstance(value, int) else str(value)
        parts.append(f"{key}={shown}")
    return ", ".join(parts) or "—"


def _search_section(run: _Run, dataset: str) -> _Section:
    bundle, s = run.bundle, run.summary
    rows = len(run.training) if run.training is not None else None
    sample = bundle.sample or {}
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
        ("dataset", dataset),
        ("features", ", ".join(f"{f} ({run.unit(f)}, {bundle.kinds[f]})" for f in bundle.features)),
        ("target", f"{bundle.target} ({run.unit(bundle.target)}, {bundle.kinds[bundle.target]})"),
        ("training ranges", ranges),
        ("rows", num(rows) if rows is not None else "— (no training.parquet)"),
        ("data sha256", f"{bundle.data_sha256[:12]}…"),
        ("sample", sample_text or "—"),
        ("study", f"{s.get('study_name', '—')} in {s.get('storage', '—')}"),
        (
            "trials",
            ", ".join(f"{n} {state.lower()}" for state, n in trials.items()) or "—",
        ),
        (
            "best objective",
            f"{num(s.get('best_value'), 6)} (R², dimensionless; objective {objective!r}) "
            f"in trial {s.get('best_trial', '—')}",
        ),
        ("best parameters", _format_params(s.get("best_params") or {})),
        (
            "ensemble",
            f"{s.get('ensemble', len(bundle.members))} members"
            + (f" ({s['ensemble_dropped']} dropped)" if s.get("ensemble_dropped") else ""),
        ),
        (
            "times",
            f"wall {num(s.get('wall_s'))} s, search {num(s.get('search_s'))} s, "
            f"ensemble {num(s.get('ensemble_s'))} s",
        ),
    ]
    intro = (
        f"The twin of {dataset}: a neural-network ensemble predicting {bundle.target} from "
        f"{', '.join(bundle.features)} in the training units. The search trained one network "
        "per trial (Optuna TPE) and scored it by the objective (R², 1 is a perfect fit); the "
        "ensemble re-trains the best configuration several times, and its spread is the twin's "
        "uncertainty."
    )
    return _Section("search", intro, [_pairs_table(pairs, "summary")])


def _training_section(run: _Run, figures: _Figures) -> _Section:
    bundle = run.bundle
    target, tu = bundle.target, run.unit(bundle.target)
    if run.training is None:
        return _Section(
            "training",
            "The training rows are not in this run folder (no RUN/training.parquet: the folder "
            "predates it; train again to get this section).",
        )
    if len(bundle.features) > 2:
        return _Section(
            "training",
            f"A twin of {len(bundle.features)} features: this section draws twins of one or two "
            "features only.",
        )
    table = run.training
    x = {f: table.values(f) for f in bundle.features}
    y = table.values(target)
    predicted = bundle.predict_members(x)
    residual = y - predicted.mean(axis=0)
    if len(bundle.features) == 1:
        fast, slow = bundle.features[0], None
        groups: list[npt.NDArray[Any]] = [np.arange(len(y))]
    else:
        slow = _slow_axis(run)
        fast = next(f for f in bundle.features if f != slow)
        groups = _line_groups(x[slow])
    fu = run.unit(fast)
    drawn = (
        list(range(len(groups)))
        if len(groups) <= MAX_LINES_DRAWN
        else sorted(set(np.linspace(0, len(groups) - 1, MAX_LINES_DRAWN).round().astype(int)))
    )
    fig = _new_figure(8.0, 7.0)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[3.0, 1.3])
    colours = _colours(len(drawn))
    rms_rows = []
    for index, rows in enumerate(groups):
        rms = float(np.sqrt(np.mean(residual[rows] ** 2)))
        worst = float(np.max(np.abs(residual[rows])))
        value = float(np.mean(x[slow][rows])) if slow else None
        rms_rows.append([num(value) if slow else "all", num(len(rows)), num(rms), num(worst)])
        if index not in drawn:
            continue
        colour = colours[drawn.index(index)]
        xs = x[fast][rows]
        order = np.argsort(xs)
        dense = np.linspace(float(xs.min()), float(xs.max()), DENSE_POINTS)
        points = {fast: dense} if slow is None else {fast: dense, slow: np.full_like(dense, value)}
        members = bundle.predict_members(points)
        mean = members.mean(axis=0)
        std = members.std(axis=0, ddof=1) if len(members) > 1 else np.zeros_like(mean)
        name = f"{slow} = {num(value, 6)} {run.unit(slow)}".rstrip() if slow else "measured"
        top.plot(xs, y[rows], "o", ms=2.5, color=colour, label=name)
        top.plot(dense, mean, "-", lw=1.2, color=colour)
        top.fill_between(dense, mean - std, mean + std, color=colour, alpha=0.25, lw=0)
        bottom.plot(xs[order], residual[rows][order], ".-", ms=2.5, lw=0.6, color=colour)
    top.set_ylabel(_label(target, tu))
    top.legend(fontsize="small", ncol=2, title="measured (dots), twin mean ± std (line, band)")
    bottom.axhline(0.0, color="0.4", lw=0.8)
    bottom.set_xlabel(_label(fast, fu))
    bottom.set_ylabel(_label(f"{target} measured − twin", tu))
    caption = (
        f"{target} along {fast} for each scan line"
        + (f" of {slow}" if slow else "")
        + "; bottom: residuals at the measured points."
    )
    body = [figures.add(fig, "training_vs_twin.png", caption)]
    total = float(np.sqrt(np.mean(residual**2)))
    line_word = f"line of {slow} ({run.unit(slow)})" if slow else "line"
    body.append(
        _paragraph(
            f"RMS residual of every {line_word}, {target} in {tu}; over all {len(y)} rows "
            f"{num(total)} {tu}, while {target} spans {num(float(np.ptp(y)))} {tu}."
        )
    )
    headers = [
        f"{slow} ({run.unit(slow)})" if slow else "line",
        "points",
        f"RMS residual ({tu})",
        f"max |residual| ({tu})",
    ]
    body.append(_table(headers, rms_rows, table_id="rms-residuals"))
    shown = (
        f" ({len(drawn)} of the {len(groups)} lines are drawn, evenly chosen)"
        if len(drawn) < len(groups)
        else ""
    )
    intro = (
        f"The measured {target} (dots) and the twin (line: ensemble mean on {DENSE_POINTS} "
        f"points along {fast}; band: ± one ensemble standard deviation)"
        + (f" at each measured {slow}" if slow else "")
        + f"{shown}. The lower panel shows the residuals measured − twin at the measured "
        "points: a good twin leaves noise, not structure."
    )
    return _Section("training", intro, body)


def _open_study(run: _Run) -> tuple[Any | None, str]:
    """The study of the run (read only), or ``None`` and why not."""
    summary = run.summary
    name = summary.get("study_name")
    recorded = str(summary.get("storage", ""))
    journal = run.folder / "study.journal"
    if not journal.is_file():
        if "://" in recorded:
            return None, (
                f"the study lives in {recorded}, not in a local journal file; the report reads "
                "journal files only (the trials' curves are also in MLflow: reanalyze ui)"
            )
        if recorded and Path(recorded).is_file():
            journal = Path(recorded)
        else:
            return None, f"no study journal in {run.folder} (the study was stored in {recorded})"
    if not name:
        return None, "the bundle's summary names no study"
    try:
        import optuna

        from reanalyze.train.storage import open_storage

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        study = optuna.load_study(study_name=str(name), storage=open_storage(journal))
    except KeyError:
        return None, f"the journal {journal} holds no study {name!r} (empty or damaged)"
    except Exception as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return None, f"the journal {journal} cannot be opened ({message})"
    return study, str(journal)


def _objective_text(run: _Run) -> str:
    """What the trials' objective values mean (dimensionless)."""
    if run.summary.get("objective") == "lines":
        return (
            "1 − (mean held-out line error + fit error above the noise), as fractions of the "
            "line range (dimensionless)"
        )
    return "R² (dimensionless)"


def _learning_section(run: _Run, figures: _Figures) -> _Section:
    intro = (
        f"Training (loss, solid) and validation (val_loss, dashed, when the objective holds "
        f"out scan lines) loss per epoch of the {TOP_TRIALS} best complete trials: the mean "
        "squared error of the standardized target (dimensionless, log scale). Curves that "
        "still fall at the last epoch suggest more epochs; a val_loss rising while loss falls "
        "is over-fitting."
    )
    study, where = _open_study(run)
    if study is None:
        return _Section("learning", intro, [f'<p class="warning">Not drawn: {_e(where)}.</p>'])
    complete = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.state.name == "COMPLETE" and t.value is not None
    ]
    maximize = study.direction.name == "MAXIMIZE"
    best = sorted(complete, key=lambda t: t.value, reverse=maximize)[:TOP_TRIALS]
    with_history = [t for t in best if t.user_attrs.get("history", {}).get("loss")]
    if not with_history:
        return _Section(
            "learning",
            intro,
            [f'<p class="warning">Not drawn: no complete trial with a history in {_e(where)}.</p>'],
        )
    fig = _new_figure(8.0, 4.5)
    ax = fig.subplots()
    colours = _colours(len(with_history))
    rows = []
    for rank, (trial, colour) in enumerate(zip(with_history, colours, strict=True), start=1):
        history = trial.user_attrs["history"]
        loss = np.asarray(history["loss"], dtype=np.float64)
        ax.plot(np.arange(1, loss.size + 1), loss, "-", color=colour, label=f"#{trial.number}")
        val = np.asarray(history.get("val_loss") or [], dtype=np.float64)
        if val.size:
            ax.plot(np.arange(1, val.size + 1), val, "--", color=colour)
        attrs = trial.user_attrs
        rows.append(
            [
                str(rank),
                str(trial.number),
                num(trial.value, 6),
                num(attrs.get("epochs")),
                num(attrs.get("best_epoch")),
                with_unit(attrs.get("wall_s"), "s"),
                _format_params(trial.params),
            ]
        )
    ax.set_yscale("log")
    ax.set_xlabel("epoch (count)")
    ax.set_ylabel("loss: MSE of the standardized target (dimensionless)")
    ax.legend(fontsize="small", title="trial")
    caption = f"Loss per epoch of the {len(with_history)} best complete trials (log scale)."
    body = [
        figures.add(fig, "learning_curves.png", caption),
        _paragraph(f"From the study journal {where}; objective: {_objective_text(run)}."),
        _table(
            ["rank", "trial", "objective", "epochs", "best epoch", "wall", "parameters"],
            rows,
            table_id="best-trials",
        ),
    ]
    return _Section("learning", intro, body)


def _members_stats(bundle: Any, points: Mapping[str, Array]) -> tuple[Array, Array]:
    members = bundle.predict_members(points)
    std = members.std(axis=0, ddof=1) if len(members) > 1 else np.zeros(members.shape[1])
    return members.mean(axis=0), std


def _grid_section(run: _Run, figures: _Figures) -> _Section:
    bundle = run.bundle
    target, tu = bundle.target, run.unit(bundle.target)
    n_members = len(bundle.members)
    spread = (
        "the ensemble standard deviation (the members' disagreement: small on measured lines, "
        "larger between lines far apart)"
        if n_members > 1
        else "no spread (a single member)"
    )
    if len(bundle.features) > 2:
        return _Section(
            "grid",
            f"A twin of {len(bundle.features)} features: this section draws twins of one or two "
            "features only.",
        )
    if len(bundle.features) == 1:
        (name,) = bundle.features
        lo, hi = bundle.ranges[name]
        xs = np.linspace(lo, hi, DENSE_POINTS)
        mean, std = _members_stats(bundle, {name: xs})
        fig = _new_figure(8.0, 4.5)
        ax = fig.subplots()
        ax.fill_between(xs, mean - std, mean + std, alpha=0.3, lw=0, label="± std")
        ax.plot(xs, mean, "-", label="twin mean")
        if run.training is not None:
            ax.plot(
                run.training.values(name), run.training.values(target), "k.", ms=2, label="measured"
            )
        ax.set_xlabel(_label(name, run.unit(name)))
        ax.set_ylabel(_label(target, tu))
        ax.legend(fontsize="small")
        intro = (
            f"The twin's {target} over the training range of {name} on {DENSE_POINTS} points: "
            f"ensemble mean (line) and {spread} (band)."
        )
        caption = f"Simulated {target} along {name} with its ensemble band."
        return _Section("grid", intro, [figures.add(fig, "grid.png", caption)])
    slow = _slow_axis(run)
    fast = next(f for f in bundle.features if f != slow)
    axes = {
        f: np.linspace(float(bundle.ranges[f][0]), float(bundle.ranges[f][1]), GRID_POINTS)
        for f in (fast, slow)
    }
    mesh_fast, mesh_slow = np.meshgrid(axes[fast], axes[slow])
    mean, std = _members_stats(bundle, {fast: mesh_fast.ravel(), slow: mesh_slow.ravel()})
    mean, std = mean.reshape(mesh_fast.shape), std.reshape(mesh_fast.shape)
    fig = _new_figure(11.0, 4.5)
    left, right = fig.subplots(1, 2, sharey=True)
    for ax, values, title, bar, cmap in (
        (left, mean, f"{target}: ensemble mean", target, "viridis"),
        (right, std, f"{target}: ensemble standard deviation", f"std of {target}", "magma"),
    ):
        image = ax.pcolormesh(mesh_fast, mesh_slow, values, shading="auto", cmap=cmap)
        fig.colorbar(image, ax=ax, label=_label(bar, tu))
        ax.set_xlabel(_label(fast, run.unit(fast)))
        ax.set_title(title)
    left.set_ylabel(_label(slow, run.unit(slow)))
    if run.training is not None:
        right.plot(run.training.values(fast), run.training.values(slow), ".", ms=1.5, color="white")
    worst = np.unravel_index(int(np.argmax(std)), std.shape)
    intro = (
        f"The twin's {target} on a {GRID_POINTS} × {GRID_POINTS} grid over the training "
        f"ranges of {fast} and {slow}: the ensemble mean (left) and {spread} (right; the "
        "measured points are drawn as white dots)."
    )
    body = [
        figures.add(fig, "grid.png", f"Simulated {target}({fast}, {slow}) and its ensemble std."),
        _pairs_table(
            [
                ("mean range", f"{num(mean.min())} … {num(mean.max())} {tu}"),
                ("median std", with_unit(float(np.median(std)), tu)),
                (
                    "largest std",
                    f"{num(std.max())} {tu} at {fast} = {num(mesh_fast[worst])} "
                    f"{run.unit(fast)}, {slow} = {num(mesh_slow[worst])} {run.unit(slow)}",
                ),
            ],
            "grid-stats",
        ),
    ]
    return _Section("grid", intro, body)


def _pngs(folder: Path, first: Sequence[str] = ()) -> list[Path]:
    files = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    rank = {name: i for i, name in enumerate(first)}
    return sorted(files, key=lambda p: (rank.get(p.name, len(rank)), p.name))


def _validation_section(folder: Path, run: _Run, figures: _Figures) -> _Section:
    """The line-held-out validation of the run (``RUN/validation``), else the search's own."""
    from reanalyze.validation.result import VALIDATION_FILE, Validation

    where = folder / "validation"
    if not (where / VALIDATION_FILE).is_file():
        section = _Section(
            "validation",
            "Not validated yet: reanalyze validate RUN holds out every interior scan line in "
            "turn, retrains the twin without it and compares with linear, PCHIP, RBF and GP.",
        )
        holdout = run.summary.get("holdout")
        if holdout and holdout.get("classic"):
            rows = [["twin (best trial)", f"{holdout['twin']:.2%}"]] + [
                [name, f"{value:.2%}"] for name, value in sorted(holdout["classic"].items())
            ]
            unit = run.summary.get("slow_unit", "")
            lines = ", ".join(f"{v:g}" for v in holdout["lines"]) + (f" {unit}" if unit else "")
            section.body.append(_paragraph(f"The search's own held-out lines ({lines}):"))
            section.body.append(
                _table(["method", "error / line range"], rows, table_id="search-holdout")
            )
        return section
    validation = Validation.read(where)
    unit = validation.unit
    section = _Section("validation", validation.verdict())
    rows = [
        [m.method, f"{m.rel_rmse:.2%}", num(m.rmse), num(m.max_error), f"{m.wall_s:.1f}"]
        for m in sorted(validation.methods, key=lambda m: m.rel_rmse)
    ]
    section.body.append(
        _table(
            ["method", "error / line range", f"RMSE ({unit})", f"max error ({unit})", "time (s)"],
            rows,
            table_id="validation",
        )
    )
    section.body.append(_notes(validation.notes))

    def along_slow_axis(file: Path) -> tuple[float, str]:
        try:
            return float(file.stem.removeprefix("line_")), file.name
        except ValueError:
            return float("inf"), file.name

    files = sorted(where.glob("line_*.png"), key=along_slow_axis)
    section.body += _embed_files(files, "validation", "held-out line", figures)
    return section


def _embed_files(files: Sequence[Path], prefix: str, caption: str, figures: _Figures) -> list[str]:
    out = []
    for file in files:
        data = file.read_bytes()
        if not data.startswith(PNG_SIGNATURE):
            out.append(f'<p class="warning">{_e(file)} is not a PNG file; not embedded.</p>')
            continue
        out.append(
            figures.add_png(f"{prefix}-{_slug(file.stem)}.png", data, f"{caption}: {file.stem}")
        )
    return out


def _split_variants(keys: Sequence[str]) -> tuple[list[str], list[str]]:
    """Keys that extend another key with ``_...`` (``delta_s_max_1T``) are variants of it.

    Examples
    --------
    >>> _split_variants(["rc", "rcp", "rc_1T", "tec_3K", "tec_3K_1T"])
    (['rc', 'rcp', 'tec_3K'], ['rc_1T', 'tec_3K_1T'])
    """
    names = set(keys)
    variant = [any(k.startswith(f"{other}_") for other in names if other != k) for k in keys]
    return (
        [k for k, v in zip(keys, variant, strict=True) if not v],
        [k for k, v in zip(keys, variant, strict=True) if v],
    )


def _properties_section(items: Sequence[tuple[Path, PropertyFile]], figures: _Figures) -> _Section:
    intro = (
        "Derived properties computed with property plugins (reanalyze property run). From a "
        "twin's simulation every ensemble member is used, so each number is mean ± standard "
        "deviation over the members."
    )
    if not items:
        return _Section("properties", intro, [_paragraph("No property folders were given.")])
    body = []
    for index, (folder, prop) in enumerate(items, start=1):
        name = prop.property or "property"
        body.append(f'<h3 id="property-{index}">{_e(name)} — {_e(folder.name)}</h3>')
        details = [("folder", str(folder)), ("input", prop.input or "—")]
        if prop.params:
            details.append(("parameters", json.dumps(prop.params, default=str)))
        details.append(("ensemble members", str(prop.members)))
        body.append(_pairs_table(details))
        main, variants = _split_variants(list(prop.summary))
        headers = ["quantity", "value ± std", "description"]

        def rows(keys: Sequence[str], p: PropertyFile = prop) -> list[list[str]]:
            return [
                [
                    k,
                    value_pm(p.summary[k].value, p.summary[k].std, p.summary[k].unit),
                    p.summary[k].description,
                ]
                for k in keys
            ]

        body.append(_table(headers, rows(main), table_id=f"property-{index}-summary"))
        if variants:
            body.append(
                f"<details><summary>{len(variants)} more numbers (the same quantities for "
                "other parameter values)</summary>"
                + _table(headers, rows(variants), table_id=f"property-{index}-more")
                + "</details>"
            )
        body.append(_notes(prop.notes))
        prefix = f"property{index}-{_slug(name)}"
        body += _embed_files(_pngs(folder), prefix, f"{name}", figures)
    return _Section("properties", intro, body)


def _plan_rows(plan: PlanFile) -> tuple[list[str], list[list[str]], list[str]]:
    q = plan.quantity
    qu, xu = str(q.get("unit", "")), str(q.get("x_unit", ""))
    step_unit = plan.rows[0].unit if plan.rows and plan.rows[0].unit else plan.axis_unit

    def u(unit: str) -> str:
        return f" ({unit})" if unit else ""

    headers = [
        f"step{u(step_unit)}",
        "lines",
        "points",
        "hours (h)",
        "days (d)",
        f"rms{u(qu)}",
        "rms_rel (%)",
        "tv_ratio (ratio)",
        f"peak{u(qu)}",
        f"peak error{u(qu)}",
        f"peak position error{u(xu)}",
        f"spread{u(qu)}",
        "meets",
    ]

    def percent(value: float | None) -> str:
        return num(100.0 * value) if value is not None and _finite(value) else "—"

    rows, classes = [], []
    for i, r in enumerate(plan.rows):
        mark = " ★" if i == plan.recommended else ""
        rows.append(
            [
                num(r.step) + mark,
                num(r.lines),
                num(r.points),
                num(r.hours),
                num(r.days),
                num(r.rms),
                percent(r.rms_rel),
                num(r.tv_ratio),
                num(r.peak),
                num(r.peak_error),
                num(r.peak_position_error),
                num(r.spread),
                num(r.meets) if r.meets is not None else "—",
            ]
        )
        classes.append("recommended" if i == plan.recommended else "")
    return headers, rows, classes


def _tolerance_text(tolerance: Mapping[str, float | None], x_unit: str) -> str:
    """``rms_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1``: fractions shown in %.

    Examples
    --------
    >>> _tolerance_text({"rms_rel": 0.02, "peak_position": 0.5, "tv_ratio": 1.1}, "K")
    'rms_rel ≤ 2 %, peak_position ≤ 0.5 K, tv_ratio ≤ 1.1'
    """
    parts = []
    for key, value in tolerance.items():
        if value is None:
            parts.append(f"{key}: default")
        elif key.endswith("_rel"):
            parts.append(f"{key} ≤ {num(100.0 * value)} %")
        elif key == "peak_position":
            parts.append(f"{key} ≤ {with_unit(value, x_unit)}")
        else:
            parts.append(f"{key} ≤ {num(value)}")
    return ", ".join(parts)


def _plan_details(plan: PlanFile) -> list[tuple[str, str]]:
    q = plan.quantity
    pairs = [("twin", plan.run or "—"), ("planned axis", f"{plan.axis} ({plan.axis_unit})")]
    if plan.range:
        pairs.append(("range", f"{num(plan.range[0])} … {num(plan.range[-1])} {plan.axis_unit}"))
    for name, axis in plan.fixed_axes.items():
        unit = str(axis.get("unit", ""))
        pairs.append(
            (
                f"fixed axis {name}",
                f"{num(axis.get('start'))} … {num(axis.get('stop'))} {unit}, "
                f"step {num(axis.get('step'))} {unit}",
            )
        )
    if q:
        pairs.append(
            (
                "compared quantity",
                f"{q.get('name', '?')} ({q.get('unit', '')}) vs {q.get('x', '?')} "
                f"({q.get('x_unit', '')})",
            )
        )
    if plan.instrument:
        pairs.append(("instrument", str(plan.instrument.get("name") or plan.instrument)))
    else:
        pairs.append(("instrument", "none given: no instrument time"))
    if plan.tolerance:
        pairs.append(("tolerance", _tolerance_text(plan.tolerance, str(q.get("x_unit", "")))))
    if plan.params:
        pairs.append(("parameters", json.dumps(plan.params, default=str)))
    if plan.recommended is not None:
        r = plan.rows[plan.recommended]
        cost = f": {num(r.hours)} h ({num(r.days)} days)" if r.hours is not None else ""
        pairs.append(("recommended step", f"{num(r.step)} {r.unit or plan.axis_unit}{cost}"))
    else:
        pairs.append(("recommended step", "none: no candidate meets the tolerance"))
    return pairs


def _plans_section(items: Sequence[tuple[Path, PlanFile]], figures: _Figures) -> _Section:
    intro = (
        "Experiment plans (reanalyze plan): for each candidate step the twin simulates the "
        "grid the experiment would measure, the property is computed per ensemble member and "
        "compared with the finest candidate (rms deviation, rms_rel relative to it in %, "
        "tv_ratio = total variation / the finest's, errors of the peak and of its position, "
        "ensemble spread), and the instrument time of the scan lines is added up. The "
        "recommended step (★) is the coarsest that meets the tolerance."
    )
    if not items:
        return _Section("plans", intro, [_paragraph("No plan folders were given.")])
    body = []
    for index, (folder, plan) in enumerate(items, start=1):
        body.append(
            f'<h3 id="plan-{index}">{_e(plan.property)}: step of {_e(plan.axis)} — '
            f"{_e(folder.name)}</h3>"
        )
        body.append(_pairs_table(_plan_details(plan), f"plan-{index}-details"))
        headers, rows, classes = _plan_rows(plan)
        body.append(_table(headers, rows, table_id=f"plan-{index}-rows", row_classes=classes))
        if plan.verdict:
            body.append(f'<p class="verdict">{_e(plan.verdict)}</p>')
        body.append(_notes(plan.notes))
        files = _pngs(folder, first=("convergence.png", "cost_accuracy.png"))
        missing = [
            n for n in ("convergence.png", "cost_accuracy.png") if n not in {f.name for f in files}
        ]
        if missing:
            body.append(
                f'<p class="warning">Missing in {_e(folder)}/figures: {_e(", ".join(missing))}.</p>'
            )
        body += _embed_files(files, f"plan{index}-{_slug(folder.name)}", plan.property, figures)
    return _Section("plans", intro, body)


def _about_section(
    run: _Run,
    out: Path,
    plans: Sequence[Path],
    properties: Sequence[Path],
    mlflow_record: Mapping[str, str] | None,
    generated: str,
) -> _Section:
    from reanalyze import __version__

    pairs = [
        ("reanalyze", __version__),
        ("python", sys.version.split()[0]),
        ("generated", generated),
        ("run folder", str(run.folder.resolve())),
        ("report", str(out.resolve())),
    ]
    pairs += [(f"property {i}", str(p.resolve())) for i, p in enumerate(properties, start=1)]
    pairs += [(f"plan {i}", str(p.resolve())) for i, p in enumerate(plans, start=1)]
    if mlflow_record is not None:
        pairs.append(
            (
                "MLflow",
                f"run {mlflow_record['run_id']} at {mlflow_record['tracking_uri']} "
                f"(artifacts under {REPORT_DIR}/)",
            )
        )
    intro = (
        "How this report was made. It is one self-contained HTML file (figures embedded); the "
        f"same figures are PNG files in {FIGURES_DIR}/ beside it."
    )
    return _Section("about", intro, [_pairs_table(pairs, "about-table")])


# ------------------------------------------------------------------ page
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1100px;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;
margin-top:2em}h3{margin-top:1.5em}
nav ol{columns:2;font-size:.95em}p.intro{color:#333}p.lead{color:#555}
table{border-collapse:collapse;margin:.8em 0;font-size:.9em}
th,td{border:1px solid #ddd;padding:.25em .55em;text-align:left;vertical-align:top}
thead th{background:#f3f3f3}table.pairs th{background:#fafafa;font-weight:600;white-space:nowrap}
tr.recommended td{background:#e8f5e9;font-weight:600}
figure{margin:1em 0}img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.9em;color:#444}span.file{color:#888}
p.warning{background:#fff4e5;border-left:4px solid #f0a030;padding:.4em .7em}
p.verdict{background:#eef4fb;border-left:4px solid #3a78c2;padding:.4em .7em}
ul.notes{font-size:.92em;color:#333}footer{margin-top:3em;color:#555}
details summary{cursor:pointer;color:#3a78c2}
"""

_PAGE = string.Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="reanalyze $version">
<title>$title</title>
<style>$css</style>
</head>
<body>
<header>
<h1>$title</h1>
<p class="lead">$lead</p>
<nav><ol>$toc</ol></nav>
</header>
<main>
$sections
</main>
<footer>
$about
</footer>
</body>
</html>
"""
)


def _page(title: str, lead: str, sections: Sequence[_Section], about: _Section) -> str:
    from reanalyze import __version__

    toc = "".join(f'<li><a href="#{s.key}">{_e(s.title)}</a></li>' for s in [*sections, about])
    return _PAGE.substitute(
        version=_e(__version__),
        title=_e(title),
        css=_CSS,
        lead=_e(lead),
        toc=toc,
        sections="\n".join(s.html() for s in sections),
        about=about.html(),
    )


# ------------------------------------------------------------------ writing
def _resolve_out(run: Path, out: str | Path | None) -> Path:
    if out is None:
        return run / REPORT_DIR / "index.html"
    path = Path(out)
    if path.is_dir() or not path.suffix:
        return path / "index.html"
    return path


def _publish(out: Path, action: Action, text: str, images: Sequence[_Image]) -> None:
    """Write ``out`` and ``out.parent/figures`` from a temporary folder, then move them in."""
    with publish_folder(out.parent, "report", action) as tmp:
        (tmp / out.name).write_text(text, encoding="utf-8")
        (tmp / FIGURES_DIR).mkdir()
        for image in images:
            (tmp / FIGURES_DIR / image.name).write_bytes(image.png)


def _log_mlflow(record: Mapping[str, str], out: Path, tracking_uri: str | None) -> tuple[bool, str]:
    """Add the report to the search's MLflow run; ``(logged, message)``."""
    uri = tracking_uri or record["tracking_uri"]
    if uri.startswith("sqlite:///") and not Path(uri.removeprefix("sqlite:///")).is_file():
        return False, f"MLflow store {uri} not found; report not logged"
    try:
        import mlflow

        logging.getLogger("mlflow").setLevel(logging.ERROR)
        client = mlflow.MlflowClient(tracking_uri=uri)
        client.log_artifact(record["run_id"], str(out), artifact_path=REPORT_DIR)
        client.log_artifacts(
            record["run_id"],
            str(out.parent / FIGURES_DIR),
            artifact_path=f"{REPORT_DIR}/{FIGURES_DIR}",
        )
        client.set_tag(record["run_id"], "reanalyze.report", f"{REPORT_DIR}/{out.name}")
    except Exception as exc:  # the report is written; a tracking failure must not undo it
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return False, f"MLflow: report not logged to run {record['run_id']} ({message})"
    return True, f"MLflow: report logged to run {record['run_id']} at {uri} ({REPORT_DIR}/)"


def write_report(
    run: str | Path,
    out: str | Path | None = None,
    *,
    plans: Sequence[str | Path] = (),
    properties: Sequence[str | Path] = (),
    title: str | None = None,
    log_mlflow: bool = True,
    tracking_uri: str | None = None,
    progress: Progress | None = None,
    overwrite: bool = False,
    option: str = "output folder",
) -> Path:
    """Write the self-contained HTML report of a twin.

    Parameters
    ----------
    run
        A run folder written by ``reanalyze train`` (``bundle.json``, ``members/``,
        ``training.parquet``, ``study.journal``, ``mlflow.json``).
    out
        The HTML file (default ``RUN/report/index.html``); a folder or a name without a
        suffix means ``OUT/index.html``. The figures go to ``out.parent/figures/`` (replaced).
    plans
        Plan folders written by ``reanalyze plan`` (``plan.json``, ``figures/``).
    properties
        Property result folders written by ``reanalyze property run`` (``summary.json``,
        ``figures/``).
    title
        Page title (default ``"Twin report: DATASET"``).
    log_mlflow
        Add the report to the search's MLflow run (``RUN/mlflow.json``) as artifacts under
        ``report/``; a tracking failure is reported through ``progress`` and the log, and
        does not undo the written report.
    tracking_uri
        MLflow tracking URI (default: the one in ``RUN/mlflow.json``).
    progress
        Called with one line per section (for a progress display).
    overwrite
        Allow writing into a non-empty folder reanalyze did not write (only the HTML file and
        ``figures/`` are replaced). Without it such a folder is refused, and so are the
        current folder, a run folder and a folder holding an input, whatever ``overwrite``
        says (:func:`reanalyze.outputs.output_action`).
    option
        How the output is named in error messages (the command line says ``--out``).

    Returns
    -------
    Path
        The HTML file written.

    Raises
    ------
    DataError
        The run folder is missing or damaged, or a plan or property folder is not one. Then
        nothing is written.
    """
    say = progress or (lambda message: None)
    folder = Path(run)
    target = _resolve_out(folder, out)
    action = output_action(
        target.parent,
        "report",
        inputs=[folder, *plans, *properties],
        overwrite=overwrite,
        option=option,
    )
    property_items = [(Path(p), read_property(p)) for p in properties]
    plan_items = [(Path(p), read_plan(p)) for p in plans]
    loaded = _load_run(folder)  # every input is read before the first progress line
    say(f"read {folder}")
    dataset = _dataset_name(loaded)
    figures = _Figures()
    builders: list[tuple[str, Callable[[], _Section]]] = [
        ("search", lambda: _search_section(loaded, dataset)),
        ("training", lambda: _training_section(loaded, figures)),
        ("validation", lambda: _validation_section(folder, loaded, figures)),
        ("learning", lambda: _learning_section(loaded, figures)),
        ("grid", lambda: _grid_section(loaded, figures)),
        ("properties", lambda: _properties_section(property_items, figures)),
        ("plans", lambda: _plans_section(plan_items, figures)),
    ]
    sections = []
    for key, build in builders:
        say(SECTION_TITLES[key])
        sections.append(build())
    from reanalyze.train.tracking import tracking_record

    record = tracking_record(folder) if log_mlflow else None
    if record is not None and tracking_uri:
        record = {**record, "tracking_uri": tracking_uri}
    generated = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    say(SECTION_TITLES["about"])
    about = _about_section(
        loaded,
        target,
        [p for p, _ in plan_items],
        [p for p, _ in property_items],
        record,
        generated,
    )
    heading = title or f"Twin report: {dataset}"
    lead = (
        f"{loaded.bundle.target}({', '.join(loaded.bundle.features)}) of {dataset}, "
        f"{len(loaded.bundle.members)}-member ensemble; generated {generated} by reanalyze."
    )
    text = _page(heading, lead, sections, about)
    say(f"writing {target}")
    _publish(target, action, text, figures.images)
    if record is not None:
        logged, message = _log_mlflow(record, target, tracking_uri)
        if not logged:
            logging.getLogger(__name__).warning("%s", message)
        say(message)
    return target
