"""``reanalyze data``: list, show, fetch, verify, seed, inspect, synth, loaders."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    LoaderOption,
    LoaderOptionsOption,
    OverwriteFileOption,
    SlowAxisOption,
    SlowValuesOption,
    UnitsOption,
    _loader_options,
    _table_file,
    _write,
    out,
    print_table,
)
from reanalyze.errors import DataError

data_app = typer.Typer(
    help="Datasets: list, fetch, verify, inspect and generate.", no_args_is_help=True
)
app.add_typer(data_app, name="data")


@data_app.command("list")
def data_list() -> None:
    """List the registry's datasets."""
    from reanalyze.registry import RemoteSource, load_registry

    table = Table("name", "title", "source", "features → target")
    for name, entry in load_registry().datasets.items():
        source = "remote" if isinstance(entry.source, RemoteSource) else "synthetic"
        axes = f"{', '.join(entry.features)} → {', '.join(entry.targets)}"
        table.add_row(name, entry.title, source, axes)
    print_table(table, console=out)


@data_app.command("show")
def data_show(name: Annotated[str, typer.Argument(help="Dataset name.")]) -> None:
    """Show a dataset's source, columns with units, sample and citation."""
    from reanalyze.registry import load_registry

    entry = load_registry().dataset(name)
    out.print(f"[bold]{name}[/bold]: {entry.title}")
    if entry.description:
        out.print(entry.description)
    _print_source(entry.source)
    _print_columns(entry.columns)
    if entry.sample:
        out.print(f"sample: {entry.sample}", markup=False, highlight=False)
    if entry.citation:
        out.print(f"citation: {entry.citation}")
    for note in entry.notes:
        out.print(f"note: {note}")


def _print_source(source: Any) -> None:
    """Where a dataset comes from: its URL, checksum and cached copy, or its generator."""
    from reanalyze.download_cache import cached_path
    from reanalyze.registry import RemoteSource

    if isinstance(source, RemoteSource):
        out.print(f"url: {source.url}")
        out.print(f"sha256: {source.sha256}")
        path = cached_path(source.filename)
        out.print(f"cache: {path} ({'present' if path.exists() else 'not downloaded'})")
    else:
        out.print(f"generator: {source.generator} (seed {source.seed})")


def _print_columns(columns: dict[str, Any]) -> None:
    """A dataset's columns: the file's name, reanalyze's name, kind, unit, role, description."""
    from rich.text import Text

    from reanalyze.units import pretty_unit

    table = Table("file column", "name", "kind", "unit", "role", "description")
    for key, col in columns.items():
        table.add_row(
            Text(key), Text(col.name), col.kind, pretty_unit(col.unit), col.role,
            Text(col.description),
        )  # fmt: skip
    print_table(table, names=(0, 1, 2), console=out)  # kinds are typed too (--kind)


@data_app.command("fetch")
def data_fetch(
    name: Annotated[str, typer.Argument(help="Dataset name.")],
    refresh: Annotated[
        bool, typer.Option(help="Replace a cached file with a bad checksum.")
    ] = False,
) -> None:
    """Download a remote dataset (or find it in the cache) and print its local path."""
    from reanalyze.download_cache import fetch
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
    from reanalyze.registry import RemoteSource, load_registry

    registry = load_registry()
    chosen = names or [
        n for n, e in registry.datasets.items() if isinstance(e.source, RemoteSource)
    ]
    table = Table("dataset", "file", "status")
    bad = sum(_verify(name, registry.dataset(name).source, table) for name in chosen)
    print_table(table, names=(0, 1, 2), console=out)
    if bad:
        raise DataError(f"{bad} cached file(s) do not match the registry's sha256")


def _verify(name: str, source: Any, table: Table) -> bool:
    """Add the row of dataset ``name`` to ``table``; whether its cached file is corrupt."""
    from reanalyze.download_cache import cached_path, file_sha256
    from reanalyze.registry import RemoteSource

    if not isinstance(source, RemoteSource):
        table.add_row(name, "-", "synthetic (nothing to verify)")
        return False
    path = cached_path(source.filename)
    if not path.exists():
        table.add_row(name, str(path), "not in cache")
        return False
    corrupt = file_sha256(path) != source.sha256
    table.add_row(name, str(path), "[red]CHECKSUM MISMATCH[/red]" if corrupt else "ok")
    return corrupt


@data_app.command("seed")
def data_seed(
    folder: Annotated[Path, typer.Argument(help="Folder holding copies of published files.")],
) -> None:
    """Copy files whose sha256 matches a registry dataset into the cache (for offline use)."""
    from reanalyze.download_cache import cache_dir, seed_cache
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
    loader: LoaderOption = None,
    column: Annotated[
        list[str] | None, typer.Option("--column", "-c", help="Column to keep (repeat).")
    ] = None,
    units: UnitsOption = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", help="COLUMN=KIND (repeat).")] = None,
    rename: Annotated[list[str] | None, typer.Option("--rename", help="OLD=NEW (repeat).")] = None,
    slow_axis: SlowAxisOption = None,
    value: SlowValuesOption = None,
    nonfinite: Annotated[str, typer.Option(help="NaN/inf rows: drop or error.")] = "drop",
    duplicates: Annotated[str, typer.Option(help="Duplicate rows: drop, error or keep.")] = "drop",
    loader_option: LoaderOptionsOption = None,
    out_file: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the table (.csv or .parquet).")
    ] = None,
    overwrite: OverwriteFileOption = False,
) -> None:
    """Show what was parsed from data files: columns, kinds, units, rows, metadata, notes."""
    from reanalyze.load import load, loader_options
    from reanalyze.workflows import input_paths

    if out_file is not None:  # before reading: the files read may not be replaced
        action = _table_file(out_file, inputs=input_paths(files), overwrite=overwrite)
    options = _loader_options(column, units, kind, rename, nonfinite, duplicates)
    options |= loader_options(loader_option or [])
    if slow_axis:
        options["slow_axis"] = slow_axis
    if value:
        options["slow_values"] = value
    source: str | list[str] = files[0] if len(files) == 1 else files
    table = load(source, loader=loader, **options)
    _describe(table)
    if out_file is not None:
        _write(table, out_file, action)
        out.print(f"wrote {out_file}")


def _describe(table: Any) -> None:
    import numpy as np

    meta = table.metadata
    sources = meta.get("source")
    out.print(f"source: {sources}")
    if "loader" in meta:
        out.print(f"loader: {meta['loader']}")
    out.print(f"rows: {len(table)}")
    from rich.text import Text

    from reanalyze.units import pretty_unit

    summary = Table("column", "kind", "unit", "min", "max", "distinct")
    for name in table.columns:
        if table.kind(name) == "label":
            summary.add_row(Text(name), "label", "", "", "", str(len(set(table.labels(name)))))
            continue
        values = table.values(name)
        summary.add_row(
            Text(name),
            table.kind(name),
            pretty_unit(table.unit(name)),
            f"{np.min(values):.6g}",
            f"{np.max(values):.6g}",
            str(len(np.unique(values))),
        )
    print_table(summary, console=out)
    if table.sample is not None:
        out.print(f"sample: {table.sample}", markup=False, highlight=False)
    skip = {"notes", "source", "loader"}
    for key, val in meta.items():
        if key not in skip and val not in (None, [], {}):
            text = _in_words(val)
            out.print(f"{key}: {text if len(text) <= 300 else text[:299] + '…'}",
                      markup=False, highlight=False)  # fmt: skip
    for note in meta.get("notes", []):
        out.print(f"note: {note}")


def _in_words(value: Any) -> str:
    """A metadata value as a person reads it: lists joined by commas, mappings as
    ``key=value`` pairs, a mapping of mappings as ``name: key=value, …; name: …``.

    >>> _in_words({"Series 1": {"value": 1.0, "unit": "T"}, "S2": {"value": 2.0, "unit": "T"}})
    'Series 1: value=1.0, unit=T; S2: value=2.0, unit=T'
    >>> _in_words(["a", 2]), _in_words({"MASS": "0.61"}), _in_words(True)
    ('a, 2', 'MASS=0.61', 'true')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if all(isinstance(v, Mapping) for v in value.values()):
            return "; ".join(f"{k}: {_in_words(v)}" for k, v in value.items())
        return ", ".join(f"{k}={_in_words(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_in_words(v) for v in value)
    return json.dumps(value) if isinstance(value, bool) or value is None else str(value)


@data_app.command("synth")
def data_synth(
    name: Annotated[str, typer.Argument(help="Synthetic dataset or generator name.")],
    out_file: Annotated[Path, typer.Option("--out", "-o", help="Output file (.csv or .parquet).")],
    seed: Annotated[int | None, typer.Option(help="Noise seed (default: the registry's).")] = None,
    overwrite: OverwriteFileOption = False,
) -> None:
    """Generate a synthetic ground-truth dataset and write it with units."""
    from reanalyze.synthetic import GENERATORS

    generator, default_seed = _generator(name)
    action = _table_file(out_file, overwrite=overwrite)
    table = GENERATORS[generator]().scan(seed=default_seed if seed is None else seed)
    _write(table, out_file, action)
    out.print(f"wrote {len(table)} rows ({', '.join(table.headers())}) to {out_file}")


def _generator(name: str) -> tuple[str, int]:
    """The generator of a synthetic registry dataset (or a generator's own name), and the
    seed it uses by default."""
    from reanalyze.registry import SyntheticSource, load_registry
    from reanalyze.synthetic import GENERATORS

    registry = load_registry()
    if name in registry.datasets:
        source = registry.dataset(name).source
        if not isinstance(source, SyntheticSource):
            raise DataError(f"{name} is a remote dataset: use 'reanalyze data fetch {name}'")
        return source.generator, source.seed
    if name in GENERATORS:
        return name, 0
    synthetic = [n for n, e in registry.datasets.items() if isinstance(e.source, SyntheticSource)]
    raise DataError(f"unknown synthetic dataset {name!r} (known: {', '.join(synthetic)})")


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
    print_table(table, console=out)
