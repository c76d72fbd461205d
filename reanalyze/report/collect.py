"""Everything the report reads: the run folder, the twin's predictions, the other folders.

This is the only part of the report that opens files (the run folder, its study journal and
validation, property and plan folders, MLflow's record) and predicts with the twin. It turns
them into the plain data of :mod:`reanalyze.report.data`, figures included (PNG bytes), which
:mod:`reanalyze.report.sections` renders.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze.arrays import FloatArray
from reanalyze.errors import DataError
from reanalyze.planning.plan_file import PlanFile, read_plan
from reanalyze.plotting import symbols
from reanalyze.properties.results import PropertyFile, read_property
from reanalyze.report import exact, figures
from reanalyze.report.data import (
    DENSE_POINTS,
    GRID_POINTS,
    SECTION_TITLES,
    TOP_TRIALS,
    About,
    Embedded,
    ExactComparison,
    ExactRow,
    GridInfo,
    Image,
    Learning,
    LineFit,
    MethodScore,
    NotPng,
    PlanEntry,
    PropertyEntry,
    ReportData,
    RunInfo,
    TrainingFit,
    TrialInfo,
    ValidationInfo,
)
from reanalyze.report.text import held_out_caption, num, slug
from reanalyze.twin.run_folder import BundleFile, read_bundle_file
from reanalyze.units import pretty_unit

__all__ = ["collect_report", "load_run"]

Progress = Callable[[str], None]

#: Scan lines drawn at most (evenly chosen; the RMS table lists every line).
MAX_LINES_DRAWN = 12
#: Scan lines whose slow-axis values differ by less than this fraction of its range are one.
LINE_TOLERANCE = 1e-3
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The figures a plan folder should hold, shown first.
PLAN_FIGURES = ("convergence.png", "cost_accuracy.png")


# ------------------------------------------------------------------ figures
@dataclass
class _Images:
    """The report's figures in page order, each under a name of its own."""

    images: list[Image] = field(default_factory=list)

    def add(self, name: str, png: bytes, caption: str, figure: Any = None) -> Image:
        taken = {i.name for i in self.images}
        stem, candidate, k = name.removesuffix(".png"), name, 2
        while candidate in taken:
            candidate, k = f"{stem}-{k}.png", k + 1
        image = Image(candidate, png, caption, figure)
        self.images.append(image)
        return image

    def draw(self, name: str, figure: Any, caption: str) -> Image:
        """A figure the report drew, as PNG (the figure is kept for checks)."""
        return self.add(name, figures.png(figure), caption, figure)

    def add_files(
        self, files: Sequence[Path], prefix: str, caption: str | Callable[[Path], str]
    ) -> list[Embedded]:
        """The PNG files of an input folder (a file that is not one is named, not embedded).

        ``caption``: a text the file's stem is appended to, or the caption of each file.
        """
        out: list[Embedded] = []
        for file in files:
            data = file.read_bytes()
            if not data.startswith(PNG_SIGNATURE):
                out.append(NotPng(str(file)))
                continue
            text = caption(file) if callable(caption) else f"{caption}: {file.stem}"
            out.append(self.add(f"{prefix}-{slug(file.stem)}.png", data, text))
        return out


def _pngs(folder: Path, first: Sequence[str] = ()) -> list[Path]:
    files = sorted((folder / "figures").glob("*.png")) if (folder / "figures").is_dir() else []
    rank = {name: i for i, name in enumerate(first)}
    return sorted(files, key=lambda p: (rank.get(p.name, len(rank)), p.name))


# ------------------------------------------------------------------ the run
@dataclass
class _Run:
    """What the report needs from a run folder."""

    folder: Path
    bundle: Any
    training: Any | None  # UnitTable of the training rows, when RUN/training.parquet exists
    description: BundleFile  # its bundle.json

    @property
    def summary(self) -> dict[str, Any]:
        return dict(self.bundle.summary)

    def unit(self, name: str) -> str:
        return str(self.bundle.units.get(name, ""))


def load_run(folder: Path) -> _Run:
    """The bundle, its ``bundle.json`` and the training rows of a run folder.

    Raises
    ------
    DataError
        No folder, a damaged bundle, no members, or training rows without the twin's columns.
    """
    from reanalyze.table import UnitTable
    from reanalyze.twin.bundle import ModelBundle

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
    return _Run(folder, bundle, training, read_bundle_file(folder))


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


def _run_info(run: _Run) -> RunInfo:
    rows = len(run.training) if run.training is not None else None
    return RunInfo(run.folder, _dataset_name(run), run.description, rows)


def _slow_axis(run: _Run) -> str:
    features = run.bundle.features
    if run.training is not None:
        slow = run.training.metadata.get("slow_axis")
        if slow in features:
            return str(slow)
        counts = [len(np.unique(run.training.values(f))) for f in features]
        return str(features[int(np.argmin(counts))])
    return str(features[-1])


def _line_groups(values: FloatArray) -> list[npt.NDArray[Any]]:
    """Row indices of each scan line: slow-axis values closer than LINE_TOLERANCE·range."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    span = float(np.ptp(values)) if values.size else 0.0
    gap = LINE_TOLERANCE * span
    breaks = np.flatnonzero(np.diff(ordered) > gap) + 1
    return [np.sort(part) for part in np.split(order, breaks)]


def _members_stats(bundle: Any, points: Mapping[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
    members = bundle.predict_members(points)
    std = members.std(axis=0, ddof=1) if len(members) > 1 else np.zeros(members.shape[1])
    return members.mean(axis=0), std


# ------------------------------------------------------------------ sections' data
def _training(run: _Run, images: _Images) -> TrainingFit | None:
    """The training rows against the twin (None: no rows, or more than two features)."""
    bundle = run.bundle
    if run.training is None or len(bundle.features) > 2:
        return None
    target, table = bundle.target, run.training
    x = {f: table.values(f) for f in bundle.features}
    y = table.values(target)
    residual = y - bundle.predict_members(x).mean(axis=0)
    if len(bundle.features) == 1:
        fast, slow = bundle.features[0], None
        groups: list[npt.NDArray[Any]] = [np.arange(len(y))]
    else:
        slow = _slow_axis(run)
        fast = next(f for f in bundle.features if f != slow)
        groups = _line_groups(x[slow])
    drawn = (
        list(range(len(groups)))
        if len(groups) <= MAX_LINES_DRAWN
        else sorted(set(np.linspace(0, len(groups) - 1, MAX_LINES_DRAWN).round().astype(int)))
    )
    lines, drawn_lines = [], []
    for index, rows in enumerate(groups):
        value = float(np.mean(x[slow][rows])) if slow else None
        lines.append(
            LineFit(
                value=value,
                points=len(rows),
                rms=float(np.sqrt(np.mean(residual[rows] ** 2))),
                worst=float(np.max(np.abs(residual[rows]))),
            )
        )
        if index not in drawn:
            continue
        xs = x[fast][rows]
        dense = np.linspace(float(xs.min()), float(xs.max()), DENSE_POINTS)
        points = {fast: dense} if slow is None else {fast: dense, slow: np.full_like(dense, value)}
        mean, std = _members_stats(bundle, points)
        where = f"{symbols(slow)} = {num(value, 6)} {pretty_unit(run.unit(slow))}" if slow else ""
        name = where.rstrip()
        drawn_lines.append(
            figures.DrawnLine(
                name or "measured", xs, y[rows], residual[rows], dense, mean, std, value
            )
        )
    figure = figures.training_figure(
        drawn_lines,
        target,
        run.unit(target),
        fast,
        run.unit(fast),
        None if slow is None else (slow, run.unit(slow)),
    )
    caption = (
        f"{target} along {fast} for each scan line"
        + (f" of {slow}" if slow else "")
        + "; bottom: residuals at the measured points."
    )
    return TrainingFit(
        fast=fast,
        slow=slow,
        lines=lines,
        drawn=len(drawn),
        rows=len(y),
        total_rms=float(np.sqrt(np.mean(residual**2))),
        span=float(np.ptp(y)),
        image=images.draw("training_vs_twin.png", figure, caption),
    )


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

        from reanalyze.twin.storage import open_storage

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        study = optuna.load_study(study_name=str(name), storage=open_storage(journal))
    except KeyError:
        return None, f"the journal {journal} holds no study {name!r} (empty or damaged)"
    except Exception as exc:
        message = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return None, f"the journal {journal} cannot be opened ({message})"
    return study, str(journal)


def _learning(run: _Run, images: _Images) -> Learning:
    study, where = _open_study(run)
    if study is None:
        return Learning(opened=False, where=where)
    complete = [
        t
        for t in study.get_trials(deepcopy=False)
        if t.state.name == "COMPLETE" and t.value is not None
    ]
    maximize = study.direction.name == "MAXIMIZE"
    best = sorted(complete, key=lambda t: t.value, reverse=maximize)[:TOP_TRIALS]
    with_history = [t for t in best if t.user_attrs.get("history", {}).get("loss")]
    if not with_history:
        return Learning(opened=True, where=where)
    curves, trials = [], []
    for trial in with_history:
        attrs = trial.user_attrs
        history = attrs["history"]
        loss = np.asarray(history["loss"], dtype=np.float64)
        val = np.asarray(history.get("val_loss") or [], dtype=np.float64)
        curves.append((int(trial.number), loss, val))
        trials.append(
            TrialInfo(
                number=int(trial.number),
                value=float(trial.value),
                epochs=attrs.get("epochs"),
                best_epoch=attrs.get("best_epoch"),
                wall_s=attrs.get("wall_s"),
                params=dict(trial.params),
            )
        )
    caption = f"Loss per epoch of the {len(with_history)} best complete trials (log scale)."
    image = images.draw("learning_curves.png", figures.learning_figure(curves), caption)
    return Learning(opened=True, where=where, trials=trials, image=image)


def _measured_lines(run: _Run, fast: str, slow: str) -> list[figures.MeasuredLine]:
    """The measured scan lines of the training rows (none without them)."""
    if run.training is None:
        return []
    x_fast, x_slow = run.training.values(fast), run.training.values(slow)
    return [
        figures.MeasuredLine(
            float(np.mean(x_slow[rows])), float(x_fast[rows].min()), float(x_fast[rows].max())
        )
        for rows in _line_groups(x_slow)
    ]


def _grid(run: _Run, images: _Images) -> GridInfo | None:
    """The twin on a grid over the training ranges (None: more than two features)."""
    bundle = run.bundle
    target, tu = bundle.target, run.unit(bundle.target)
    if len(bundle.features) > 2:
        return None
    measured = run.training
    if len(bundle.features) == 1:
        (name,) = bundle.features
        lo, hi = bundle.ranges[name]
        xs = np.linspace(lo, hi, DENSE_POINTS)
        mean, std = _members_stats(bundle, {name: xs})
        figure = figures.curve_figure(
            xs,
            mean,
            std,
            None if measured is None else (measured.values(name), measured.values(target)),
            (name, run.unit(name)),
            (target, tu),
        )
        caption = f"Simulated {target} along {name} with its ensemble band."
        return GridInfo(fast=name, slow=None, image=images.draw("grid.png", figure, caption))
    slow = _slow_axis(run)
    fast = next(f for f in bundle.features if f != slow)
    axes = {
        f: np.linspace(float(bundle.ranges[f][0]), float(bundle.ranges[f][1]), GRID_POINTS)
        for f in (fast, slow)
    }
    mesh_fast, mesh_slow = np.meshgrid(axes[fast], axes[slow])
    mean, std = _members_stats(bundle, {fast: mesh_fast.ravel(), slow: mesh_slow.ravel()})
    mean, std = mean.reshape(mesh_fast.shape), std.reshape(mesh_fast.shape)
    lines = _measured_lines(run, fast, slow)
    names, units = (target, fast, slow), (tu, run.unit(fast), run.unit(slow))
    figure = figures.grid_figure((mesh_fast, mesh_slow), mean, std, names, units, lines)
    worst = np.unravel_index(int(np.argmax(std)), std.shape)
    caption = (
        f"Simulated {target}({fast}, {slow}) and its ensemble std, with the measured scan lines "
        "drawn on the std map (× marks the largest std)."
    )
    info = GridInfo(
        fast=fast,
        slow=slow,
        image=images.draw("grid.png", figure, caption),
        mean_min=float(mean.min()),
        mean_max=float(mean.max()),
        median_std=float(np.median(std)),
        max_std=float(std.max()),
        worst={fast: float(mesh_fast[worst]), slow: float(mesh_slow[worst])},
        lines=len(lines),
    )
    if not lines:
        return info
    # the std on the measured lines themselves, on the same fast-axis points
    values = np.array([line.value for line in lines])
    on_fast, on_slow = np.meshgrid(axes[fast], values)
    _, on_std = _members_stats(bundle, {fast: on_fast.ravel(), slow: on_slow.ravel()})
    on_std = on_std.reshape(on_fast.shape)
    k = np.unravel_index(int(np.argmax(on_std)), on_std.shape)
    info.line_std = float(on_std[k])
    info.line_worst = {fast: float(on_fast[k]), slow: float(on_slow[k])}
    # grid rows more than one grid step away from every measured line
    step = float(np.ptp(axes[slow])) / (GRID_POINTS - 1)
    away = np.abs(axes[slow][:, None] - values[None, :]).min(axis=1) > step
    between_max = None
    if away.any():
        between = np.where(away[:, None], std, -np.inf)
        k = np.unravel_index(int(np.argmax(between)), between.shape)
        info.between_std = float(std[k])
        info.between_worst = {fast: float(mesh_fast[k]), slow: float(mesh_slow[k])}
        between_max = between.max(axis=0)
    spread = figures.spread_figure(axes[fast], between_max, on_std.max(axis=0), names, units)
    caption = (
        f"The largest ensemble std of {target} at each {fast}: between the measured {slow} "
        f"lines (grid rows more than one step from each) and on them. Where the first rises "
        "above the second the members disagree between the measured lines; a feature of a "
        "property derived there (a bump in ΔS_M) rests on the twin's interpolation alone."
    )
    info.spread = images.draw("grid_spread.png", spread, caption)
    return info


def _validation(folder: Path, images: _Images) -> ValidationInfo | None:
    """The line-held-out validation of the run (``RUN/validation``; None: not validated)."""
    from reanalyze.validation.result import VALIDATION_FILE, Validation

    where = folder / "validation"
    if not (where / VALIDATION_FILE).is_file():
        return None
    validation = Validation.read(where)

    def along_slow_axis(file: Path) -> tuple[float, str]:
        try:
            return float(file.stem.removeprefix("line_")), file.name
        except ValueError:
            return float("inf"), file.name

    files = sorted(where.glob("line_*.png"), key=along_slow_axis)

    def caption(file: Path) -> str:
        value, _ = along_slow_axis(file)
        return held_out_caption(validation.slow_axis, value, validation.slow_unit, file.stem)

    return ValidationInfo(
        verdict=validation.verdict(),
        unit=validation.unit,
        methods=[
            MethodScore(m.method, m.rel_rmse, m.rmse, m.max_error, m.wall_s)
            for m in validation.methods
        ],
        notes=list(validation.notes),
        figures=images.add_files(files, "validation", caption),
    )


def _exact(
    folder: Path, prop: PropertyFile, dataset: str, prefix: str, images: _Images
) -> ExactComparison | None:
    """The exact answer beside a magnetocaloric result of a synthetic dataset's twin."""
    if prop.property != "magnetocaloric":
        return None
    found = exact.synthetic_generator(dataset)
    if found is None:
        return None
    name, generator = found
    compared = exact.magnetocaloric_exact(folder, generator)
    if compared is None:
        return None
    unit, curves = compared
    rows = []
    for curve in curves:
        difference = curve.twin - curve.exact
        within = None
        if curve.std is not None:
            within = float(np.mean(np.abs(difference) <= 2.0 * curve.std))
        rows.append(
            ExactRow(
                delta_h=curve.delta_h,
                twin_peak=curve.twin_peak,
                twin_std=curve.twin_peak_std,
                exact_peak=curve.exact_peak,
                twin_t_peak=curve.twin_t_peak,
                exact_t_peak=curve.exact_t_peak,
                rms=float(np.sqrt(np.mean(difference**2))),
                within=within,
            )
        )
    caption = (
        f"−ΔS_M(T) of the twin (ensemble mean, band ± 1 std) against the exact answer of the "
        f"generator {name} for {len(curves)} field changes; bottom: twin − exact."
    )
    figure = figures.exact_figure(curves, unit, name)
    image = images.draw(f"{prefix}-exact.png", figure, caption)
    return ExactComparison(name, dataset, unit, rows, image)


def _properties(
    items: Sequence[tuple[Path, PropertyFile]], dataset: str, images: _Images
) -> list[PropertyEntry]:
    entries = []
    for index, (folder, prop) in enumerate(items, start=1):
        name = prop.property or "property"
        prefix = f"property{index}-{slug(name)}"
        compared = _exact(folder, prop, dataset, prefix, images)  # shown before the files
        embedded = images.add_files(_pngs(folder), prefix, name)
        entries.append(PropertyEntry(folder, prop, embedded, compared))
    return entries


def _plans(items: Sequence[tuple[Path, PlanFile]], images: _Images) -> list[PlanEntry]:
    entries = []
    for index, (folder, plan) in enumerate(items, start=1):
        files = _pngs(folder, first=PLAN_FIGURES)
        missing = [n for n in PLAN_FIGURES if n not in {f.name for f in files}]
        prefix = f"plan{index}-{slug(folder.name)}"
        embedded = images.add_files(files, prefix, plan.property)
        entries.append(PlanEntry(folder, plan, embedded, missing))
    return entries


# ------------------------------------------------------------------ all of it
def collect_report(
    run: Path,
    out: Path,
    *,
    plans: Sequence[str | Path] = (),
    properties: Sequence[str | Path] = (),
    log_mlflow: bool = True,
    tracking_uri: str | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Read every input of a report and compute what it shows (``out``: the HTML file).

    Every input is read and validated before the first progress line; then ``progress``
    gets one line per section while its data is computed.

    Raises
    ------
    DataError
        The run folder is missing or damaged, or a plan or property folder is not one.
    """
    from reanalyze import __version__
    from reanalyze.twin.tracking import tracking_record

    say = progress or (lambda message: None)
    property_items = [(Path(p), read_property(p)) for p in properties]
    plan_items = [(Path(p), read_plan(p)) for p in plans]
    loaded = load_run(run)
    say(f"read {run}")
    images = _Images()
    dataset = _dataset_name(loaded)
    steps: list[tuple[str, str, Callable[[], Any]]] = [  # section, ReportData field, collector
        ("search", "run", lambda: _run_info(loaded)),
        ("training", "training", lambda: _training(loaded, images)),
        ("validation", "validation", lambda: _validation(run, images)),
        ("learning", "learning", lambda: _learning(loaded, images)),
        ("grid", "grid", lambda: _grid(loaded, images)),
        ("properties", "properties", lambda: _properties(property_items, dataset, images)),
        ("plans", "plans", lambda: _plans(plan_items, images)),
    ]
    parts: dict[str, Any] = {}
    for key, name, collect in steps:
        say(SECTION_TITLES[key])
        parts[name] = collect()
    record = tracking_record(run) if log_mlflow else None
    if record is not None and tracking_uri:
        record = {**record, "tracking_uri": tracking_uri}
    say(SECTION_TITLES["about"])
    about = About(
        version=__version__,
        python=sys.version.split()[0],
        generated=dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        run=str(run.resolve()),
        report=str(out.resolve()),
        properties=[str(p.resolve()) for p, _ in property_items],
        plans=[str(p.resolve()) for p, _ in plan_items],
        mlflow=None if record is None else dict(record),
    )
    return ReportData(**parts, about=about, images=images.images)
