"""Writing the report: the output folder (HTML file and figures) and the MLflow artifacts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from reanalyze.outputs import Action, output_action, publish_folder
from reanalyze.report.collect import collect_report
from reanalyze.report.data import FIGURES_DIR, REPORT_DIR, Image
from reanalyze.report.sections import render

__all__ = ["write_report"]

Progress = Callable[[str], None]


def _resolve_out(run: Path, out: str | Path | None) -> Path:
    if out is None:
        return run / REPORT_DIR / "index.html"
    path = Path(out)
    if path.is_dir() or not path.suffix:
        return path / "index.html"
    return path


def _publish(out: Path, action: Action, text: str, images: Sequence[Image]) -> None:
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
    note: Progress | None = None,
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
        ``report/``; the outcome is said through ``note`` (a failure goes to the log when
        there is neither ``note`` nor ``progress``), and a failure does not undo the
        written report.
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
    note
        Called with the outcome of logging to MLflow (default: ``progress``), which a caller
        shows even without a progress display.

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
    data = collect_report(
        folder,
        target,
        plans=plans,
        properties=properties,
        log_mlflow=log_mlflow,
        tracking_uri=tracking_uri,
        progress=say,
    )
    text = render(data, title)
    say(f"writing {target}")
    _publish(target, action, text, data.images)
    if data.about.mlflow is not None:
        logged, message = _log_mlflow(data.about.mlflow, target, tracking_uri)
        tell = note or progress
        if tell is not None:
            tell(message)
        elif not logged:  # nobody to tell: a failure goes to the log
            logging.getLogger(__name__).warning("%s", message)
    return target
