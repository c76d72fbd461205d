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
3. Held-out scan lines — the line-held-out validation (``reanalyze validate``), else the
   search's own held-out lines.
4. Learning curves of the best trials — loss and val_loss per epoch of the 5 best complete
   trials, read from the study journal (when it cannot be read, the section says why).
5. The simulated grid — the twin's mean and ensemble std on a 200 × 200 grid over the
   training ranges (a curve with its band for one feature).
6. Properties — summary (value ± std unit), notes and figures of each property folder.
7. Plans — step vs cost vs property error, the recommended step, the verdict, the figures.
8. About this report — version, time, inputs.

One job per module: :mod:`~reanalyze.report.collect` reads the inputs and predicts with the
twin into the plain data of :mod:`~reanalyze.report.data` (figures drawn by
:mod:`~reanalyze.report.figures` as PNG bytes); :mod:`~reanalyze.report.sections` renders it
to HTML (pieces in :mod:`~reanalyze.report.markup`) without reading anything;
:mod:`~reanalyze.report.write` writes the folder and logs it to MLflow.

The report is built in memory and written at the end (temporary folder, then renamed), so an
error leaves nothing half-written. When the run was logged to MLflow (``RUN/mlflow.json``),
the report is added to that search run as artifacts under ``report/``.

Examples
--------
>>> from reanalyze.report import write_report                     # doctest: +SKIP
>>> write_report("runs/erco2", plans=["plans/erco2"], properties=["ds"])  # doctest: +SKIP
PosixPath('runs/erco2/report/index.html')
"""

from reanalyze.planning.plan_file import PlanFile, PlanRow, read_plan
from reanalyze.properties.results import PropertyFile, PropertyItem, read_property
from reanalyze.report.data import (
    DENSE_POINTS,
    FIGURES_DIR,
    GRID_POINTS,
    REPORT_DIR,
    SECTION_TITLES,
    TOP_TRIALS,
)
from reanalyze.report.text import num, value_pm, with_unit
from reanalyze.report.write import write_report

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
    "PropertyItem",
    "num",
    "read_plan",
    "read_property",
    "value_pm",
    "with_unit",
    "write_report",
]
