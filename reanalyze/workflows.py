"""What a user does in one call: train a twin, compute a property of data or of a twin.

The command line, the GUI and notebooks call these; each returns what was made (and where it
was written) and leaves printing to the caller. Output folders are checked before any work
(:func:`reanalyze.outputs.output_action`), so a refused ``out`` costs nothing.

Examples
--------
>>> from reanalyze.workflows import compute_property
>>> # run = compute_property("magnetocaloric", ["mt_*.dat"], "results/dsm", mass=(0.61, "mg"))
>>> # run.result.summary["delta_s_max"].value, run.folder
"""

from __future__ import annotations

import glob
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reanalyze import wording
from reanalyze.errors import OptionError

__all__ = ["PropertyRun", "TrainRun", "compute_property", "input_paths", "train_twin"]

Note = Callable[[str], None]


def input_paths(sources: Sequence[str]) -> list[str]:
    """The files and folders that ``sources`` (paths or globs; not dataset names) name."""
    found: list[str] = []
    for source in sources:
        found.extend([source] if Path(source).exists() else glob.glob(source))
    return found


# ------------------------------------------------------------------ train
@dataclass
class TrainRun:
    """A trained twin: the finished search (its bundle, study, timing), the training data and
    the MLflow run it was logged to (``None`` without tracking)."""

    search: Any
    data: Any
    folder: Path
    tracking_uri: str | None


def train_twin(
    sources: Sequence[str],
    out: str | Path,
    *,
    features: Sequence[str] | None = None,
    target: str | None = None,
    recipe: str = "default",
    space_file: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    names: Mapping[str, str] | None = None,
    units: dict[str, str] | None = None,
    loader: str | None = None,
    load_options: Mapping[str, Any] | None = None,
    search_options: Mapping[str, Any] | None = None,
    tracking_uri: str | None = None,
    log_to_mlflow: bool = True,
    overwrite: bool = False,
    option: str = "output folder",
    note: Note | None = None,
    progress: Callable[[Any], None] | None = None,
) -> TrainRun:
    """Load ``sources``, search for the best network, save the twin into ``out``, log it.

    Every setting is checked before the data are read: the search space (``overrides`` of
    the recipe's, named in messages by ``names``), the search options (``n_trials``,
    ``workers``, ``seed``, ``storage``, ``study_name``, ``objective``, ``ensemble``,
    ``timeout``; see :class:`~reanalyze.twin.search.Search`), the output folder and the
    tracking store.
    """
    from reanalyze.outputs import output_action
    from reanalyze.twin.recipes import get_recipe
    from reanalyze.twin.search import Search
    from reanalyze.twin.space import SearchSpace
    from reanalyze.validation.workflow import training_data

    chosen = get_recipe(recipe)
    changes = dict(overrides or {})
    called = dict(names or {})
    SearchSpace.from_overrides(changes, None, called)  # refuse bad options before any work
    search = Search(None, recipe=chosen, **dict(search_options or {}))
    inputs = input_paths(sources)
    output_action(out, "run", inputs=inputs, overwrite=overwrite, option=option)
    # the workers' server imports TensorFlow (~4 s) while the data are read, MLflow is
    # imported and the study prepared
    from reanalyze.twin.pool import warm_up

    warm_up()
    data = training_data(
        sources, features=features, target=target, loader=loader, units=units, note=note,
        load_options=load_options,
    )  # fmt: skip
    if log_to_mlflow:
        from reanalyze.twin.tracking import check_tracking

        check_tracking(tracking_uri)  # fail in seconds, not after the search
    if note is not None and not units and all(k == "dimensionless" for k in data.kinds.values()):
        note(
            "note: no units known: columns are used as they are (give "
            f"{wording.option('units', 'COLUMN', 'UNIT')})"
        )
    base = SearchSpace.from_file(space_file) if space_file else chosen.space_for(data.n_rows)
    search.space = SearchSpace.from_overrides(changes, base, called)
    search.fit(data, out, progress=progress, inputs=inputs, overwrite=overwrite, option=option)
    uri = None
    if log_to_mlflow:
        from reanalyze.twin.tracking import log_search

        uri = log_search(search, data, tracking_uri=tracking_uri)
    return TrainRun(search=search, data=data, folder=Path(out), tracking_uri=uri)


# ------------------------------------------------------------------ properties
@dataclass
class PropertyRun:
    """A computed property: the result, the folder it was written to, how many rows it was
    computed from, the twin it came from (if any) and the MLflow run it was logged to."""

    result: Any
    folder: Path
    rows: int
    twin: Path | None
    mlflow: tuple[str, str] | None


def compute_property(
    name: str,
    inputs: Sequence[str],
    out: str | Path,
    *,
    params: Mapping[str, Any] | None = None,
    columns: Mapping[str, str] | None = None,
    load_options: Mapping[str, Any] | None = None,
    loader: str | None = None,
    mass: tuple[float, str] | None = None,
    grid: Any = None,
    allow_extrapolation: bool = False,
    run_dir: str | Path | None = None,
    tracking_uri: str | None = None,
    log_to_mlflow: bool = True,
    figures: bool = True,
    overwrite: bool = False,
    option: str = "output folder",
    grid_option: str = "a grid",
    note: Note | None = None,
) -> PropertyRun:
    """Compute the property plugin ``name`` of measured data or of a twin; write ``out``.

    Parameters
    ----------
    name
        Property plugin (``reanalyze property list``).
    inputs
        Measured file(s), glob(s), a registry dataset name or a simulated table; or one twin's
        run folder, with ``grid``.
    out
        Result folder (``tables/*.csv``, ``summary.json``, ``figures/*.png``).
    params, columns
        Plugin parameters; ``{role: column}`` overrides.
    load_options, loader
        Options for :func:`reanalyze.load.load` and the loader's name.
    mass
        Sample mass ``(magnitude, unit)``, positive; replaces the file's.
    grid
        With a twin: axis specs or a points table (:func:`reanalyze.twin.simulate.simulate`).
    option, grid_option
        How messages name ``out`` and ``grid`` (the command line: ``--out``, ``--grid``).
    run_dir
        Log to MLflow under this twin's search run (default: the twin the property came
        from); ``log_to_mlflow=False`` never logs.

    Raises
    ------
    OptionError
        A grid without a twin or a twin without a grid, a mass that is not positive, or an
        ``out`` that would lose files.
    """
    from reanalyze.load import load
    from reanalyze.outputs import output_action
    from reanalyze.plugins import load_plugin
    from reanalyze.properties.base import parse_params
    from reanalyze.twin.run_folder import BUNDLE_FILE

    plugin = load_plugin("reanalyze.properties", name)()
    parsed = parse_params(plugin, dict(params or {}))  # fail before any heavy work
    if mass is not None and not mass[0] > 0:
        raise OptionError(f"mass: must be positive, got {mass[0]} {mass[1]}")
    sources = input_paths(inputs)
    output_action(out, "property", inputs=sources, overwrite=overwrite, option=option)
    twin: Path | None = None
    if len(inputs) == 1 and (Path(inputs[0]) / BUNDLE_FILE).is_file():
        from reanalyze.twin.simulate import simulate

        twin = Path(inputs[0])
        if grid is None:
            raise OptionError(
                f"{twin} is a twin's run folder: give {grid_option} to simulate it on"
            )
        table = simulate(twin, grid, allow_extrapolation=allow_extrapolation)
        if note is not None:
            note(f"simulated {len(table)} points with the twin in {twin}")
            for line in table.metadata.get("notes", []):
                note(f"note: {line}")
    else:
        if grid is not None:
            raise OptionError("a grid needs a twin's run folder as the input")
        source: str | list[str] = inputs[0] if len(inputs) == 1 else list(inputs)
        table = load(source, loader=loader, **dict(load_options or {}))
    if mass is not None:
        from reanalyze.table import Sample

        sample = (table.sample or Sample()).model_copy(
            update={"mass": float(mass[0]), "mass_unit": mass[1]}
        )
        table = table.with_sample(sample)
    result = plugin.run(table, parsed, columns=dict(columns or {}), figures=figures)
    input_name = str(twin) if twin else " ".join(inputs)
    dumped = parsed.model_dump(mode="json")
    extra = {"input": input_name, "params": dumped, "rows": len(table)}
    folder = result.save(
        out, plugin=name, extra=extra, inputs=sources, overwrite=overwrite, option=option
    )
    logged = None
    log_to = run_dir or twin
    if log_to is not None and log_to_mlflow:
        from reanalyze.twin.tracking import log_property

        logged = log_property(
            result, plugin=name, params=dumped, folder=Path(out), run_dir=log_to,
            tracking_uri=tracking_uri, input_name=input_name,
        )  # fmt: skip
    return PropertyRun(result=result, folder=folder, rows=len(table), twin=twin, mlflow=logged)
