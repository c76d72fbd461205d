"""Planning and reporting: ``plan``, ``report``, ``instrument list/show``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    InstrumentsOption,
    OverwriteOption,
    ParamOption,
    QuietOption,
    RunDirArgument,
    TrackingUriOption,
    _note,
    _pairs,
    out,
    print_table,
    unit_header,
)
from reanalyze.errors import OptionError

#: How the plan's parameters are called on the command line, for its messages.
PLAN_OPTIONS = {"axis": "--axis", "steps": "--steps", "span": "--range", "fixed": "--fixed"}


@app.command("plan")
def plan_cmd(
    run_dir: RunDirArgument,
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
    instruments_file: InstrumentsOption = None,
    tolerance: Annotated[
        list[str] | None,
        typer.Option(help="KEY=VALUE: rms_rel, peak_rel, peak_position, tv_ratio (repeat)."),
    ] = None,
    param: ParamOption = None,
    slow_axis: Annotated[
        str | None, typer.Option(help="Axis held fixed per scan line, for the cost.")
    ] = None,
    overwrite: OverwriteOption = False,
) -> None:
    """Which step is fine enough for a property, and what it costs on an instrument."""
    from reanalyze.outputs import output_action
    from reanalyze.planning import Plan

    output_action(out_dir, "plan", inputs=[run_dir], overwrite=overwrite, option="--out")
    plan = Plan(
        run_dir, property_name, axis, [s.strip() for s in steps.split(",") if s.strip()],
        span=_range(range_), fixed=fixed or (), instrument=instrument,
        instruments_file=instruments_file, tolerance=_tolerance(tolerance),
        params=_pairs(param, "--param"), slow_axis=slow_axis, names=PLAN_OPTIONS,
    )  # fmt: skip
    plan.run(progress=_note)
    plan.result_.save(out_dir, overwrite=overwrite, option="--out")
    _print_plan(plan.result_)
    out.print(f"wrote {out_dir}")


def _tolerance(items: list[str] | None) -> Any:
    """``--tolerance KEY=VALUE`` (repeat) as a :class:`~reanalyze.planning.Tolerance`."""
    from pydantic import ValidationError

    from reanalyze.errors import validation_message
    from reanalyze.planning import Tolerance

    try:
        return Tolerance(**{k: float(v) for k, v in _pairs(items, "--tolerance").items()})
    except ValidationError as exc:
        raise OptionError(f"--tolerance {validation_message(exc)}") from None
    except ValueError as exc:
        raise OptionError(f"--tolerance: {exc}") from None


def _range(text: str | None) -> tuple[str, str] | None:
    """``--range LO:HI`` as its two quantities (None when not given)."""
    if not text:
        return None
    lo, sep, hi = text.partition(":")
    if not sep or not lo.strip() or not hi.strip():
        raise OptionError(f"--range expects LO:HI, e.g. 0.01T:5T, got {text!r}")
    return lo.strip(), hi.strip()


def _print_plan(result: Any) -> None:
    q = result.info["quantity"]
    unit = result.info["axis_unit"]
    listing = Table(
        unit_header(f"{result.info['axis']} step", unit),
        "lines",
        "hours",
        "days",
        "RMS dev.",
        "max. error",
        unit_header("peak centre", q["x_unit"]),
        unit_header("spread", q["unit"]),
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
    print_table(listing, console=out)
    out.print(f"verdict: {result.verdict}", markup=False, highlight=False)
    for note in result.notes:
        out.print(f"note: {note}", markup=False, highlight=False)


# -------------------------------------------------------------- report
@app.command("report")
def report_cmd(
    run_dir: RunDirArgument,
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
    tracking_uri: TrackingUriOption = None,
    no_mlflow: Annotated[
        bool, typer.Option("--no-mlflow", help="Do not log the report to MLflow.")
    ] = False,
    overwrite: Annotated[
        bool,
        typer.Option(
            "--overwrite", help="Allow an --out folder with files reanalyze did not write."
        ),
    ] = False,
    quiet: QuietOption = False,
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
        progress=None if quiet else _note,
        overwrite=overwrite,
        option="--out",
        note=_note,
    )
    out.print(f"wrote {path}")


instrument_app = typer.Typer(
    help="Instrument profiles for the cost of a plan: list and show them.", no_args_is_help=True
)
app.add_typer(instrument_app, name="instrument")


@instrument_app.command("list")
def instrument_list(
    instruments_file: InstrumentsOption = None,
) -> None:
    """List the instrument profiles (built-in and from --instruments)."""
    from rich.text import Text

    from reanalyze.instruments import load_instruments

    listing = Table("name", "kind", "description")
    for name, profile in load_instruments(instruments_file).items():
        listing.add_row(Text(name), Text(profile.kind), Text(profile.description))
    print_table(listing, console=out)


@instrument_app.command("show")
def instrument_show(
    name: Annotated[str, typer.Argument(help="Profile name.")],
    instruments_file: InstrumentsOption = None,
) -> None:
    """Show a profile's values and where each default comes from."""
    from reanalyze.instruments import get_instrument

    profile = get_instrument(name, instruments_file)
    out.print(f"[bold]{name}[/bold] ({profile.kind}): {profile.description}")
    from rich.text import Text

    listing = Table("field", "value", "source")
    sources = profile.sources
    for key, value in profile.model_dump().items():
        if key in ("name", "kind", "description", "sources"):
            continue
        listing.add_row(Text(key), Text(json.dumps(value, default=str)), Text(sources.get(key, "")))
    print_table(listing, console=out)
