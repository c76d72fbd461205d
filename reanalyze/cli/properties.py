"""``reanalyze property``: list the plugins, show one, run one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    _grid_source,
    _loader_options,
    _mass,
    _note,
    _pairs,
    out,
)

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
