"""What ``reanalyze validate`` does in one call: a run folder or data in, a folder out."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from reanalyze.errors import DataError, UnknownNameError
from reanalyze.validation.classic import CLASSIC_METHODS
from reanalyze.validation.result import Validation
from reanalyze.wording import option

__all__ = ["is_run_folder", "training_data", "validate"]


def is_run_folder(source: str | Path) -> bool:
    """Whether ``source`` is a twin's run folder (it holds ``bundle.json``)."""
    from reanalyze.twin.run_folder import BUNDLE_FILE

    return Path(source).is_dir() and (Path(source) / BUNDLE_FILE).is_file()


def training_data(
    sources: Sequence[str],
    *,
    features: Sequence[str] | None = None,
    target: str | None = None,
    loader: str | None = None,
    units: dict[str, str] | None = None,
    note: Callable[[str], None] | None = None,
    load_options: Mapping[str, Any] | None = None,
) -> Any:
    """Load ``sources`` (files, globs or a registry name) as training data.

    Features and target default to the dataset's (registry) or, for files, to the columns
    whose kinds say they are the scan's axes and its measured quantity
    (:func:`~reanalyze.twin.data.default_columns`); ``note`` hears which were taken.
    ``load_options``: more options of :func:`reanalyze.load.load` (a loader's own ones, say).
    """
    from reanalyze.load import load
    from reanalyze.twin.data import TrainingData, default_columns

    options: dict[str, Any] = {**(load_options or {}), **({"units": units} if units else {})}
    source: str | list[str] = sources[0] if len(sources) == 1 else list(sources)
    table = load(source, loader=loader, **options)
    meta = table.metadata
    if note is not None:  # what the loader assumed, dropped or kept
        for line in meta.get("notes", []):
            note(f"note: {line}")
    chosen = list(features or meta.get("features") or [])
    picked = target or (meta.get("targets") or [None])[0]
    if not chosen or not picked:
        guess = default_columns(table)
        if guess is None:
            raise DataError(
                f"give the feature columns with {option('features', value='[...]')} and the "
                f"target with {option('target', value='NAME')} "
                f"(columns: {', '.join(table.columns)})"
            )
        chosen = chosen or guess[0]
        picked = picked or guess[1]
        if note is not None:
            note(f"note: features {', '.join(chosen)} and target {picked}, from the column kinds")
    return TrainingData.from_table(table, chosen, picked)


def validate(
    sources: Sequence[str],
    *,
    out: str | Path | None = None,
    features: Sequence[str] | None = None,
    target: str | None = None,
    loader: str | None = None,
    load_options: Mapping[str, Any] | None = None,
    units: dict[str, str] | None = None,
    methods: Sequence[str] = CLASSIC_METHODS,
    n_folds: int | None = None,
    workers: int = 0,
    tracking_uri: str | None = None,
    log_to_mlflow: bool = True,
    progress: Callable[[int, int], None] | None = None,
    note: Callable[[str], None] | None = None,
    overwrite: bool = False,
    option: str = "output folder",
) -> tuple[Validation, Path]:
    """Validate a twin (one run folder) or data (files or a dataset) on held-out lines.

    A run folder is validated against the classic methods and written to ``RUN/validation``
    (or ``out``), and logged to the search's MLflow run; data are scored with the classic
    methods only, into ``out`` (default ``./validation``). The output folder is checked
    before any work (:func:`reanalyze.outputs.output_action`; ``overwrite`` lets it write
    into a non-empty folder reanalyze did not write, replacing only its own files).
    """
    from reanalyze.outputs import output_action
    from reanalyze.validation.run import validate_data, validate_run
    from reanalyze.validation.write import VALIDATION_FOLDER, write_validation

    unknown = [m for m in methods if m not in CLASSIC_METHODS]
    if unknown:
        raise UnknownNameError(f"unknown method(s) {', '.join(unknown)} (choose from "
                        f"{', '.join(CLASSIC_METHODS)})")  # fmt: skip
    inputs = [s for s in sources if Path(s).exists()]
    if len(sources) == 1 and is_run_folder(sources[0]):
        run = Path(sources[0])
        folder = Path(out) if out else run / VALIDATION_FOLDER
        output_action(folder, "validation", inputs=inputs, overwrite=overwrite, option=option)
        validation, predictions = validate_run(
            run, methods=methods, n_folds=n_folds, workers=workers, progress=progress
        )
        folder = write_validation(
            folder, validation, predictions, inputs=inputs, overwrite=overwrite, option=option
        )
        if log_to_mlflow:
            from reanalyze.twin.tracking import log_validation

            log_validation(validation, folder, run_dir=run, tracking_uri=tracking_uri)
        return validation, folder
    folder = Path(out) if out else Path(VALIDATION_FOLDER)
    output_action(folder, "validation", inputs=inputs, overwrite=overwrite, option=option)
    data = training_data(
        sources, features=features, target=target, loader=loader, units=units, note=note,
        load_options=load_options,
    )  # fmt: skip
    validation, predictions = validate_data(data, methods=methods, n_folds=n_folds)
    folder = write_validation(
        folder, validation, predictions, inputs=inputs, overwrite=overwrite, option=option
    )
    return validation, folder
