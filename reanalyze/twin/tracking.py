"""MLflow tracking of a search: a parent run, a nested run per trial, the twin registered.

The default tracking store is ``sqlite:///mlflow.db`` in the working directory: nothing to
start. ``reanalyze ui`` serves it. Trials are logged from the study after the search, so
workers (possibly on other machines) need no access to the tracking store; the parent run
still gets the search's true start and end (:func:`log_search`).

The parent run holds the search's headline metrics (:func:`search_metrics`) and, once a
property is computed on the twin, the property's (:func:`log_property`), and each experiment
keeps a view of MLflow's runs table with those columns (:data:`~reanalyze.twin.ui.VIEW_TAG`),
which the URL ``reanalyze ui`` prints opens: searches compare without expanding them.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Mapping, Sequence

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
from pathlib import Path
from typing import Any

from reanalyze.errors import OptionError
from reanalyze.twin.data import TrainingData
from reanalyze.twin.ui import VIEW_KEY, VIEW_TAG

__all__ = [
    "SEARCH_COLUMNS",
    "TRACKING_FILE",
    "VIEW_KEY",
    "VIEW_TAG",
    "best_classic",
    "check_tracking",
    "default_tracking_uri",
    "log_property",
    "log_search",
    "log_validation",
    "property_headline",
    "read_view",
    "search_metrics",
    "tracking_record",
]

#: File in a run folder naming the MLflow run the search was logged to.
TRACKING_FILE = "mlflow.json"

PIP_REQUIREMENTS = ["reanalyze", "tensorflow-cpu", "keras>=3"]

#: Metrics of a search's parent run shown as columns of that view.
SEARCH_COLUMNS = (
    "best_objective",
    "search_heldout_rel_rmse_twin",
    "search_heldout_rel_rmse_best_classic",
    "wall_s",
)
#: Parameters shown as columns (the objective says whether best_objective compares).
PARAM_COLUMNS = ("objective", "recipe")
#: How many headline metrics of a property become columns (all are logged).
PROPERTY_COLUMNS = 3


def default_tracking_uri() -> str:
    """``$MLFLOW_TRACKING_URI`` or ``sqlite:///mlflow.db`` in the working directory."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def check_tracking(tracking_uri: str | None = None, timeout_s: float = 5.0) -> str:
    """Make sure the tracking store can be reached, in seconds; return its URI.

    An ``http(s)://`` store must answer MLflow's ``/health`` within ``timeout_s``; a database
    URL (``postgresql://``, ``mysql://`` …) must accept a connection within ``timeout_s``; a
    ``sqlite:///`` or ``file:`` store must be in a folder that exists or can be made. Call it
    before a long search, so that an unreachable store fails at once rather than at the end.

    Raises
    ------
    OptionError
        The store cannot be reached (one line with the reason and what to do).
    """
    uri = tracking_uri or default_tracking_uri()
    scheme = uri.split(":", 1)[0].lower() if ":" in uri else "file"
    hint = "start it, give another tracking URI, or do without MLflow"
    if scheme in ("http", "https"):
        import requests

        try:
            answer = requests.get(uri.rstrip("/") + "/health", timeout=timeout_s)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise OptionError(
                f"tracking URI {uri}: no MLflow server answers ({reason}); {hint}"
            ) from None
        if answer.status_code != 200:
            raise OptionError(
                f"tracking URI {uri}: answers HTTP {answer.status_code}, not MLflow; {hint}"
            )
    elif scheme == "sqlite":
        path = uri.removeprefix("sqlite:///")
        if path and path != ":memory:":
            folder = Path(path).parent
            if not folder.is_dir():
                raise OptionError(f"tracking URI {uri}: folder {folder} does not exist")
    elif scheme in ("postgresql", "postgres", "mysql", "mssql") or "+" in scheme:
        import sqlalchemy

        try:
            engine = sqlalchemy.create_engine(
                uri, connect_args={"connect_timeout": max(1, int(timeout_s))}
            )
            with engine.connect():
                pass
        except Exception as exc:  # drivers raise their own error types
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
            raise OptionError(f"tracking URI {uri}: cannot connect ({first}); {hint}") from None
    return uri


class _TwinModel:  # pragma: no cover - executed by MLflow's pyfunc loader
    """pyfunc wrapper: DataFrame of features in training units → mean and std of the target."""

    def load_context(self, context: Any) -> None:
        from reanalyze.twin.bundle import ModelBundle

        self.bundle = ModelBundle.load(context.artifacts["bundle"])

    def predict(self, context: Any, model_input: Any, params: Any = None) -> Any:
        import pandas as pd

        mean, std = self.bundle.predict({f: model_input[f] for f in self.bundle.features})
        target = self.bundle.target
        return pd.DataFrame({target: mean, f"{target}_std": std})


def _python_model() -> Any:
    import mlflow.pyfunc

    return type("TwinModel", (_TwinModel, mlflow.pyfunc.PythonModel), {})()


def _ms(moment: Any) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


# ------------------------------------------------------------ experiments, the UI view
def _experiment_id(client: Any, name: str, uri: str) -> str:
    """The id of experiment ``name``, created if needed.

    MLflow puts the artifacts of a new experiment of a ``sqlite:///`` store into ``./mlruns``
    of the *working directory*; reanalyze puts them beside the database instead
    (``<folder of the .db>/mlruns``), so a store and its artifacts stay together.
    """
    found = client.get_experiment_by_name(name)
    if found is not None:
        if found.lifecycle_stage == "deleted":
            client.restore_experiment(found.experiment_id)
        return str(found.experiment_id)
    location = None
    if uri.startswith("sqlite:///"):
        database = uri.removeprefix("sqlite:///")
        if database and database != ":memory:":
            location = (Path(database).resolve().parent / "mlruns").as_uri()
    try:
        return str(client.create_experiment(name, artifact_location=location))
    except Exception:  # created meanwhile by another process
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)


def _column(kind: str, key: str) -> str:
    """A column of MLflow's runs table, e.g. ``metrics.`best_objective```."""
    return f"{kind}.`{key}`"


def _width(key: str) -> int:
    """Width of a runs-table column that shows ``key`` whole, in CSS pixels."""
    return max(100, 7 * len(key) + 32)


#: Columns of MLflow's runs table that come before the ones reanalyze chooses (MLflow 3).
_LEADING_COLUMNS = ("attributes.`Run Name`", "runDateAndNestInfo", "duration")
#: Longest view kept, in characters (an experiment tag holds 20 000 in MLflow 3, run tags 8000).
_MAX_VIEW = 8000


def read_view(client: Any, experiment_id: str) -> dict[str, Any] | None:
    """The runs-table view reanalyze keeps on an experiment (see :data:`VIEW_TAG`)."""
    tags = client.get_experiment(experiment_id).tags
    try:
        view = json.loads(tags[VIEW_TAG])
    except (KeyError, ValueError):
        return None
    return view if isinstance(view, dict) else None


def _add_view_columns(
    client: Any, experiment_id: str, metrics: Sequence[str], params: Sequence[str] = ()
) -> None:
    """Add metric (and parameter) columns to the experiment's runs-table view.

    The view is an MLflow "shared view" (the experiment tag :data:`VIEW_TAG`), which the UI
    applies when its URL carries ``viewStateShareKey=`` :data:`VIEW_KEY`: the runs table,
    newest first, with the columns that compare twins without expanding their trials.
    """
    view = read_view(client, experiment_id) or {}
    columns = list(view.get("selectedColumns") or [_column("attributes", "Models")])
    widths = {_column("attributes", "Run Name"): 250, **(view.get("columnWidths") or {})}
    for kind, keys in (("params", params), ("metrics", metrics)):
        for key in keys:
            column = _column(kind, key)
            if column not in columns:
                columns.append(column)
                widths[column] = _width(key)
    view.update(
        selectedColumns=columns,
        # MLflow applies the widths only to the columns it is given an order for
        columnOrder=[*_LEADING_COLUMNS, *columns],
        columnWidths=widths,
        orderByKey="attributes.start_time",
        orderByAsc=False,
    )
    text = json.dumps(view)
    if len(text) <= _MAX_VIEW:  # past that, the columns chosen so far stay
        client.set_experiment_tag(experiment_id, VIEW_TAG, text)


# ----------------------------------------------------------------------- a search
def search_metrics(summary: Mapping[str, Any]) -> dict[str, float]:
    """The headline metrics of a search's parent run, from the bundle summary.

    ``best_objective`` (the best trial's objective value, dimensionless),
    ``search_heldout_rel_rmse_twin`` and ``search_heldout_rel_rmse_<method>`` (RMSE on the
    search's held-out lines over each line's range, dimensionless), with the best classic
    method's also as ``search_heldout_rel_rmse_best_classic``, ``fit_rel_rmse`` (training
    fit, dimensionless), ``wall_s``, ``search_s`` and ``ensemble_s`` (s). Values that are not
    finite are left out.
    """
    metrics: dict[str, Any] = {"best_objective": summary.get("best_value")}
    for key in ("wall_s", "search_s", "ensemble_s"):
        metrics[key] = summary.get(key)
    if summary.get("fit"):
        metrics["fit_rel_rmse"] = summary["fit"].get("fit_rel_rmse")
    holdout = summary.get("holdout") or {}
    if holdout:  # the search's own held-out lines (reanalyze validate logs every line)
        metrics["search_heldout_rel_rmse_twin"] = holdout["twin"]
        classic = {
            method: float(value)
            for method, value in holdout["classic"].items()
            if value is not None and math.isfinite(value)
        }
        for method, value in classic.items():
            metrics[f"search_heldout_rel_rmse_{method}"] = value
        if classic:
            metrics["search_heldout_rel_rmse_best_classic"] = min(classic.values())
    return {
        key: _shown(value)
        for key, value in metrics.items()
        if isinstance(value, int | float) and math.isfinite(value)
    }


def _shown(value: float) -> float:
    """``value`` to 6 significant digits: what the runs table shows (bundle.json has all)."""
    return float(f"{value:.6g}")


def best_classic(summary: Mapping[str, Any]) -> str | None:
    """The classic method with the lowest error on the search's held-out lines, if any."""
    classic = {
        method: value
        for method, value in ((summary.get("holdout") or {}).get("classic") or {}).items()
        if value is not None and math.isfinite(value)
    }
    return min(classic, key=classic.__getitem__) if classic else None


def _search_times(search: Any) -> tuple[int, int]:
    """Start and end of the search in ms since the epoch.

    The end is when the search wrote its ``bundle.json`` (its last step), the start that
    minus its wall time, or the start of its first trial when that was earlier (the wall
    time leaves out saving the members). Trials of the same study that ended before, in an
    earlier search that this one resumed, do not count. So the run is right however long
    after the search it is logged.
    """
    from reanalyze.twin.bundle import BUNDLE_FILE

    try:
        end = (Path(search.run_dir_) / BUNDLE_FILE).stat().st_mtime
    except OSError:
        end = time.time()
    wall = float(search.bundle_.summary.get("wall_s") or 0.0)
    start = int((end - wall) * 1000)
    own = [
        _ms(trial.datetime_start)
        for trial in search.study_.get_trials(deepcopy=False)
        if trial.datetime_start is not None
        and trial.datetime_complete is not None
        and (_ms(trial.datetime_complete) or 0) > start
    ]
    return min([start, *(t for t in own if t is not None)]), int(end * 1000)


def log_search(search: Any, data: TrainingData, *, tracking_uri: str | None = None) -> str:
    """Log a finished :class:`~reanalyze.twin.search.Search` to MLflow.

    The search is a parent run that starts when the search started and ends when it ended,
    with its headline metrics (:func:`search_metrics`) and a nested run per trial. Returns
    the tracking URI used. The warnings MLflow and its database layer raise while doing so
    (deprecations inside SQLAlchemy, a signature it cannot infer) are theirs, not the user's,
    and are not shown.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _log_search(search, data, tracking_uri)


def _log_search(search: Any, data: TrainingData, tracking_uri: str | None) -> str:
    import mlflow
    from mlflow.entities import Metric, Param
    from mlflow.tracking.context.registry import resolve_tags

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    uri = tracking_uri or default_tracking_uri()
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    summary = search.bundle_.summary
    dataset = str(data.meta.get("dataset") or Path(str(data.meta.get("source", "data"))).stem)
    experiment_id = _experiment_id(client, f"reanalyze/{dataset}", uri)
    # open the UI on the "Model training" view (MLflow 3 defaults to GenAI otherwise)
    client.set_experiment_tag(experiment_id, "mlflow.experimentKind", "custom_model_development")
    started, ended = _search_times(search)
    tags = {"reanalyze.kind": "search", "study": summary["study_name"]}
    best = best_classic(summary)
    if best is not None:
        tags["search_heldout_best_classic"] = best
    parent = client.create_run(
        experiment_id,
        start_time=started,
        run_name=f"search {summary['study_name']}",
        tags=resolve_tags(tags),
    )
    parent_id = parent.info.run_id
    params = {
        "dataset": dataset,
        "data_sha256": data.sha256(),
        "features": ",".join(data.features),
        "target": data.target,
        "units": json.dumps(data.units),
        "objective": summary["objective"],
        "recipe": summary.get("recipe", ""),
        "n_trials": summary["n_trials"],
        "workers": summary["workers"],
        "seed": summary["seed"],
        "storage": summary["storage"],
        "ensemble": summary["ensemble"],
        "search_space": json.dumps(summary["space"])[:6000],
    }
    headline = search_metrics(summary)
    try:
        client.log_batch(
            parent_id,
            metrics=[Metric(k, v, ended, 0) for k, v in headline.items()],
            params=[Param(k, str(v)) for k, v in params.items()],
        )
        for trial in search.study_.get_trials(deepcopy=False):
            if trial.user_attrs.get("surplus"):
                continue  # asked for but never run: the study already had its trials
            _log_trial(client, experiment_id, parent_id, trial)
        with mlflow.start_run(run_id=parent_id):
            _log_model(search, dataset)
    except BaseException:
        client.set_terminated(parent_id, "FAILED", end_time=ended)
        raise
    client.set_terminated(parent_id, "FINISHED", end_time=ended)
    _add_view_columns(client, experiment_id, SEARCH_COLUMNS, PARAM_COLUMNS)
    record = {"tracking_uri": uri, "experiment_id": experiment_id, "run_id": parent_id}
    (Path(search.run_dir_) / TRACKING_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return uri


def _log_trial(client: Any, experiment_id: str, parent_id: str, trial: Any) -> None:
    """One Optuna trial as a nested run: its parameters, per-epoch history and result."""
    from mlflow.entities import Metric, Param

    start = _ms(trial.datetime_start)
    run = client.create_run(
        experiment_id,
        start_time=start,
        run_name=f"trial {trial.number}",
        tags={
            "mlflow.parentRunId": parent_id,
            "reanalyze.kind": "trial",
            "state": trial.state.name,
            "stopped": str(trial.user_attrs.get("stopped", "")),
        },
    )
    params = [Param(k, str(v)) for k, v in trial.params.items()]
    metrics = []
    history = trial.user_attrs.get("history", {})
    for name, values in history.items():
        metrics += [Metric(name, float(v), 0, i + 1) for i, v in enumerate(values)]
    for name in ("wall_s", "epochs", "best_epoch"):
        if name in trial.user_attrs:
            metrics.append(Metric(name, float(trial.user_attrs[name]), 0, 0))
    if trial.value is not None:
        metrics.append(Metric("objective", float(trial.value), 0, 0))
    for i in range(0, max(len(metrics), 1), 1000):
        client.log_batch(
            run.info.run_id, metrics=metrics[i : i + 1000], params=params if i == 0 else []
        )
    status = {"COMPLETE": "FINISHED", "PRUNED": "KILLED", "FAIL": "FAILED"}
    client.set_terminated(
        run.info.run_id,
        status.get(trial.state.name, "FINISHED"),
        end_time=_ms(trial.datetime_complete) or start,
    )


def _log_model(search: Any, dataset: str) -> None:
    """Log the twin as a pyfunc model of the active run and register it as ``dataset``."""
    import mlflow

    # MLflow's own chatter (a signature it cannot infer from a pyfunc's type hints, the
    # "Successfully registered model" line it prints itself) is not the user's business
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        info = mlflow.pyfunc.log_model(
            name="twin",
            python_model=_python_model(),
            artifacts={"bundle": str(search.run_dir_)},
            pip_requirements=PIP_REQUIREMENTS,
        )
        try:
            mlflow.register_model(info.model_uri, dataset)
        except Exception as exc:  # registry unavailable in some stores: the run has it
            logging.getLogger(__name__).warning("model not registered: %s", exc)


def tracking_record(run_dir: str | Path) -> dict[str, str] | None:
    """The MLflow run a run folder was logged to (``RUN/mlflow.json``), if any."""
    file = Path(run_dir) / TRACKING_FILE
    if not file.is_file():
        return None
    try:
        record = json.loads(file.read_text())
    except json.JSONDecodeError:
        return None
    return {k: str(v) for k, v in record.items()} if isinstance(record, dict) else None


def property_headline(summary: Mapping[str, Any]) -> list[str]:
    """The headline keys of a property summary, in the plugin's order.

    A key is left out when it is the variant ``<key>_<number>…`` of another key of the
    summary: ``delta_s_max_2T`` and ``tec_3K_2T`` (one field change) beside
    ``delta_s_max`` and ``tec_3K`` (the largest one), so a magnetocaloric result with a
    hundred field changes has about ten headline keys, a superconducting one all of its own.
    """
    keys = list(summary)
    present = set(keys)

    def variant(key: str) -> bool:
        for cut in range(len(key) - 2, 0, -1):
            if key[cut] == "_" and key[cut + 1].isdigit() and key[:cut] in present:
                return True
        return False

    return [key for key in keys if not variant(key)]


def _summary_metrics(
    summary: Mapping[str, Any], prefix: str = "", digits: bool = False
) -> dict[str, float]:
    """Values and ensemble std of a property summary as metrics (``digits``: 6 of them)."""
    metrics: dict[str, float] = {}
    for key, item in summary.items():
        for name, value in ((key, item.value), (f"{key}_std", item.std)):
            if value is not None and math.isfinite(value):
                metrics[f"{prefix}{name}"] = _shown(value) if digits else float(value)
    return metrics


def log_property(
    result: Any,
    *,
    plugin: str,
    params: Mapping[str, Any],
    folder: str | Path,
    run_dir: str | Path | None = None,
    tracking_uri: str | None = None,
    input_name: str = "",
) -> tuple[str, str]:
    """Log a property result to MLflow: params, summary metrics, the result folder.

    With ``run_dir`` (a twin's run folder logged by :func:`log_search`) the property becomes
    a nested run of that search, so the MLflow UI shows it beside the trials, and its
    headline (:func:`property_headline`) is logged on the search run too, as
    ``<plugin>/<key>`` (and ``<plugin>/<key>_std``), so searches compare by it in the runs
    table without expanding them; otherwise it is a run of the experiment
    ``reanalyze/properties``.

    Returns
    -------
    tracking_uri, run_id
    """
    import mlflow
    from mlflow.entities import Metric, Param

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    record = tracking_record(run_dir) if run_dir is not None else None
    uri = tracking_uri or (record or {}).get("tracking_uri") or default_tracking_uri()
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    tags = {"reanalyze.kind": "property", "property": plugin, "input": input_name}
    parent = None
    if record is not None and tracking_uri in (None, record["tracking_uri"]):
        experiment_id = record["experiment_id"]
        parent = tags["mlflow.parentRunId"] = record["run_id"]
    else:
        experiment_id = _experiment_id(client, "reanalyze/properties", uri)
    run = client.create_run(experiment_id, run_name=f"property {plugin}", tags=tags)
    run_id = run.info.run_id
    now = int(time.time() * 1000)
    try:
        logged = [Param(k, json.dumps(v, default=str)[:6000]) for k, v in params.items()]
        metrics = [Metric(k, v, now, 0) for k, v in _summary_metrics(result.summary).items()]
        for i in range(0, max(len(metrics), len(logged), 1), 100):
            client.log_batch(run_id, metrics=metrics[i : i + 100], params=logged[i : i + 100])
        client.log_artifacts(run_id, str(folder), artifact_path=f"property_{plugin}")
    except Exception:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
    if parent is not None:
        keys = property_headline(result.summary)
        headline = {k: result.summary[k] for k in keys}
        values = _summary_metrics(headline, prefix=f"{plugin}/", digits=True)
        client.log_batch(parent, metrics=[Metric(k, v, now, 0) for k, v in values.items()])
        shown = [f"{plugin}/{k}" for k in keys if f"{plugin}/{k}" in values]
        _add_view_columns(client, experiment_id, shown[:PROPERTY_COLUMNS])
    return uri, run_id


def log_validation(
    validation: Any,
    folder: str | Path,
    *,
    run_dir: str | Path,
    tracking_uri: str | None = None,
) -> tuple[str, str] | None:
    """Log a validation to the search's MLflow run: per-method metrics and the folder.

    Metrics are ``heldout_rel_rmse_<method>``, ``heldout_rmse_<method>`` and
    ``heldout_max_error_<method>`` on the search's parent run, so the runs table compares
    twins by their held-out-line error. Returns (tracking URI, run id), or ``None`` when the
    run folder was never logged to MLflow.
    """
    import mlflow

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    record = tracking_record(run_dir)
    if record is None:
        return None
    uri = tracking_uri or record["tracking_uri"]
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    run_id = record["run_id"]
    for method in validation.methods:
        for name, value in (
            ("rel_rmse", method.rel_rmse),
            ("rmse", method.rmse),
            ("max_error", method.max_error),
        ):
            if value is not None and math.isfinite(value):
                client.log_metric(run_id, f"heldout_{name}_{method.method}", float(value))
    client.set_tag(run_id, "reanalyze.validation", validation.verdict()[:5000])
    client.log_artifacts(run_id, str(folder), artifact_path="validation")
    return uri, run_id
