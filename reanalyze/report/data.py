"""What the report shows, as plain data: collected from the files, rendered to HTML.

:mod:`~reanalyze.report.collect` fills these objects (reading files and predicting with the
twin); :mod:`~reanalyze.report.sections` turns them into HTML without reading anything.
Figures are PNG bytes (:class:`Image`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reanalyze.planning.plan_file import PlanFile
from reanalyze.properties.results import PropertyFile
from reanalyze.twin.run_folder import BundleFile

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


@dataclass
class Image:
    """A figure of the report: ``FIGURES_DIR/name``, embedded in the page with its caption.

    ``figure`` is the :class:`matplotlib.figure.Figure` the report drew it from (for checks
    such as :func:`reanalyze.plotting.figure_problems`); None for a PNG read from a folder.
    """

    name: str
    png: bytes
    caption: str
    figure: Any = field(default=None, repr=False, compare=False)


@dataclass
class NotPng:
    """A figure file of an input folder that is not a PNG file (not embedded)."""

    path: str


Embedded = Image | NotPng


@dataclass
class RunInfo:
    """The twin of a run folder: its ``bundle.json`` and what the report adds to it.

    ``bundle`` describes the twin (columns, units, kinds, training ranges, checksum, member
    files, search summary, sample); ``rows``: the training rows, None without
    ``RUN/training.parquet``.
    """

    folder: Path
    dataset: str
    bundle: BundleFile
    rows: int | None

    @property
    def members(self) -> int:
        """The number of ensemble members."""
        return len(self.bundle.members)

    @property
    def sample(self) -> dict[str, Any]:
        """The training table's sample (material, mass, molar mass); empty when unknown."""
        return self.bundle.sample or {}

    def unit(self, name: str) -> str:
        """The unit of a column of the twin in conventional notation (``""`` when unknown)."""
        from reanalyze.units import pretty_unit

        return pretty_unit(self.bundle.units.get(name, ""))


@dataclass
class LineFit:
    """Residuals measured − twin on one scan line (``value`` of the slow axis; None: all)."""

    value: float | None
    points: int
    rms: float
    worst: float


@dataclass
class TrainingFit:
    """Section 2: the training rows against the twin, line by line."""

    fast: str
    slow: str | None
    lines: list[LineFit]
    drawn: int  # lines drawn in the figure
    rows: int
    total_rms: float
    span: float  # peak-to-peak of the target
    image: Image


@dataclass
class MethodScore:
    """One method of the line-held-out validation."""

    method: str
    rel_rmse: float
    rmse: float
    max_error: float
    wall_s: float


@dataclass
class ValidationInfo:
    """Section 3 when ``RUN/validation`` exists."""

    verdict: str
    unit: str
    methods: list[MethodScore]
    notes: list[str] = field(default_factory=list)
    figures: list[Embedded] = field(default_factory=list)


@dataclass
class TrialInfo:
    """One of the best complete trials of the search."""

    number: int
    value: float
    epochs: Any = None
    best_epoch: Any = None
    wall_s: Any = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Learning:
    """Section 4. ``where``: the journal read, or (``opened`` false) why none could be."""

    opened: bool
    where: str
    trials: list[TrialInfo] = field(default_factory=list)
    image: Image | None = None


@dataclass
class GridInfo:
    """Section 5: the twin on a grid over the training ranges (``slow`` None: one feature).

    ``line_std`` and ``line_worst``: the largest std on the measured scan lines and where;
    ``between_std`` and ``between_worst``: the largest std on grid rows more than one grid
    step from every measured line (None without training rows); ``spread``: the figure of
    the largest std along the fast axis, between the lines and on them.
    """

    fast: str
    slow: str | None
    image: Image
    mean_min: float | None = None
    mean_max: float | None = None
    median_std: float | None = None
    max_std: float | None = None
    worst: dict[str, float] = field(default_factory=dict)  # where the std is largest
    line_std: float | None = None
    line_worst: dict[str, float] = field(default_factory=dict)
    between_std: float | None = None
    between_worst: dict[str, float] = field(default_factory=dict)
    lines: int = 0  # measured scan lines drawn on the std map
    spread: Image | None = None


@dataclass
class ExactRow:
    """The twin against the exact answer for one field change µ0ΔH (T)."""

    delta_h: float
    twin_peak: float  # the result's |ΔS_M|max (members' peaks averaged)
    twin_std: float | None  # its ensemble std
    exact_peak: float  # the exact maximum (on a fine temperature grid)
    twin_t_peak: float  # K
    exact_t_peak: float  # K
    rms: float  # RMS of twin − exact over the temperatures of the result
    within: float | None  # fraction of those temperatures where |twin − exact| ≤ 2 std


@dataclass
class ExactComparison:
    """A property of a synthetic dataset set beside the generator's exact answer."""

    generator: str
    dataset: str
    unit: str
    rows: list[ExactRow]
    image: Image


@dataclass
class PropertyEntry:
    """A property result folder (section 6); ``exact``: the exact answer, when one is known."""

    folder: Path
    result: PropertyFile
    figures: list[Embedded] = field(default_factory=list)
    exact: ExactComparison | None = None


@dataclass
class PlanEntry:
    """A plan folder (section 7); ``missing``: its expected figures that are not there."""

    folder: Path
    plan: PlanFile
    figures: list[Embedded] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass
class About:
    """Section 8: how the report was made."""

    version: str
    python: str
    generated: str
    run: str
    report: str
    properties: list[str] = field(default_factory=list)
    plans: list[str] = field(default_factory=list)
    mlflow: dict[str, str] | None = None


@dataclass
class ReportData:
    """Everything the report shows; ``images`` are all its figures, in page order."""

    run: RunInfo
    training: TrainingFit | None
    validation: ValidationInfo | None
    learning: Learning
    grid: GridInfo | None
    properties: list[PropertyEntry]
    plans: list[PlanEntry]
    about: About
    images: list[Image] = field(default_factory=list)
