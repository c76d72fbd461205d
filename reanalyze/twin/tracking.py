"""MLflow tracking of a search: a parent run, a nested run per trial, the twin registered.

The default tracking store is ``sqlite:///mlflow.db`` in the working directory: nothing to
start. ``reanalyze ui`` serves it. Trials are logged from the study after the search, so
workers (possibly on other machines) need no access to the tracking store.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import math
import os
import warnings
from collections.abc import Mapping

os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
from pathlib import Path
from typing import Any

from reanalyze.errors import OptionError
from reanalyze.twin.data import TrainingData

__all__ = [
    "TRACKING_FILE",
    "check_tracking",
    "default_tracking_uri",
    "log_property",
    "log_search",
    "log_validation",
    "tracking_record",
]

#: File in a run folder naming the MLflow run the search was logged to.
TRACKING_FILE = "mlflow.json"

PIP_REQUIREMENTS = ["reanalyze", "tensorflow-cpu", "keras>=3"]


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
    hint = "start it, give another --tracking-uri, or --no-mlflow"
    if scheme in ("http", "https"):
        import requests

        try:
            answer = requests.get(uri.rstrip("/") + "/health", timeout=timeout_s)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            raise OptionError(
                f"--tracking-uri {uri}: no MLflow server answers ({reason}); {hint}"
            ) from None
        if answer.status_code != 200:
            raise OptionError(
                f"--tracking-uri {uri}: answers HTTP {answer.status_code}, not MLflow; {hint}"
            )
    elif scheme == "sqlite":
        path = uri.removeprefix("sqlite:///")
        if path and path != ":memory:":
            folder = Path(path).parent
            if not folder.is_dir():
                raise OptionError(f"--tracking-uri {uri}: folder {folder} does not exist")
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
            raise OptionError(f"--tracking-uri {uri}: cannot connect ({first}); {hint}") from None
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


def log_search(search: Any, data: TrainingData, *, tracking_uri: str | None = None) -> str:
    """Log a finished :class:`~reanalyze.twin.search.Search` to MLflow.

    Returns the tracking URI used. The warnings MLflow and its database layer raise while
    doing so (deprecations inside SQLAlchemy, a signature it cannot infer) are theirs, not
    the user's, and are not shown.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _log_search(search, data, tracking_uri)


def _log_search(search: Any, data: TrainingData, tracking_uri: str | None) -> str:
    import mlflow
    from mlflow.entities import Metric, Param

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    uri = tracking_uri or default_tracking_uri()
    mlflow.set_tracking_uri(uri)
    summary = search.bundle_.summary
    dataset = str(data.meta.get("dataset") or Path(str(data.meta.get("source", "data"))).stem)
    experiment = mlflow.set_experiment(f"reanalyze/{dataset}")
    # open the UI on the "Model training" view (MLflow 3 defaults to GenAI otherwise)
    mlflow.MlflowClient().set_experiment_tag(
        experiment.experiment_id, "mlflow.experimentKind", "custom_model_development"
    )
    client = mlflow.MlflowClient()
    with mlflow.start_run(run_name=f"search {summary['study_name']}") as parent:
        mlflow.log_params(
            {
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
        )
        headline = {"best_value": summary["best_value"], "wall_s": summary["wall_s"]}
        if summary.get("fit"):
            headline["fit_rel_rmse"] = summary["fit"]["fit_rel_rmse"]
        holdout = summary.get("holdout") or {}
        if holdout:  # the search's own held-out lines (reanalyze validate logs every line)
            headline["search_heldout_rel_rmse_twin"] = holdout["twin"]
            for method, value in holdout["classic"].items():
                headline[f"search_heldout_rel_rmse_{method}"] = value
        mlflow.log_metrics({k: float(v) for k, v in headline.items() if math.isfinite(v)})
        mlflow.set_tags({"reanalyze.kind": "search", "study": summary["study_name"]})
        for trial in search.study_.get_trials(deepcopy=False):
            if trial.user_attrs.get("surplus"):
                continue  # asked for but never run: the study already had its trials
            start = _ms(trial.datetime_start)
            run = client.create_run(
                parent.info.experiment_id,
                start_time=start,
                run_name=f"trial {trial.number}",
                tags={
                    "mlflow.parentRunId": parent.info.run_id,
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
        record = {
            "tracking_uri": uri,
            "experiment_id": parent.info.experiment_id,
            "run_id": parent.info.run_id,
        }
        (Path(search.run_dir_) / TRACKING_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return uri


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
    a nested run of that search, so the MLflow UI shows it beside the trials; otherwise it
    is a run of the experiment ``reanalyze/properties``.

    Returns
    -------
    tracking_uri, run_id
    """
    import mlflow

    logging.getLogger("mlflow").setLevel(logging.ERROR)
    record = tracking_record(run_dir) if run_dir is not None else None
    uri = tracking_uri or (record or {}).get("tracking_uri") or default_tracking_uri()
    mlflow.set_tracking_uri(uri)
    client = mlflow.MlflowClient()
    tags = {"reanalyze.kind": "property", "property": plugin, "input": input_name}
    if record is not None and tracking_uri in (None, record["tracking_uri"]):
        experiment_id = record["experiment_id"]
        tags["mlflow.parentRunId"] = record["run_id"]
    else:
        experiment_id = mlflow.set_experiment("reanalyze/properties").experiment_id
    run = client.create_run(experiment_id, run_name=f"property {plugin}", tags=tags)
    run_id = run.info.run_id
    try:
        for key, value in params.items():
            client.log_param(run_id, key, json.dumps(value, default=str)[:6000])
        for key, item in result.summary.items():
            if item.value is not None and math.isfinite(item.value):
                client.log_metric(run_id, key, float(item.value))
            if item.std is not None and math.isfinite(item.std):
                client.log_metric(run_id, f"{key}_std", float(item.std))
        client.log_artifacts(run_id, str(folder), artifact_path=f"property_{plugin}")
    except Exception:
        client.set_terminated(run_id, "FAILED")
        raise
    client.set_terminated(run_id, "FINISHED")
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
