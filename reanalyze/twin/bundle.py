"""The model bundle: a run folder that predicts in physical units without retraining.

The run folder's layout and ``bundle.json``'s schema are in :mod:`reanalyze.twin.run_folder`.
Every member takes the features in their training units and returns the target in its unit:
the standardization is inside the saved model (a Normalization layer before the network and
an inverted one after it). With several members, :meth:`ModelBundle.predict` returns the
ensemble mean and standard deviation.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reanalyze._atomic import atomic_folder
from reanalyze.arrays import Float32Array, FloatArray
from reanalyze.errors import DataError, ReanalyzeError
from reanalyze.table import UnitTable
from reanalyze.twin.data import TrainingData
from reanalyze.twin.member_reader import NumpyMember, UnknownLayout, read_member
from reanalyze.twin.quiet import import_tensorflow
from reanalyze.twin.run_folder import (
    BUNDLE_FILE,
    MEMBERS_DIR,
    TRAINING_FILE,
    member_file,
    read_bundle_file,
    write_bundle_file,
)

__all__ = ["BUNDLE_FILE", "ModelBundle", "wrap_in_units"]


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


#: How closely the members as read must reproduce the recorded fit to each line (relative):
#: float32 rounding moves it by about 1e-6; a member read wrongly, by orders of magnitude.
FIT_AGREEMENT = 1e-3


def _load_member(path: Path, *, keras_only: bool = False) -> Any:
    """The member saved at ``path``: a :class:`NumpyMember`, or a Keras model for a layout
    the reader does not know (or with ``keras_only``)."""
    if not keras_only:
        try:
            return read_member(path)
        except UnknownLayout:
            pass
    import_tensorflow()
    import keras

    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except Exception as exc:  # keras raises ValueError, OSError, zipfile errors…
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        raise DataError(f"{path}: damaged member model ({first})") from None


def _evaluate(member: Any, x: Float32Array) -> Float32Array:
    """A member's output at float32 inputs ``x``, shape ``(n,)``: a :class:`NumpyMember` or
    a Keras model (one built in memory, or loaded by Keras)."""
    if isinstance(member, NumpyMember):
        return member.predict(x)
    return np.asarray(member(x, training=False)).ravel()


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
        The members: :class:`~reanalyze.twin.member_reader.NumpyMember` as read from a run
        folder, or Keras models (built in memory, or a saved layout the reader does not know).
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
    _member_paths: list[Path] = field(default_factory=list, repr=False, compare=False)

    def description(self, member_files: Sequence[str]) -> dict[str, Any]:
        """The content of ``bundle.json`` for this bundle with members in ``member_files``."""
        return {
            "features": self.features,
            "target": self.target,
            "units": self.units,
            "kinds": self.kinds,
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "data_sha256": self.data_sha256,
            "members": list(member_files),
            "summary": self.summary,
            "sample": self.sample,
            "log_features": self.log_features,
        }

    def save(self, folder: str | Path) -> Path:
        """Write the bundle into ``folder`` (members replaced, other files kept).

        A member read from a run folder is copied from its file; one built in memory is saved
        by Keras.
        """
        root = Path(folder)
        names = []
        with atomic_folder(root / MEMBERS_DIR) as tmp:
            for i, member in enumerate(self.loaded_members()):
                name = member_file(i)
                if isinstance(member, NumpyMember):
                    shutil.copyfile(self._member_paths[i], tmp / Path(name).name)
                else:
                    member.save(tmp / Path(name).name)
                names.append(name)
        write_bundle_file(root, self.description(names))
        return root

    @classmethod
    def load(cls, folder: str | Path, *, members: bool = True) -> ModelBundle:
        """Read a run folder; no retraining and no study storage needed.

        With ``members=False`` the members are loaded (and TensorFlow imported) at the first
        prediction instead.

        Raises
        ------
        DataError
            The folder has no ``bundle.json``, its training did not finish, or
            ``bundle.json`` or a member is damaged or missing.
        """
        root = Path(folder)
        info = read_bundle_file(root)
        for name in info.members:
            if not (root / name).is_file():
                raise DataError(f"{root}: member {name} is missing")
        bundle = cls(
            features=info.features,
            target=info.target,
            units=info.units,
            kinds=info.kinds,
            ranges=dict(info.ranges),
            data_sha256=info.data_sha256,
            summary=info.summary,
            sample=info.sample,
            log_features=info.log_features,
        )
        bundle.defer_members(root, info.members)
        if members:
            bundle.loaded_members()
        return bundle

    def defer_members(self, folder: str | Path, names: Sequence[str]) -> None:
        """Take the members from ``folder/name`` … when they are first needed."""
        self.members = []
        self._member_paths = [Path(folder) / name for name in names]

    def loaded_members(self) -> list[Any]:
        """The members, read from the run folder now if :meth:`load` deferred them.

        Each is read into numpy (:mod:`reanalyze.twin.member_reader`: no TensorFlow import);
        a file of another layout, or a damaged one, is loaded by Keras, which says what is
        wrong with it.
        """
        if self.members or not self._member_paths:
            return self.members
        self.members = [_load_member(path) for path in self._member_paths]
        if any(isinstance(m, NumpyMember) for m in self.members) and not self._fit_agrees():
            # read wrongly (a Keras that lays out its files otherwise): Keras reads them
            self.members = [_load_member(path, keras_only=True) for path in self._member_paths]
        return self.members

    def _fit_agrees(self) -> bool:
        """Whether the members as read reproduce, on the run folder's training rows, the fit
        to each scan line recorded when they were trained (``summary["fit"]``, computed by
        Keras): a member read with its layers mixed up would not. True where nothing was
        recorded to compare with.
        """
        from reanalyze.twin.verdict import fit_check

        recorded = (self.summary.get("fit") or {}).get("line_fit_rel_rmse")
        slow = self.summary.get("slow_axis")
        path = self._member_paths[0].parent.parent / TRAINING_FILE
        if not recorded or slow not in self.features or not path.is_file():
            return True
        try:
            table = UnitTable.read_parquet(path)
            x = np.column_stack([table.values(f) for f in self.features])
            y = table.values(self.target)
        except (ReanalyzeError, OSError, ValueError, KeyError):
            return True  # the fit cannot be read back: nothing to compare with
        data = TrainingData(x=x, y=y, features=list(self.features), target=self.target,
                            units=self.units, kinds=self.kinds, slow_axis=slow)  # fmt: skip
        found = fit_check(data, self.predict_members(x).mean(axis=0))["line_fit_rel_rmse"]
        return len(found) == len(recorded) and bool(
            np.allclose(found, recorded, rtol=FIT_AGREEMENT, atol=1e-6)
        )

    def _matrix(self, x: FloatArray | Mapping[str, Any]) -> FloatArray:
        if isinstance(x, Mapping):
            missing = [f for f in self.features if f not in x]
            if missing:
                raise DataError(f"missing feature(s) {missing} (the twin needs {self.features})")
            return np.column_stack([np.asarray(x[f], dtype=np.float64) for f in self.features])
        matrix = np.asarray(x, dtype=np.float64)
        if matrix.ndim != 2 or matrix.shape[1] != len(self.features):
            raise DataError(f"expected an (n, {len(self.features)}) array of {self.features}")
        return matrix

    def predict_members(
        self, x: FloatArray | Mapping[str, Any], batch_size: int = 65536
    ) -> FloatArray:
        """Predictions of every member, shape ``(n_members, n)``, in the target's unit."""
        members = self.loaded_members()
        matrix = np.array(self._matrix(x), dtype=np.float64)  # a copy: the caller's stays
        for name in self.log_features:
            j = self.features.index(name)
            with np.errstate(divide="ignore", invalid="ignore"):
                matrix[:, j] = np.log(matrix[:, j])
        inputs = matrix.astype(np.float32)
        out = np.empty((len(members), len(inputs)), dtype=np.float64)
        for i, member in enumerate(members):
            for start in range(0, len(inputs), batch_size):
                out[i, start : start + batch_size] = _evaluate(
                    member, inputs[start : start + batch_size]
                )
        return out

    def predict(self, x: FloatArray | Mapping[str, Any]) -> tuple[FloatArray, FloatArray]:
        """Ensemble mean and standard deviation (zero for a single member)."""
        values = self.predict_members(x)
        std = values.std(axis=0, ddof=1) if len(values) > 1 else np.zeros(values.shape[1])
        return values.mean(axis=0), std
