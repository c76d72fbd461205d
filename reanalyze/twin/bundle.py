"""The model bundle: a run folder that predicts in physical units without retraining.

Layout of a run folder::

    RUN/
      bundle.json          features, target, units, kinds, training ranges, data sha256,
                           standardization, search summary, member files
      members/member_0.keras ...   Keras 3 models (loaded in safe mode, never pickle)

Every member takes the features in their training units and returns the target in its unit:
the standardization is inside the saved model (a Normalization layer before the network and
an inverted one after it). With several members, :meth:`ModelBundle.predict` returns the
ensemble mean and standard deviation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from reanalyze._atomic import atomic_folder, atomic_path
from reanalyze._io import read_json
from reanalyze.errors import DataError
from reanalyze.twin.quiet import import_tensorflow

__all__ = ["BUNDLE_FILE", "ModelBundle", "wrap_in_units"]

BUNDLE_FILE = "bundle.json"
FORMAT_VERSION = 1
Array = npt.NDArray[np.float64]


def wrap_in_units(
    network: Any, x_mean: Sequence[float], x_scale: Sequence[float], y_mean: float, y_scale: float
) -> Any:
    """A Keras model taking physical features and returning the physical target."""
    import_tensorflow()
    import keras

    inputs = keras.Input((len(x_mean),), name="features")
    scaled = keras.layers.Normalization(
        mean=list(x_mean), variance=[s**2 for s in x_scale], name="standardize"
    )(inputs)
    outputs = keras.layers.Normalization(
        mean=[y_mean], variance=[y_scale**2], invert=True, name="unstandardize"
    )(network(scaled))
    return keras.Model(inputs, outputs)


@dataclass
class ModelBundle:
    """A trained twin: ensemble members plus everything needed to use them.

    Attributes
    ----------
    features, target
        Column names; predictions take features in this order.
    units, kinds
        Per column.
    ranges
        Training range ``(min, max)`` of each feature, in its unit.
    data_sha256
        Checksum of the training numbers.
    summary
        Search summary (best parameters, objective, trials, wall time, ...).
    members
        Loaded Keras models.
    sample
        The training table's sample (material, mass, molar mass) as a dict, if known; a
        simulated table carries it, so a property can be normalized by mass.
    log_features
        Features the members take as ``ln x`` (see
        :class:`~reanalyze.twin.data.Encoding`); :meth:`predict` takes them in their units.
    """

    features: list[str]
    target: str
    units: dict[str, str]
    kinds: dict[str, str]
    ranges: dict[str, tuple[float, float]]
    data_sha256: str
    summary: dict[str, Any] = field(default_factory=dict)
    members: list[Any] = field(default_factory=list)
    sample: dict[str, Any] | None = None
    log_features: list[str] = field(default_factory=list)

    def save(self, folder: str | Path) -> Path:
        """Write the bundle into ``folder`` (members replaced, other files kept)."""
        root = Path(folder)
        names = []
        with atomic_folder(root / "members") as tmp:
            for i, member in enumerate(self.members):
                name = f"member_{i}.keras"
                member.save(tmp / name)
                names.append(f"members/{name}")
        description = {
            "format": "reanalyze-bundle",
            "version": FORMAT_VERSION,
            "features": self.features,
            "target": self.target,
            "units": self.units,
            "kinds": self.kinds,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "data_sha256": self.data_sha256,
            "members": names,
            "summary": self.summary,
            "sample": self.sample,
            "log_features": self.log_features,
        }
        with atomic_path(root / BUNDLE_FILE) as part:
            part.write_text(json.dumps(description, indent=2) + "\n")
        return root

    @classmethod
    def load(cls, folder: str | Path) -> ModelBundle:
        """Read a run folder; no retraining and no study storage needed.

        Raises
        ------
        DataError
            The folder has no ``bundle.json``, its training did not finish, or
            ``bundle.json`` or a member is damaged or missing.
        """
        from reanalyze.outputs import read_marker

        root = Path(folder)
        file = root / BUNDLE_FILE
        marker = read_marker(root)
        if marker is not None and marker.kind == "run" and not marker.complete:
            raise DataError(
                f"{root}: training did not finish (interrupted, or still running); run the same "
                "reanalyze train command again to resume it"
            )
        info = read_json(file, "reanalyze run")
        if not isinstance(info, dict) or info.get("format") != "reanalyze-bundle":
            raise DataError(f"{file}: not a reanalyze bundle")
        import_tensorflow()
        import keras

        members = []
        for name in info.get("members") or []:
            path = root / str(name)
            if not path.is_file():
                raise DataError(f"{root}: member {name} is missing")
            try:
                members.append(keras.saving.load_model(path, safe_mode=True, compile=False))
            except Exception as exc:  # keras raises ValueError, OSError, zipfile errors…
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
                raise DataError(f"{path}: damaged member model ({first})") from None
        if not members:
            raise DataError(f"{file}: lists no ensemble members")
        try:
            return cls(
                features=list(info["features"]),
                target=str(info["target"]),
                units=dict(info["units"]),
                kinds=dict(info["kinds"]),
                ranges={k: (float(v[0]), float(v[1])) for k, v in info["ranges"].items()},
                data_sha256=str(info["data_sha256"]),
                summary=dict(info.get("summary", {})),
                members=members,
                sample=info.get("sample"),
                log_features=list(info.get("log_features", [])),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataError(f"{file}: damaged ({type(exc).__name__}: {exc})") from None

    def _matrix(self, x: Array | Mapping[str, Any]) -> Array:
        if isinstance(x, Mapping):
            missing = [f for f in self.features if f not in x]
            if missing:
                raise DataError(f"missing feature(s) {missing} (the twin needs {self.features})")
            return np.column_stack([np.asarray(x[f], dtype=np.float64) for f in self.features])
        matrix = np.asarray(x, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise DataError(f"expected an (n, {len(self.features)}) array of {self.features}")
        return matrix

    def predict_members(self, x: Array | Mapping[str, Any], batch_size: int = 65536) -> Array:
        """Predictions of every member, shape ``(n_members, n)``, in the target's unit."""
        import tensorflow as tf

        matrix = np.array(self._matrix(x), dtype=np.float64)  # a copy: the caller's stays
        for name in self.log_features:
            j = self.features.index(name)
            with np.errstate(divide="ignore", invalid="ignore"):
                matrix[:, j] = np.log(matrix[:, j])
        matrix = matrix.astype(np.float32)
        out = np.empty((len(self.members), len(matrix)), dtype=np.float64)
        for i, member in enumerate(self.members):
            for start in range(0, len(matrix), batch_size):
                part = tf.constant(matrix[start : start + batch_size])
                out[i, start : start + batch_size] = np.asarray(
                    member(part, training=False)
                ).ravel()
        return out

    def predict(self, x: Array | Mapping[str, Any]) -> tuple[Array, Array]:
        """Ensemble mean and standard deviation (zero for a single member)."""
        values = self.predict_members(x)
        std = values.std(axis=0, ddof=1) if len(values) > 1 else np.zeros(values.shape[1])
        return values.mean(axis=0), std
