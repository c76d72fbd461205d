"""The ``reanalyze`` command line: a thin layer over the library.

Every :class:`~reanalyze.errors.ReanalyzeError` becomes one line on standard error and exit
status 1; usage errors exit with 2 (typer's convention). No command prints a traceback for
bad input.
"""

from __future__ import annotations

import contextlib
import json
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from reanalyze.errors import DataError, OptionError, ReanalyzeError

__all__ = ["app", "main"]

app = typer.Typer(
    name="reanalyze",
    help="Digital twins of scanning physical-property measurements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
data_app = typer.Typer(
    help="Datasets: list, fetch, verify, inspect and generate.", no_args_is_help=True
)
registry_app = typer.Typer(
    help="The registry file: validate it, print its schema.", no_args_is_help=True
)
app.add_typer(data_app, name="data")
app.add_typer(registry_app, name="registry")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise OptionError(f"{option} expects NAME=VALUE, got {item!r}")
        if key.strip() in result:
            raise OptionError(f"{option} {key.strip()} given twice")
        result[key.strip()] = value.strip()
    return result


def _loader_options(
    columns: list[str] | None,
    units: list[str] | None,
    kinds: list[str] | None,
    rename: list[str] | None,
    nonfinite: str,
    duplicates: str,
) -> dict[str, Any]:
    if nonfinite not in ("drop", "error"):
        raise OptionError(f"--nonfinite must be drop or error, got {nonfinite!r}")
    if duplicates not in ("drop", "error", "keep"):
        raise OptionError(f"--duplicates must be drop, error or keep, got {duplicates!r}")
    # only what differs from the loaders' defaults, so a registry dataset name (which takes
    # no options) still works with the defaults
    options: dict[str, Any] = {}
    if nonfinite != "drop":
        options["nonfinite"] = nonfinite
    if duplicates != "drop":
        options["duplicates"] = duplicates
    if columns:
        options["columns"] = columns
    if units:
        options["units"] = _pairs(units, "--units")
    if kinds:
        options["kinds"] = _pairs(kinds, "--kind")
    if rename:
        options["rename"] = _pairs(rename, "--rename")
    return options


# ------------------------------------------------------------------ data
@data_app.command("list")
def data_list() -> None:
    """List the registry's datasets."""
    from reanalyze.registry import RemoteSource, load_registry

    table = Table("name", "title", "source", "features → target")
    for name, entry in load_registry().datasets.items():
        source = "remote" if isinstance(entry.source, RemoteSource) else "synthetic"
        axes = f"{', '.join(entry.features)} → {', '.join(entry.targets)}"
        table.add_row(name, entry.title, source, axes)
    out.print(table)


@data_app.command("show")
def data_show(name: Annotated[str, typer.Argument(help="Dataset name.")]) -> None:
    """Show a dataset's source, columns with units, sample and citation."""
    from reanalyze.loaders.remote import cached_path
    from reanalyze.registry import RemoteSource, load_registry

    entry = load_registry().dataset(name)
    out.print(f"[bold]{name}[/bold]: {entry.title}")
    if entry.description:
        out.print(entry.description)
    if isinstance(entry.source, RemoteSource):
        out.print(f"url: {entry.source.url}")
        out.print(f"sha256: {entry.source.sha256}")
        path = cached_path(entry.source.filename)
        out.print(f"cache: {path} ({'present' if path.exists() else 'not downloaded'})")
    else:
        out.print(f"generator: {entry.source.generator} (seed {entry.source.seed})")
    columns = Table("file column", "name", "kind", "unit", "role", "description")
    for key, col in entry.columns.items():
        columns.add_row(key, col.name, col.kind, col.unit, col.role, col.description)
    out.print(columns)
    if entry.sample:
        out.print(f"sample: {entry.sample.model_dump(exclude_none=True)}")
    if entry.citation:
        out.print(f"citation: {entry.citation}")
    for note in entry.notes:
        out.print(f"note: {note}")


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    refresh: Annotated[
        bool, typer.Option(help="Replace a cached file with a bad checksum.")
    ] = False,
) -> None:
    """Download a remote dataset (or find it in the cache) and print its local path."""
    from reanalyze.loaders.remote import fetch
    from reanalyze.registry import RemoteSource, load_registry

    entry = load_registry().dataset(name)
    if not isinstance(entry.source, RemoteSource):
        raise DataError(f"{name} is synthetic: generate it with 'reanalyze data synth {name}'")
    path = fetch(entry.source.url, entry.source.sha256, entry.source.filename, refresh=refresh)
    print(path)


@data_app.command("verify")
def data_verify(
    names: Annotated[
        list[str] | None, typer.Argument(help="Datasets (default: all remote).")
    ] = None,
) -> None:
    """Check the sha256 of cached remote datasets; exit 1 if one does not match."""
    from reanalyze.loaders.remote import cached_path, file_sha256
    from reanalyze.registry import RemoteSource, load_registry

    registry = load_registry()
    chosen = names or [
        n for n, e in registry.datasets.items() if isinstance(e.source, RemoteSource)
    ]
    bad = 0
    table = Table("dataset", "file", "status")
    for name in chosen:
        source = registry.dataset(name).source
        if not isinstance(source, RemoteSource):
            table.add_row(name, "-", "synthetic (nothing to verify)")
            continue
        path = cached_path(source.filename)
        if not path.exists():
            status = "not in cache"
        elif file_sha256(path) == source.sha256:
            status = "ok"
        else:
            status = "[red]CHECKSUM MISMATCH[/red]"
            bad += 1
        table.add_row(name, str(path), status)
    out.print(table)
    if bad:
        raise DataError(f"{bad} cached file(s) do not match the registry's sha256")


@data_app.command("seed")
def data_seed(
    folder: Annotated[Path, typer.Argument(help="Folder holding copies of published files.")],
) -> None:
    """Copy files whose sha256 matches a registry dataset into the cache (for offline use)."""
    from reanalyze.loaders.remote import cache_dir, seed_cache
    from reanalyze.registry import RemoteSource, load_registry

    expected = {
        e.source.sha256: e.source.filename
        for e in load_registry().datasets.values()
        if isinstance(e.source, RemoteSource)
    }
    seeded = seed_cache(folder, expected)
    for path in seeded:
        out.print(f"seeded {path}")
    out.print(f"{len(seeded)} file(s) in {cache_dir()}")


@data_app.command("inspect")
def data_inspect(
    files: Annotated[list[str], typer.Argument(help="File(s), glob pattern(s) or a dataset name.")],
    loader: Annotated[str | None, typer.Option(help="Loader name (default: recognized).")] = None,
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Column to keep (repeat).")
    ] = None,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="COLUMN=UNIT (repeat).")
    ] = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="COLUMN=KIND (repeat).")] = None,
    rename: Annotated[list[str] | None, typer.Option("--rename", help="OLD=NEW (repeat).")] = None,
    slow_axis: Annotated[str | None, typer.Option(help="Column constant within each file.")] = None,
    value: Annotated[
        list[str] | None,
        typer.Option(
            "--value", help="Slow-axis value per file, e.g. '1 T' (repeat, in file order)."
        ),
    ] = None,
    nonfinite: Annotated[str, typer.Option(help="NaN/inf rows: drop or error.")] = "drop",
    duplicates: Annotated[str, typer.Option(help="Duplicate rows: drop, error or keep.")] = "drop",
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the table (.csv or .parquet).")
    ] = None,
) -> None:
    """Show what was parsed from data files: columns, kinds, units, rows, metadata, notes."""
    from reanalyze.load import load

    options = _loader_options(column, units, kind, rename, nonfinite, duplicates)
    if slow_axis:
        options["slow_axis"] = slow_axis
    if value:
        options["slow_values"] = value
    source: str | list[str] = files[0] if len(files) == 1 else files
    table = load(source, loader=loader, **options)
    _describe(table)
    if out_file is not None:
        _write(table, out_file)
        out.print(f"wrote {out_file}")


def _describe(table: Any) -> None:
    import numpy as np

    meta = table.metadata
    sources = meta.get("source")
    out.print(f"source: {sources}")
    if "loader" in meta:
        out.print(f"loader: {meta['loader']}")
    out.print(f"rows: {len(table)}")
    summary = Table("column", "kind", "unit", "min", "max", "distinct")
    for name in table.columns:
        if table.kind(name) == "label":
            summary.add_row(name, "label", "", "", "", str(len(set(table.labels(name)))))
            continue
        values = table.values(name)
        summary.add_row(
            name,
            table.kind(name),
            table.unit(name),
            f"{np.min(values):.6g}",
            f"{np.max(values):.6g}",
            str(len(np.unique(values))),
        )
    out.print(summary)
    if table.sample is not None:
        out.print(f"sample: {table.sample.model_dump(exclude_none=True)}")
    skip = {"notes", "source", "loader"}
    for key, val in meta.items():
        if key not in skip and val not in (None, [], {}):
            text = json.dumps(val) if not isinstance(val, str) else val
            out.print(f"{key}: {text[:300]}")
    for note in meta.get("notes", []):
        out.print(f"note: {note}")


def _write(table: Any, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        table.to_parquet(path)
    elif suffix in (".csv", ".txt"):
        table.to_csv(path)
    else:
        raise OptionError(f"--out {path}: use a .csv or .parquet file name")


@data_app.command("synth")
def data_synth(
    name: Annotated[str, typer.Argument(help="Synthetic dataset or generator name.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv or .parquet).")],
    seed: Annotated[int | None, typer.Option(help="Noise seed (default: the registry's).")] = None,
) -> None:
    """Generate a synthetic ground-truth dataset and write it with units."""
    from reanalyze.registry import SyntheticSource, load_registry
    from reanalyze.synthetic import GENERATORS

    registry = load_registry()
    if name in registry.datasets:
        source = registry.dataset(name).source
        if not isinstance(source, SyntheticSource):
            raise DataError(f"{name} is a remote dataset: use 'reanalyze data fetch {name}'")
        generator, default_seed = source.generator, source.seed
    elif name in GENERATORS:
        generator, default_seed = name, 0
    else:
        synthetic = [
            n for n, e in registry.datasets.items() if isinstance(e.source, SyntheticSource)
        ]
        raise DataError(f"unknown synthetic dataset {name!r} (known: {', '.join(synthetic)})")
    if out_file.suffix.lower() not in (".csv", ".parquet", ".txt"):
        raise OptionError(f"--out {out_file}: use a .csv or .parquet file name")
    table = GENERATORS[generator]().scan(seed=default_seed if seed is None else seed)
    _write(table, out_file)
    out.print(f"wrote {len(table)} rows ({', '.join(table.headers())}) to {out_file}")


@data_app.command("loaders")
def data_loaders() -> None:
    """List the file loaders (built-in and installed plugins), without importing them."""
    from rich.text import Text

    from reanalyze.plugins import broken_plugins, list_plugins, load_plugin

    # entry points are imported and checked (a broken one warns once); built-ins are not
    broken = broken_plugins("reanalyze.loaders", builtins=False)
    table = Table("name", "origin", "target", "description")
    for spec in list_plugins("reanalyze.loaders").values():
        if spec.name in broken:
            description = f"(broken: {broken[spec.name]})"
        elif spec.origin == "built-in":
            description = spec.description
        else:
            description = load_plugin("reanalyze.loaders", spec.name).description
        table.add_row(Text(spec.name), Text(spec.origin), Text(spec.target), Text(description))
    out.print(table)


# ----------------------------------------------------------------- train
@app.command("train")
def train(
    data: Annotated[list[str], typer.Argument(help="File(s), glob(s) or a registry dataset name.")],
    x: Annotated[list[str] | None, typer.Option("--x", help="Feature column (repeat).")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Target column.")] = None,
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
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: one per core).")] = 0,
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
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="COLUMN=UNIT (repeat).")
    ] = None,
    loader: Annotated[str | None, typer.Option(help="Loader name (default: recognized).")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log to MLflow.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    overwrite: Annotated[
        bool, typer.Option(help="Allow a non-empty --out that reanalyze did not write.")
    ] = False,
) -> None:
    """Search for the best network and save a twin (model bundle) into --out."""
    from reanalyze.train.recipes import get_recipe
    from reanalyze.train.verdict import search_sentence
    from reanalyze.workflows import train_twin

    overrides = {
        "layers": layers, "nodes": nodes, "learning_rate": lr, "batch_sizes": batch_size,
        "activations": activation, "optimizers": optimizer, "max_epochs": max_epochs,
        "patience": patience,
    }  # fmt: skip
    options = {
        "n_trials": trials, "workers": workers, "seed": seed, "storage": storage,
        "study_name": study, "objective": objective, "ensemble": ensemble, "timeout": timeout,
    }  # fmt: skip
    with _trial_progress(trials or get_recipe(recipe).n_trials, quiet) as show:
        try:
            run = train_twin(
                data, out_dir, features=x, target=y, recipe=recipe, space_file=space_file,
                overrides=overrides, names=SPACE_OPTIONS, units=_pairs(units, "--units") or None,
                loader=loader, search_options=options, tracking_uri=tracking_uri,
                log_to_mlflow=not no_mlflow, overwrite=overwrite, option="--out",
                note=_note, progress=show,
            )  # fmt: skip
        except KeyboardInterrupt:
            _note(f"interrupted: {out_dir} is incomplete; run the same command again to resume "
                  "(finished trials are kept)")  # fmt: skip
            raise typer.Exit(130) from None
    if run.tracking_uri:
        out.print(f"MLflow: {run.tracking_uri}")
    for line in search_sentence(run.search.bundle_.summary):
        out.print(line, markup=False, highlight=False)
    out.print(f"twin saved to {out_dir}", markup=False, highlight=False)


#: How the command line names the search-space settings, for messages.
SPACE_OPTIONS = {
    "layers": "--layers", "nodes": "--nodes", "learning_rate": "--lr",
    "batch_sizes": "--batch-size", "activations": "--activation", "optimizers": "--optimizer",
    "max_epochs": "--max-epochs", "patience": "--patience",
}  # fmt: skip


def _note(line: str) -> None:
    err.print(line, markup=False, highlight=False)


@contextlib.contextmanager
def _trial_progress(total: int, quiet: bool) -> Iterator[Callable[[Any], None] | None]:
    """A progress bar of the search's trials, shown from the first report on (so nothing
    is drawn before the data are read and the options accepted); none with ``quiet``."""
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
        bar.stop()


@app.command("validate")
def validate_cmd(
    source: Annotated[
        list[str], typer.Argument(help="A twin's run folder, or file(s)/a dataset name.")
    ],
    x: Annotated[list[str] | None, typer.Option("--x", help="Feature column (repeat).")] = None,
    y: Annotated[str | None, typer.Option("--y", help="Target column.")] = None,
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
    workers: Annotated[int, typer.Option(min=0, help="Worker processes (0: one per core).")] = 0,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="COLUMN=UNIT (repeat).")
    ] = None,
    loader: Annotated[str | None, typer.Option(help="Loader name (default: recognized).")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    no_mlflow: Annotated[bool, typer.Option("--no-mlflow", help="Do not log to MLflow.")] = False,
    overwrite: Annotated[
        bool, typer.Option(help="Allow a non-empty --out that reanalyze did not write.")
    ] = False,
) -> None:
    """Hold out scan lines, retrain, predict them; compare with linear, PCHIP, RBF and GP."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from reanalyze.validation.classic import CLASSIC_METHODS
    from reanalyze.validation.workflow import is_run_folder, validate

    def said(line: str) -> None:
        err.print(line, markup=False, highlight=False)

    with Progress(
        TextColumn("[bold]members retrained"), BarColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=err, transient=True, disable=not is_run_folder(source[0]),
    ) as bar:  # fmt: skip
        task = bar.add_task("", total=None)

        def trained(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{done}/{total}")

        result, folder = validate(
            source, out=out_dir, features=x, target=y, loader=loader,
            units=_pairs(units, "--units") or None, methods=method or CLASSIC_METHODS,
            n_folds=folds, workers=workers, tracking_uri=tracking_uri,
            log_to_mlflow=not no_mlflow, progress=trained, note=said, overwrite=overwrite,
            option="--out",
        )  # fmt: skip
    _print_validation(result)
    out.print(f"written to {folder}", markup=False, highlight=False)


def _print_validation(result: Any) -> None:
    unit = result.unit
    table = Table(title="held-out scan lines", title_justify="left")
    for name in ("method", "error / line range", f"RMSE ({unit})", f"max error ({unit})", "s"):
        table.add_column(name, justify="left" if name == "method" else "right", no_wrap=True)
    for m in sorted(result.methods, key=lambda m: m.rel_rmse):
        table.add_row(
            m.method, f"{m.rel_rmse:.2%}", f"{m.rmse:.4g}", f"{m.max_error:.4g}", f"{m.wall_s:.1f}"
        )
    out.print(table)
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Join a study (from this or another machine) and run trials until it is finished."""
    from reanalyze.train.search import run_worker

    ran = run_worker(study, storage, threads=threads, timeout=timeout)
    if not quiet:
        out.print(f"worker ran {ran} trial(s) of study {study}")


@app.command("ui")
def ui(
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    port: Annotated[
        int | None,
        typer.Option(
            help="Port on 127.0.0.1 (default 5000, or the next free one when 5000 is taken).",
            min=1,
            max=65535,
        ),
    ] = None,
) -> None:
    """Start the MLflow UI for the tracking store (default ./mlflow.db) and print its URL.

    The server runs in a process group of its own and is stopped with all its workers when
    this command ends. Ctrl-C, SIGTERM and SIGHUP stop it cleanly: one line on standard
    error and exit status 128 + the signal number (130, 143, 129). A --port that something
    already listens on is refused (exit 1).
    """
    from reanalyze.train.tracking import default_tracking_uri
    from reanalyze.train.ui import (
        Stopped,
        StopSignals,
        choose_port,
        start_ui,
        stop_ui,
        wait_until_up,
    )

    uri = tracking_uri or default_tracking_uri()
    status = 0
    with StopSignals() as signals:
        server = None
        try:
            chosen, note = choose_port(port)
            if note:
                err.print(note, markup=False, highlight=False)
            server = start_ui(uri, port=chosen)
            wait_until_up(server)
            out.print(f"MLflow UI for {uri}: {server.url} (Ctrl-C to stop)", markup=False)
            code = server.process.wait()
            raise ReanalyzeError(
                f"the MLflow UI at {server.url} exited with status {code}: {server.last_line()}"
            )
        except Stopped as stop:
            status = 128 + stop.signum
        finally:
            signals.stopping()  # a second signal must not interrupt the cleanup
            if server is not None:
                stop_ui(server)
    if server is not None:
        err.print(f"stopped the MLflow UI at {server.url}", markup=False, highlight=False)
    raise typer.Exit(status)


# -------------------------------------------------------------- simulate
def _grid_source(grid: list[str], loader: str | None, units: list[str] | None) -> Any:
    """A points table when ``--grid`` names a file, else the spec strings."""
    from reanalyze.load import load

    if len(grid) == 1 and (Path(grid[0]).is_file() or "=" not in grid[0]):
        if not Path(grid[0]).is_file():
            raise DataError(f"--grid {grid[0]!r}: no such file, and not AXIS=START:STOP:STEP")
        options = {"units": _pairs(units, "--units")} if units else {}
        return load(grid[0], loader=loader, **options)
    return grid


@app.command("simulate")
def simulate_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run folder of a trained twin.")],
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
        typer.Option(help="Keep points outside the training ranges, flagged in 'extrapolated'."),
    ] = False,
    members: Annotated[
        bool, typer.Option(help="Write every ensemble member's prediction (for property bands).")
    ] = True,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="Points file COLUMN=UNIT (repeat).")
    ] = None,
    loader: Annotated[str | None, typer.Option(help="Loader of a points file.")] = None,
) -> None:
    """Simulate the measurement on a new grid: the twin's prediction ± ensemble spread."""
    import time

    from reanalyze.simulate import simulate

    if out_file.suffix.lower() not in (".csv", ".txt", ".parquet"):
        raise OptionError(f"--out {out_file}: use a .csv or .parquet file name")
    source = _grid_source(grid, loader, units)
    start = time.perf_counter()
    table = simulate(run_dir, source, allow_extrapolation=allow_extrapolation, members=members)
    seconds = time.perf_counter() - start
    _write(table, out_file)
    for note in table.metadata.get("notes", []):
        err.print(f"note: {note}", markup=False, highlight=False)
    target = table.metadata["targets"][0]
    values = table.values(target)
    out.print(
        f"simulated {len(table)} points in {seconds:.2f} s: {target} "
        f"{values.min():.6g}…{values.max():.6g} {table.unit(target)}; wrote {out_file}"
    )


# -------------------------------------------------------------- properties
property_app = typer.Typer(
    help="Derived properties (plugins): list them, show their parameters, run one.",
    no_args_is_help=True,
)
app.add_typer(property_app, name="property")


@property_app.command("list")
def property_list() -> None:
    """List the property plugins (built-in and installed), with the quantities they need."""
    from rich.text import Text

    from reanalyze.plugins import broken_plugins, list_plugins, load_all

    specs = list_plugins("reanalyze.properties")
    loaded = load_all("reanalyze.properties")  # a broken plugin warns once and is left out
    broken = broken_plugins("reanalyze.properties")
    listing = Table("name", "origin", "needs", "description")
    for name, spec in specs.items():
        cls = loaded.get(name)
        if cls is None:
            reason = broken.get(name, "see the warning")
            listing.add_row(Text(name), Text(spec.origin), "", Text(f"(broken: {reason})"))
            continue
        needs = ", ".join(f"{r.role} [{'|'.join(r.kinds)}]" for r in cls.requires)
        description = cls.description or spec.description
        listing.add_row(Text(name), Text(spec.origin), Text(needs), Text(description))
    out.print(listing)


@property_app.command("show")
def property_show(name: Annotated[str, typer.Argument(help="Plugin name.")]) -> None:
    """Show a plugin's roles and parameters (name, default, description)."""
    from rich.text import Text

    from reanalyze.plugins import load_plugin

    cls = load_plugin("reanalyze.properties", name)  # a broken plugin: PluginError, one line
    out.print(Text.assemble((name, "bold"), f": {cls.description}"))
    roles = Table("role", "kinds", "description")
    for r in cls.requires:
        roles.add_row(Text(r.role), Text(" or ".join(r.kinds)), Text(r.description))
    out.print(roles)
    params = Table("--param", "default", "description")
    for field_name, info in cls.Params.model_fields.items():
        default = (
            "(required)"
            if info.is_required()
            else json.dumps(info.get_default(call_default_factory=True), default=str)
        )
        params.add_row(Text(field_name), Text(default), Text(info.description or ""))
    out.print(params)


@property_app.command("run")
def property_run(
    name: Annotated[str, typer.Argument(help="Plugin name (see 'reanalyze property list').")],
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Measured file(s), glob(s), a dataset name, a simulated table, or a twin's "
            "run folder (with --grid)."
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Result folder.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Parameter KEY=VALUE (repeat).")
    ] = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", "-c", help="ROLE=COLUMN (or KIND=COLUMN) override (repeat)."),
    ] = None,
    units: Annotated[
        list[str] | None, typer.Option("--units", "-u", help="COLUMN=UNIT (repeat).")
    ] = None,
    loader: Annotated[str | None, typer.Option(help="Loader name (default: recognized).")] = None,
    slow_axis: Annotated[str | None, typer.Option(help="Column constant within each file.")] = None,
    value: Annotated[
        list[str] | None, typer.Option("--value", help="Slow-axis value per file (repeat).")
    ] = None,
    mass: Annotated[
        str | None, typer.Option(help="Sample mass with unit, e.g. 0.61mg (overrides the file).")
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option("--grid", "-g", help="With a run folder: simulate this grid first."),
    ] = None,
    allow_extrapolation: Annotated[
        bool, typer.Option(help="With --grid: allow points outside the training ranges.")
    ] = False,
    run_dir: Annotated[
        Path | None, typer.Option("--run", help="Log to MLflow under this twin's search run.")
    ] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    no_mlflow: Annotated[
        bool, typer.Option("--no-mlflow", help="Do not log, even for a twin's run.")
    ] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the PNG figures.")] = (
        False
    ),
    overwrite: Annotated[
        bool, typer.Option(help="Allow a non-empty --out that reanalyze did not write.")
    ] = False,
) -> None:
    """Compute a derived property; write tables (CSV), summary.json and figures (PNG)."""
    from reanalyze.workflows import compute_property

    options = _loader_options(None, units, None, None, "drop", "drop")
    options.update({"slow_axis": slow_axis} if slow_axis else {})
    options.update({"slow_values": value} if value else {})
    run = compute_property(
        name, inputs, out_dir, params=_pairs(param, "--param"),
        columns=_pairs(column, "--column"), load_options=options, loader=loader,
        mass=_mass(mass) if mass else None, grid=_grid_source(grid, None, None) if grid else None,
        allow_extrapolation=allow_extrapolation, run_dir=run_dir, tracking_uri=tracking_uri,
        log_to_mlflow=not no_mlflow, figures=not no_figures, overwrite=overwrite,
        option="--out", note=_note,
    )  # fmt: skip
    _print_result(run.result)
    out.print(f"wrote {out_dir}")
    if run.mlflow is not None:
        out.print(f"MLflow: {run.mlflow[0]} (run {run.mlflow[1]})")


def _mass(text: str) -> tuple[float, str]:
    """``--mass``: a positive, finite mass with a unit, as (magnitude, unit)."""
    from reanalyze.units import check_kind, parse_quantity

    hint = "expected a positive mass with a unit, e.g. 0.61mg"
    try:
        magnitude, unit = parse_quantity(text, where="--mass")
        check_kind(unit, "mass", where="--mass")
    except ReanalyzeError:
        raise OptionError(f"--mass {text!r}: {hint}") from None
    if not unit or not magnitude > 0:
        raise OptionError(f"--mass {text!r}: {hint}")
    return magnitude, unit


def _print_result(result: Any) -> None:
    summary = Table("quantity", "value", "unit", "description")
    for key, item in result.summary.items():
        if item.std is not None and item.std == item.std and item.std > 0:
            text = f"{item.value:.5g} ± {item.std:.2g}"
        else:
            text = f"{item.value:.6g}"
        summary.add_row(key, text, item.unit, item.description)
    out.print(summary)
    for note in result.notes:
        out.print(f"note: {note}", markup=False, highlight=False)


# -------------------------------------------------------------- plan
@app.command("plan")
def plan_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run folder of a trained twin.")],
    property_name: Annotated[str, typer.Option("--property", help="Property plugin name.")],
    axis: Annotated[str, typer.Option(help="The scan axis whose step is planned, e.g. H.")],
    steps: Annotated[
        str, typer.Option(help="Candidate steps with units, comma separated: 1T,0.5T,0.2T.")
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Plan folder.")] = Path("plan"),
    range_: Annotated[
        str | None, typer.Option("--range", help="LO:HI of the axis, e.g. 0.01T:5T.")
    ] = None,
    fixed: Annotated[
        list[str] | None,
        typer.Option(help="Grid of another axis, e.g. 'T=10:60:0.2K' (default: as measured)."),
    ] = None,
    instrument: Annotated[
        str | None, typer.Option(help="Instrument profile (reanalyze instrument list).")
    ] = None,
    instruments_file: Annotated[
        Path | None, typer.Option("--instruments", help="YAML file adding/overriding profiles.")
    ] = None,
    tolerance: Annotated[
        list[str] | None,
        typer.Option(help="KEY=VALUE: rms_rel, peak_rel, peak_position, tv_ratio (repeat)."),
    ] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="Plugin parameter KEY=VALUE.")
    ] = None,
    slow_axis: Annotated[
        str | None, typer.Option(help="Axis held fixed per scan line, for the cost.")
    ] = None,
    overwrite: Annotated[
        bool, typer.Option(help="Allow a non-empty --out that reanalyze did not write.")
    ] = False,
) -> None:
    """Which step is fine enough for a property, and what it costs on an instrument."""
    from pydantic import ValidationError

    from reanalyze.outputs import output_action
    from reanalyze.planning import Plan, Tolerance

    output_action(out_dir, "plan", inputs=[run_dir], overwrite=overwrite, option="--out")

    tol_values = _pairs(tolerance, "--tolerance")
    try:
        tol = Tolerance(**{k: float(v) for k, v in tol_values.items()})
    except (ValidationError, ValueError) as exc:
        detail = exc.errors()[0] if isinstance(exc, ValidationError) else None
        where = ".".join(map(str, detail["loc"])) if detail else ""
        message = detail["msg"] if detail else str(exc)
        raise OptionError(f"--tolerance {where}: {message}".replace(" :", ":")) from None
    bounds = None
    if range_:
        lo, sep, hi = range_.partition(":")
        if not sep or not lo.strip() or not hi.strip():
            raise OptionError(f"--range expects LO:HI, e.g. 0.01T:5T, got {range_!r}")
        bounds = (lo.strip(), hi.strip())
    plan = Plan(
        run_dir,
        property_name,
        axis,
        [s.strip() for s in steps.split(",") if s.strip()],
        range=bounds,
        fixed=fixed or (),
        instrument=instrument,
        instruments_file=instruments_file,
        tolerance=tol,
        params=_pairs(param, "--param"),
        slow_axis=slow_axis,
    )
    plan.fit(progress=lambda message: err.print(message, markup=False, highlight=False))
    result = plan.result_
    result.save(out_dir, overwrite=overwrite, option="--out")
    _print_plan(result)
    out.print(f"wrote {out_dir}")


def _print_plan(result: Any) -> None:
    q = result.info["quantity"]
    unit = result.info["axis_unit"]
    listing = Table(
        f"{result.info['axis']} step ({unit})",
        "lines",
        "hours",
        "days",
        "RMS dev.",
        "max. error",
        f"max. at ({q['x_unit']})",
        f"spread ({q['unit']})",
        "meets",
    )
    for i, row in enumerate(result.rows):
        mark = " ←" if i == result.recommended else ""
        listing.add_row(
            f"{row['step']:g}{mark}",
            str(row["lines"]),
            "" if row["hours"] is None else f"{row['hours']:.1f}",
            "" if row["days"] is None else f"{row['days']:.2f}",
            f"{row['rms_rel']:.2%}",
            f"{row['peak_rel_error']:+.2%}",
            f"{row['peak_position']:.4g}",
            f"{row['spread']:.3g}",
            "yes" if row["meets"] else "no",
        )
    out.print(listing)
    out.print(f"verdict: {result.verdict}", markup=False, highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", markup=False, highlight=False)


# -------------------------------------------------------------- report
@app.command("report")
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="Run folder of a trained twin.")],
    plan: Annotated[
        list[Path] | None, typer.Option("--plan", help="Plan folder (reanalyze plan; repeat).")
    ] = None,
    property_dir: Annotated[
        list[Path] | None,
        typer.Option("--property", help="Property result folder (property run; repeat)."),
    ] = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default RUN/report/index.html).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Report title.")] = None,
    tracking_uri: Annotated[str | None, typer.Option(help="MLflow tracking URI.")] = None,
    no_mlflow: Annotated[
        bool, typer.Option("--no-mlflow", help="Do not log the report to MLflow.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option(help="Allow an --out folder with files reanalyze did not write.")
    ] = False,
) -> None:
    """Write a self-contained HTML report: data vs twin, learning curves, grid, plans."""
    from reanalyze.report import write_report

    path = write_report(
        run_dir,
        out_file,
        plans=plan or (),
        properties=property_dir or (),
        title=title,
        log_mlflow=not no_mlflow,
        tracking_uri=tracking_uri,
        progress=lambda message: err.print(message, markup=False, highlight=False),
        overwrite=overwrite,
        option="--out",
    )
    out.print(f"wrote {path}")


# -------------------------------------------------------------- instruments
instrument_app = typer.Typer(
    help="Instrument profiles for the cost of a plan: list and show them.", no_args_is_help=True
)
app.add_typer(instrument_app, name="instrument")


@instrument_app.command("list")
def instrument_list(
    instruments_file: Annotated[
        Path | None, typer.Option("--instruments", help="YAML file adding/overriding profiles.")
    ] = None,
) -> None:
    """List the instrument profiles (built-in and from --instruments)."""
    from reanalyze.instruments import load_instruments

    listing = Table("name", "kind", "description")
    for name, profile in load_instruments(instruments_file).items():
        listing.add_row(name, profile.kind, profile.description)
    out.print(listing)


@instrument_app.command("show")
def instrument_show(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    instruments_file: Annotated[
        Path | None, typer.Option("--instruments", help="YAML file adding/overriding profiles.")
    ] = None,
) -> None:
    """Show a profile's values and where each default comes from."""
    from reanalyze.instruments import get_instrument

    profile = get_instrument(name, instruments_file)
    out.print(f"[bold]{name}[/bold] ({profile.kind}): {profile.description}")
    listing = Table("field", "value", "source")
    sources = profile.sources
    for key, value in profile.model_dump().items():
        if key in ("name", "kind", "description", "sources"):
            continue
        listing.add_row(key, json.dumps(value, default=str), sources.get(key, ""))
    out.print(listing)


# -------------------------------------------------------------- demo
@app.command("demo")
def demo_cmd(
    case: Annotated[
        str, typer.Option(help="synthetic (exact answer known) or erco2 (the paper's data).")
    ] = "synthetic",
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Folder for everything.")] = Path(
        "reanalyze-demo"
    ),
    trials: Annotated[
        int | None, typer.Option(min=1, help="Search trials (default: the recipe's).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the search.")] = 0,
    max_epochs: Annotated[
        int | None,
        typer.Option(min=1, help="Cap on epochs per network (a quicker, rougher twin)."),
    ] = None,
) -> None:
    """Run everything end to end, offline: scan → twin → simulate → ΔS_M → plan → report."""
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from reanalyze.demo import CASES, run_demo
    from reanalyze.outputs import output_action

    if case not in CASES:  # refused before the progress display starts
        raise OptionError(f"--case must be one of {', '.join(CASES)}, got {case!r}")
    output_action(out_dir, "demo", option="--out")
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    ) as bar:
        stage = bar.add_task("starting", total=6)
        from reanalyze.train.recipes import get_recipe

        total = trials or get_recipe("default").n_trials
        trial_task = bar.add_task("  trials", total=total, visible=False)

        def said(message: str) -> None:
            number = int(message.split("/", 1)[0]) if message[:1].isdigit() else 0
            bar.update(stage, completed=max(number - 1, 0), description=message)
            bar.update(trial_task, visible=number == 2)

        def trained(p: Any) -> None:
            best = f"{p.best:.5f}" if p.best is not None else "-"
            bar.update(
                trial_task,
                completed=p.complete + p.pruned,
                description=f"  trials: {p.complete} done, {p.pruned} stopped early, "
                f"best score {best}",
            )

        result = run_demo(
            case,
            out_dir,
            trials=trials,
            seed=seed,
            max_epochs=max_epochs,
            progress=said,
            train_progress=trained,
            option="--out",
        )
        bar.update(stage, completed=6, description="done")
    out.print(f"[bold]reanalyze demo ({case})[/bold]: {result.verdict}")
    for line in result.lines():
        out.print(line, markup=False, highlight=False)
    out.print(f"wall time {time.perf_counter() - started:.0f} s")


# -------------------------------------------------------------- registry
@registry_app.command("validate")
def registry_validate(
    path: Annotated[Path | None, typer.Argument(help="Registry file (default: built-in).")] = None,
) -> None:
    """Validate a registry file against the schema."""
    from reanalyze.registry import load_registry, registry_path

    registry = load_registry(path)
    where = path or registry_path()
    out.print(
        f"{where}: valid ({len(registry.datasets)} datasets, {len(registry.loaders)} loaders, "
        f"{len(registry.properties)} property plugins, {len(registry.instruments)} instruments)"
    )


@registry_app.command("schema")
def registry_schema_cmd(
    out_file: Annotated[Path | None, typer.Option("--out", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON schema of registry.yaml."""
    from reanalyze._atomic import atomic_path
    from reanalyze.registry import registry_schema

    text = registry_schema()
    if out_file is None:
        print(text)
        return
    with atomic_path(out_file) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
    out.print(f"wrote {out_file}")


def _show_warning(message: Any, category: Any, *args: Any, **kwargs: Any) -> None:
    err.print(f"warning: {message}", markup=False, highlight=False)


def _usage_line(exc: Any) -> str:
    """A click usage error as one line: the command, what is wrong, where help is."""
    message = " ".join(exc.format_message().split())
    command = exc.ctx.command_path if exc.ctx is not None else "reanalyze"
    return f"error: {message} (see {command} --help)"


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit status (errors as one line, no traceback).

    Bad data exit with 1, a misused option (a usage error, or an
    :class:`~reanalyze.errors.OptionError`) with 2, an interrupt (Ctrl-C or SIGTERM) with
    130.
    """
    import signal

    try:  # typer >= 0.24 carries its own copy of click
        from typer._click import exceptions as click
    except ImportError:  # pragma: no cover - older typer
        from click import exceptions as click  # type: ignore[no-redef]

    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops as cleanly as Ctrl-C
    except ValueError:  # not the main thread
        previous = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default", RuntimeWarning)
            warnings.showwarning = _show_warning
            code = app(args=argv, prog_name="reanalyze", standalone_mode=False)
            return code if isinstance(code, int) else 0
    except click.NoArgsIsHelpError as exc:
        err.print(exc.format_message(), markup=False, highlight=False)
        return 2
    except click.UsageError as exc:
        err.print(_usage_line(exc), markup=False, highlight=False)
        return 2
    except click.ClickException as exc:  # e.g. a file option click could not open
        err.print(f"error: {' '.join(exc.format_message().split())}", markup=False)
        return exc.exit_code or 1
    except ReanalyzeError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False)
        return 2 if isinstance(exc, OptionError) else 1
    except OSError as exc:  # the system refused a file: unreadable, read-only, disk full …
        where = exc.filename if exc.filename is not None else "a file"
        reason = exc.strerror or type(exc).__name__
        err.print(f"error: {where}: {reason}", markup=False, highlight=False)
        return 1
    except SystemExit as exc:  # rich on a closed pipe, typer.Exit inside a callback
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except (KeyboardInterrupt, typer.Abort):
        err.print("interrupted", markup=False)
        return 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
