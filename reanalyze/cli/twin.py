"""The twin: ``train``, ``validate``, ``simulate``, ``worker`` and the MLflow ``ui``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from reanalyze.cli._app import Interrupted, app
from reanalyze.cli._common import (
    ColumnOption,
    LoaderOption,
    LoaderOptionsOption,
    NoMlflowOption,
    OverwriteFileOption,
    OverwriteOption,
    QuietOption,
    RunDirArgument,
    SlowAxisOption,
    TrackingUriOption,
    UnitsOption,
    WorkersOption,
    XOption,
    YOption,
    _grid_source,
    _note,
    _table_file,
    _unit_pairs,
    _write,
    err,
    out,
    print_table,
    unit_header,
)


@app.command("train")
def train(
    data: Annotated[list[str], typer.Argument(help="File(s), glob(s) or a registry dataset name.")],
    x: XOption = None,
    y: YOption = None,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Run folder for the twin.")] = Path(
        "run"
    ),
    recipe: Annotated[
        str, typer.Option(help="default (held-out-line objective, log axes) or paper.")
    ] = "default",
    trials: Annotated[
        int | None,
        typer.Option(min=1, help="Finished trials to reach (default: the recipe's)."),
    ] = None,
    workers: WorkersOption = 0,
    seed: Annotated[int, typer.Option(help="Seed of sampler and initializations.")] = 0,
    storage: Annotated[
        str | None, typer.Option(help="Study storage: journal file or SQLAlchemy URL.")
    ] = None,
    study: Annotated[str | None, typer.Option(help="Study name in the storage.")] = None,
    objective: Annotated[
        str | None,
        typer.Option(
            help="lines (held-out line errors + training fit), train (the paper's training"
            " R²), blend or holdout; default: the recipe's."
        ),
    ] = None,
    ensemble: Annotated[
        int | None,
        typer.Option(min=1, help="Ensemble members (re-initializations of the best)."),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Stop starting trials after SECONDS (> 0).")
    ] = None,
    space_file: Annotated[
        Path | None, typer.Option("--space", help="Search-space YAML file.")
    ] = None,
    layers: Annotated[str | None, typer.Option(help="Hidden layers LOW:HIGH.")] = None,
    nodes: Annotated[str | None, typer.Option(help="Nodes per layer LOW:HIGH.")] = None,
    lr: Annotated[str | None, typer.Option("--lr", help="Learning rate LOW:HIGH.")] = None,
    batch_size: Annotated[str | None, typer.Option(help="Batch sizes, comma separated.")] = None,
    activation: Annotated[
        str | None, typer.Option(help="Activations, e.g. relu,silu,tanh.")
    ] = None,
    optimizer: Annotated[
        str | None, typer.Option(help="Optimizers: adam,sgd,nesterov,rmsprop.")
    ] = None,
    max_epochs: Annotated[
        int | None, typer.Option(min=1, help="Maximum epochs per network.")
    ] = None,
    patience: Annotated[
        int | None, typer.Option(min=1, help="Early-stopping patience, epochs.")
    ] = None,
    units: UnitsOption = None,
    loader: LoaderOption = None,
    loader_option: LoaderOptionsOption = None,
    slow_axis: SlowAxisOption = None,
    column: ColumnOption = None,
    tracking_uri: TrackingUriOption = None,
    no_mlflow: NoMlflowOption = False,
    quiet: QuietOption = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Search for the best network and save a twin (model bundle) into --out."""
    from reanalyze.workflows import train_twin

    given = (layers, nodes, lr, batch_size, activation, optimizer, max_epochs, patience)
    overrides = dict(zip(SPACE_OPTIONS, given, strict=True))
    options = {
        "n_trials": trials, "workers": workers, "seed": seed, "storage": storage,
        "study_name": study, "objective": objective, "ensemble": ensemble, "timeout": timeout,
    }  # fmt: skip
    with _trial_progress(trials, recipe, quiet) as show, _resumable(out_dir):
        run = train_twin(
            data, out_dir, features=x, target=y, recipe=recipe, space_file=space_file,
            overrides=overrides, names=SPACE_OPTIONS, units=_unit_pairs(units) or None,
            loader=loader, load_options=_load_options(loader_option, slow_axis, column),
            search_options=options, tracking_uri=tracking_uri,
            log_to_mlflow=not no_mlflow, overwrite=overwrite, option="--out",
            note=_note, progress=show,
        )  # fmt: skip
    _print_training(run, out_dir)


def _load_options(
    entries: list[str] | None, slow_axis: str | None, columns: list[str] | None
) -> dict[str, Any]:
    """``--loader-option`` entries, ``--slow-axis`` and ``--column``, as the library's
    ``load_options``."""
    from reanalyze.load import loader_options

    given = {"slow_axis": slow_axis, "columns": columns}
    return {**loader_options(entries or []), **{k: v for k, v in given.items() if v}}


def _print_training(run: Any, out_dir: Path) -> None:
    """Where the search was logged, the verdict of the search, where the twin is."""
    from reanalyze.twin.verdict import search_sentence

    if run.tracking_uri:
        out.print(f"MLflow: {run.tracking_uri}")
    for line in search_sentence(run.search.bundle_.summary, run=str(out_dir)):
        out.print(line, markup=False, highlight=False)
    out.print(f"twin saved to {out_dir}", markup=False, highlight=False)


#: How the command line names the search-space settings (the keys of the search space's
#: overrides, in the order of ``train``'s options), for messages.
SPACE_OPTIONS = {
    "layers": "--layers", "nodes": "--nodes", "learning_rate": "--lr",
    "batch_sizes": "--batch-size", "activations": "--activation", "optimizers": "--optimizer",
    "max_epochs": "--max-epochs", "patience": "--patience",
}  # fmt: skip


@contextlib.contextmanager
def _resumable(out_dir: Path) -> Iterator[None]:
    """Ctrl-C during a search: one line saying how to resume, and exit status 130."""
    try:
        yield
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted: {out_dir} is incomplete; run the same command again "
                          "to resume (finished trials are kept)") from None  # fmt: skip


@contextlib.contextmanager
def _trial_progress(
    trials: int | None, recipe: str, quiet: bool
) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar of the search's trials (``trials``, or the recipe's number), shown from
    the first report on (so nothing is drawn before the data are read and the options
    accepted); none with ``quiet``."""
    from reanalyze.twin.recipes import get_recipe

    total = trials or get_recipe(recipe).n_trials
    if quiet:
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]trials"), BarColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())  # fmt: skip
    bar = Progress(*columns, console=err, transient=False)
    task = bar.add_task("starting", total=total)

    def show(p: Any) -> None:
        if not bar.live.is_started:
            bar.start()
        best = f"{p.best:.5f}" if p.best is not None else "-"
        description = (f"{p.complete} finished, {p.pruned} stopped early, {p.failed} "
                       f"failed, best score {best}")  # fmt: skip
        bar.update(task, completed=p.complete + p.pruned, description=description)

    try:
        yield show
    finally:
        if bar.live.is_started:  # rich writes an empty line when a bar never shown stops
            bar.stop()


@app.command("validate")
def validate_cmd(
    source: Annotated[
        list[str], typer.Argument(help="A twin's run folder, or file(s)/a dataset name.")
    ],
    x: XOption = None,
    y: YOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder (default RUN/validation, or ./validation)."),
    ] = None,
    folds: Annotated[
        int | None,
        typer.Option(min=2, help="Folds of lines (default: each interior line, or 5)."),
    ] = None,
    method: Annotated[
        list[str] | None, typer.Option("--method", help="Classic method (repeat; default all).")
    ] = None,
    workers: WorkersOption = 0,
    units: UnitsOption = None,
    loader: LoaderOption = None,
    loader_option: LoaderOptionsOption = None,
    slow_axis: SlowAxisOption = None,
    column: ColumnOption = None,
    tracking_uri: TrackingUriOption = None,
    no_mlflow: NoMlflowOption = False,
    overwrite: OverwriteOption = False,
) -> None:
    """Hold out scan lines, retrain, predict them; compare with linear, PCHIP, RBF and GP."""
    from reanalyze.validation.classic import CLASSIC_METHODS
    from reanalyze.validation.workflow import is_run_folder, validate

    with _retrain_progress(is_run_folder(source[0])) as trained:
        result, folder = validate(
            source, out=out_dir, features=x, target=y, loader=loader,
            load_options=_load_options(loader_option, slow_axis, column),
            units=_unit_pairs(units) or None, methods=method or CLASSIC_METHODS,
            n_folds=folds, workers=workers, tracking_uri=tracking_uri,
            log_to_mlflow=not no_mlflow, progress=trained, note=_note, overwrite=overwrite,
            option="--out",
        )  # fmt: skip
    _print_validation(result)
    out.print(f"written to {folder}", markup=False, highlight=False)


@contextlib.contextmanager
def _retrain_progress(shown: bool) -> Iterator[Callable[[int, int], None]]:
    """A bar of the ensemble members retrained for the folds (drawn only when ``shown``)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("[bold]members retrained"), BarColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=err, transient=True,
        disable=not shown or not err.is_terminal,  # transient: a log file would get a blank line
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=None)

        def trained(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{done}/{total}")

        yield trained


def _print_validation(result: Any) -> None:
    unit = result.unit
    table = Table(title="held-out scan lines", title_justify="left")
    headers = ("method", "error / line range", unit_header("RMSE", unit),
               unit_header("max error", unit), "time (s)")  # fmt: skip
    for name in headers:
        table.add_column(name, justify="left" if name == "method" else "right")
    for m in sorted(result.methods, key=lambda m: m.rel_rmse):
        table.add_row(
            m.method, f"{m.rel_rmse:.2%}", f"{m.rmse:.4g}", f"{m.max_error:.4g}", f"{m.wall_s:.1f}"
        )
    print_table(table, console=out)
    for note in result.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    out.print(result.verdict(), markup=False, highlight=False)


@app.command("worker")
def worker(
    study: Annotated[str, typer.Argument(help="Study name.")],
    storage: Annotated[str, typer.Option(help="Storage URL or journal file of the study.")],
    threads: Annotated[int, typer.Option(min=1, help="TensorFlow threads in this worker.")] = 1,
    timeout: Annotated[
        float | None, typer.Option(help="Stop starting trials after SECONDS.")
    ] = None,
    quiet: QuietOption = False,
) -> None:
    """Join a study (from this or another machine) and run trials until it is finished."""
    from reanalyze.twin.workers import run_worker

    ran = run_worker(study, storage, threads=threads, timeout=timeout)
    if not quiet:
        out.print(f"worker ran {ran} trial(s) of study {study}")


@app.command("ui")
def ui(
    tracking_uri: TrackingUriOption = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port on 127.0.0.1 (default 5000, or the next free one when 5000 is taken).",
            min=1,
            max=65535,
        ),
    ] = None,
    no_browser: Annotated[
        bool,
        typer.Option(
            "--no-browser",
            help="Do not open the page in a browser (opened only at a terminal with a "
            "graphical session).",
        ),
    ] = False,
) -> None:
    """Start the MLflow UI for the tracking store (default ./mlflow.db) and print its URL.

    The URL is the runs table of the latest search (its experiment, "Model training" view,
    with the columns that compare twins: best objective, held-out-line errors of the twin
    and of the best classic method, wall time, property headlines); it is opened in a
    browser when standard output is a terminal and a browser is there.

    The server runs in a process group of its own and is stopped with all its workers when
    this command ends. Ctrl-C, SIGTERM and SIGHUP stop it cleanly: one line on standard
    error and exit status 128 + the signal number (130, 143, 129). A --port that something
    already listens on is refused (exit 1).
    """
    from reanalyze.twin.tracking import default_tracking_uri
    from reanalyze.twin.ui import serve_ui

    uri = tracking_uri or default_tracking_uri()

    def ready(page: str) -> None:
        out.print(f"MLflow UI for {uri}: {page} (Ctrl-C to stop)", markup=False)

    raise typer.Exit(serve_ui(uri, port, browser=not no_browser, on_ready=ready, say=_note))


@app.command("simulate")
def simulate_cmd(
    run_dir: RunDirArgument,
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid",
            "-g",
            help="Axes with units, e.g. 'T=10:60:0.5K H=0:5T:0.2T' (repeat or quote), "
            "or a CSV/Parquet file of points with the feature columns.",
        ),
    ],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv or .parquet).")],
    allow_extrapolation: Annotated[
        bool,
        typer.Option(
            "--allow-extrapolation",
            help="Keep points outside the training ranges, flagged in 'extrapolated'.",
        ),
    ] = False,
    no_members: Annotated[
        bool,
        typer.Option(
            "--no-members", help="Leave out each member's prediction (kept for property bands)."
        ),
    ] = False,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="Points file COLUMN=UNIT (repeat).")
    ] = None,
    loader: Annotated[str | None, typer.Option(help="Loader of a points file.")] = None,
    overwrite: OverwriteFileOption = False,
) -> None:
    """Simulate the measurement on a new grid: the twin's prediction ± ensemble spread."""
    import time

    from reanalyze.twin.simulate import simulate

    inputs = [str(run_dir), *(g for g in grid if Path(g).is_file())]  # the twin, a points file
    action = _table_file(out_file, inputs=inputs, overwrite=overwrite)  # before any work
    source = _grid_source(grid, loader, units)
    start = time.perf_counter()
    table = simulate(
        run_dir, source, allow_extrapolation=allow_extrapolation, members=not no_members
    )
    seconds = time.perf_counter() - start
    _write(table, out_file, action)
    _print_simulation(table, seconds, out_file)


def _print_simulation(table: Any, seconds: float, out_file: Path) -> None:
    """The notes of a simulation, then one line: points, time, the target's range, the file."""
    from reanalyze.numbers import range_at_precision
    from reanalyze.units import pretty_unit

    for note in table.metadata.get("notes", []):
        err.print(f"note: {note}", markup=False, highlight=False)
    target = table.metadata["targets"][0]
    spread = f"{target}_std"  # the range to the precision of the ensemble's typical spread
    low, high = range_at_precision(
        table.values(target), table.values(spread) if spread in table.columns else None
    )
    out.print(
        f"simulated {len(table)} points in {seconds:.2f} s: {target} {low}…{high} "
        f"{pretty_unit(table.unit(target))}; wrote {out_file}",
        markup=False,
        highlight=False,
    )
