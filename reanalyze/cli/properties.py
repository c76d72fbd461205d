"""``reanalyze property``: list the plugins, show one, run one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table

from reanalyze.cli._app import app
from reanalyze.cli._common import (
    LoaderOption,
    LoaderOptionsOption,
    OverwriteOption,
    ParamOption,
    SlowAxisOption,
    SlowValuesOption,
    TrackingUriOption,
    UnitsOption,
    _grid_source,
    _loader_options,
    _mass,
    _note,
    _pairs,
    err,
    out,
    print_table,
    table_fits,
)
from reanalyze.numbers import value_pm

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
        needs = "; ".join(f"{r.role}: {' or '.join(r.kinds)}" for r in cls.requires)
        description = cls.description or spec.description
        listing.add_row(Text(name), Text(spec.origin), Text(needs), Text(description))
    print_table(listing, console=out)


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
    print_table(roles, console=out)
    params = Table("--param", "default", "description")
    for field_name, info in cls.Params.model_fields.items():
        default = (
            "(required)"
            if info.is_required()
            else json.dumps(info.get_default(call_default_factory=True), default=str)
        )
        params.add_row(Text(field_name), Text(default), Text(info.description or ""))
    print_table(params, console=out)


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
    param: ParamOption = None,
    column: Annotated[
        list[str] | None,
        typer.Option("--column", "-c", help="ROLE=COLUMN (or KIND=COLUMN) override (repeat)."),
    ] = None,
    units: UnitsOption = None,
    loader: LoaderOption = None,
    loader_option: LoaderOptionsOption = None,
    slow_axis: SlowAxisOption = None,
    value: SlowValuesOption = None,
    mass: Annotated[
        str | None, typer.Option(help="Sample mass with unit, e.g. 0.61mg (overrides the file).")
    ] = None,
    grid: Annotated[
        list[str] | None,
        typer.Option("--grid", "-g", help="With a run folder: simulate this grid first."),
    ] = None,
    allow_extrapolation: Annotated[
        bool,
        typer.Option(
            "--allow-extrapolation", help="With --grid: allow points outside the training ranges."
        ),
    ] = False,
    run_dir: Annotated[
        Path | None, typer.Option("--run", help="Log to MLflow under this twin's search run.")
    ] = None,
    tracking_uri: TrackingUriOption = None,
    no_mlflow: Annotated[
        bool, typer.Option("--no-mlflow", help="Do not log, even for a twin's run.")
    ] = False,
    no_figures: Annotated[bool, typer.Option("--no-figures", help="Skip the PNG figures.")] = (
        False
    ),
    overwrite: OverwriteOption = False,
) -> None:
    """Compute a derived property; write tables (CSV), summary.json and figures (PNG)."""
    from reanalyze.load import loader_options
    from reanalyze.workflows import compute_property

    options = _loader_options(None, units, None, None, "drop", "drop")
    options |= loader_options(loader_option or [])
    options.update({"slow_axis": slow_axis} if slow_axis else {})
    options.update({"slow_values": value} if value else {})
    run = compute_property(
        name, inputs, out_dir, params=_pairs(param, "--param"),
        columns=_pairs(column, "--column"), load_options=options, loader=loader,
        mass=_mass(mass) if mass else None, grid=_grid_source(grid, None, None) if grid else None,
        allow_extrapolation=allow_extrapolation, run_dir=run_dir, tracking_uri=tracking_uri,
        log_to_mlflow=not no_mlflow, figures=not no_figures, overwrite=overwrite,
        option="--out", grid_option="--grid", note=_note,
    )  # fmt: skip
    if run.mlflow is not None:
        err.print(f"note: logged to MLflow run {run.mlflow[1]} at {run.mlflow[0]}", markup=False,
                  highlight=False)  # fmt: skip
    _print_result(run.result, out_dir)


#: At most this many summary lines in the headline of ``property run`` (the rest: in files).
HEADLINE_ROWS = 12


def _value_text(item: Any) -> str:
    """A summary value, rounded to its ensemble std as the report writes it."""
    return value_pm(item.value, item.std, "")


def variant_groups(keys: list[str]) -> tuple[list[str], dict[str, dict[str, str]]]:
    """Split summary keys into the headline keys and their variants.

    A key ``base_suffix`` is a variant of ``base`` when at least two headline keys share
    the suffix (``delta_s_max_1T`` and ``t_peak_1T``: the same quantities for another field
    change); a suffix only one key has (``hc2_0_whh_slope``) is part of a name.

    Returns
    -------
    (list of str, dict)
        The headline keys in order, and ``{suffix: {base: key}}`` in order.

    Examples
    --------
    >>> heads, groups = variant_groups(["a", "b_1", "a_1T", "b_1_1T", "c_slope", "c"])
    >>> heads, groups
    (['a', 'b_1', 'c_slope', 'c'], {'1T': {'a': 'a_1T', 'b_1': 'b_1_1T'}})
    """
    names = set(keys)
    candidates: dict[str, tuple[str, str]] = {}
    for key in keys:
        bases = [b for b in names if b != key and key.startswith(f"{b}_")]
        if bases:
            base = max(bases, key=len)
            candidates[key] = (base, key[len(base) + 1 :])
    count: dict[str, set[str]] = {}
    for base, suffix in candidates.values():
        count.setdefault(suffix, set()).add(base)
    groups: dict[str, dict[str, str]] = {}
    for key, (base, suffix) in candidates.items():
        if len(count[suffix]) >= 2:
            groups.setdefault(suffix, {})[base] = key
    variants = {k for g in groups.values() for k in g.values()}
    return [k for k in keys if k not in variants], groups


def _representative(suffixes: list[str], count: int) -> list[str]:
    """A few variants spread over the range: the ones nearest to round fractions of the
    largest number when the suffixes are numbers with a unit (``0.5T``, ``2T``: 1, 2 and
    4 T of 4.95 T), else evenly spaced ones."""
    import re

    if count <= 0 or len(suffixes) <= count:
        return list(suffixes)
    numbers = [re.match(r"-?[0-9]+(\.[0-9]*)?(e-?[0-9]+)?", s) for s in suffixes]
    if not all(numbers):
        step = (len(suffixes) - 1) / max(count - 1, 1)
        return [suffixes[round(i * step)] for i in range(count)]
    values = [float(m.group(0)) for m in numbers if m]
    top = max(values, key=abs)
    chosen: list[str] = []
    for k in range(1, count + 1):
        target = float(f"{top * k / (count + 1):.1g}")
        best = min(range(len(values)), key=lambda i: (abs(values[i] - target), i))
        if suffixes[best] not in chosen:
            chosen.append(suffixes[best])
    return sorted(chosen, key=lambda s: values[suffixes.index(s)])


def _print_result(result: Any, folder: Path) -> None:
    """The headline of a property result, in about 20 lines at most; the last says where
    everything is.

    Notes go to standard error first. Quantities that come in variants (the same figures for
    every field change: ``delta_s_max``, ``delta_s_max_1T`` …, see :func:`variant_groups`)
    are one row each: the main value and a few representative variants side by side. Every
    other quantity is one row with its value, unit and description.
    """
    from rich.text import Text

    from reanalyze.units import pretty_unit

    for note in result.notes:
        err.print(f"note: {note}", markup=False, highlight=False)
    summary = result.summary
    heads, groups = variant_groups(list(summary))
    varied = [b for b in heads if any(b in g for g in groups.values())]
    shown_keys: set[str] = set()
    if varied:
        same = [x for x, g in groups.items() if all(_same(summary[k], summary[b]) for b, k in
                                                   g.items())]  # fmt: skip
        main = same[-1] if same else "main"
        others = [x for x in groups if x not in same]
        for count in range(VARIANT_COLUMNS, -1, -1):  # as many as fit the terminal
            shown = _representative(others, count)
            table = _variant_table(summary, groups, varied, main, shown)
            if count == 0 or table_fits(table, names=range(len(shown) + 3), console=out):
                break
        for base in varied:
            shown_keys.update([base, *(groups[x][base] for x in shown if base in groups[x])])
        out.print(Text(f"{main}: {summary[varied[0]].description}"))
        print_table(table, names=range(len(shown) + 3), console=out)
    rest = [k for k in heads if k not in varied][:HEADLINE_ROWS]
    if rest:
        table = Table("quantity", "value", "description", **TABLE_STYLE)
        for key in rest:
            item = summary[key]
            value = f"{_value_text(item)} {pretty_unit(item.unit)}".rstrip()
            table.add_row(Text(key), value, Text(item.description))
        print_table(table, names=(0, 1), console=out)
    hidden = len(summary) - len(shown_keys) - len(rest)
    more = f" ({hidden} more numbers)" if hidden > 0 else ""
    figures = ", figures (PNG)" if (folder / "figures").is_dir() else ""
    out.print(f"wrote {folder}: summary.json{more}, tables (CSV){figures}", markup=False,
              highlight=False)  # fmt: skip


def _variant_table(
    summary: dict[str, Any],
    groups: dict[str, dict[str, str]],
    varied: list[str],
    main: str,
    shown: list[str],
) -> Table:
    """One row per varied quantity: its unit, the main value, and the ``shown`` variants."""
    from rich.text import Text

    from reanalyze.units import pretty_unit

    table = Table("quantity", "unit", main, *shown, **TABLE_STYLE)
    for base in varied:
        cells = [_value_text(summary[groups[x][base]]) if base in groups[x] else "" for x in shown]
        table.add_row(Text(base), pretty_unit(summary[base].unit), _value_text(summary[base]),
                      *cells)  # fmt: skip
    return table


def _same(a: Any, b: Any) -> bool:
    return bool(a.value == b.value or (a.value != a.value and b.value != b.value))


#: Representative variants shown beside the main value.
VARIANT_COLUMNS = 3
#: The headline's tables: a rule under the header, no frame.
TABLE_STYLE: dict[str, Any] = {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False}
