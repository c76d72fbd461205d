"""The hyperparameter search space: the paper's recipe as the default, overridable.

Defaults follow Terashima et al. (2023): fully connected networks of 2–10 hidden layers of
50–200 nodes, Adam with a learning rate of 5e-4–5e-3 (log scale) divided by 5 after 100
epochs, batch size chosen by data size, early stopping that restores the best weights, at
most 500 epochs. Optional dimensions (optimizer, activation, L1/L2, dropout) are off unless
given.

Examples
--------
>>> space = SearchSpace()
>>> space.batch_choices(808)
[64, 128, 256]
>>> SearchSpace.from_overrides({"layers": "2:4", "activation": "relu,silu"}).activations
['relu', 'silu']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reanalyze._io import read_yaml
from reanalyze.errors import DataError, OptionError, validation_message

__all__ = ["SearchSpace", "TrialConfig", "batch_choices"]

Optimizer = Literal["adam", "sgd", "nesterov", "rmsprop"]
Activation = Literal["relu", "silu", "tanh", "gelu", "softplus", "elu"]


def batch_choices(n_rows: int) -> list[int]:
    """The paper's batch sizes by data size.

    <256 rows: 16/32/64; <1024: 64/128/256; <4096: 128/256/512; else 256/512/1024.
    """
    if n_rows < 256:
        return [16, 32, 64]
    if n_rows < 1024:
        return [64, 128, 256]
    if n_rows < 4096:
        return [128, 256, 512]
    return [256, 512, 1024]


class TrialConfig(BaseModel):
    """One network and its training settings (what a trial samples)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    layers: int = Field(ge=1, description="Number of hidden layers.")
    nodes: int = Field(ge=1, description="Nodes per hidden layer.")
    learning_rate: float = Field(gt=0, description="Initial learning rate.")
    batch_size: int = Field(ge=1)
    optimizer: Optimizer = "adam"
    activation: Activation = "relu"
    l1: float = Field(default=0.0, ge=0)
    l2: float = Field(default=0.0, ge=0)
    dropout: float = Field(default=0.0, ge=0, lt=1)
    max_epochs: int = Field(default=500, ge=1)
    lr_drop_epoch: int = Field(default=100, ge=0, description="Epoch at which the rate drops.")
    lr_drop_factor: float = Field(default=5.0, ge=1)
    patience: int = Field(default=50, ge=1, description="Epochs without improvement to stop.")


_RANGES = ("layers", "nodes", "learning_rate", "l1", "l2", "dropout")


def _finite(value: Any) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"not finite: {value!r}")
    return number


def _range(value: Any, cast: Callable[[Any], Any]) -> tuple[Any, Any]:
    if isinstance(value, str):
        low, sep, high = value.partition(":")
        if not sep:
            return cast(low), cast(low)
        return cast(low), cast(high)
    if isinstance(value, list | tuple) and len(value) == 2:
        return cast(value[0]), cast(value[1])
    return cast(value), cast(value)


class SearchSpace(BaseModel):
    """Where trials sample from, and the fixed training settings.

    Ranges are inclusive ``(low, high)``; give ``low == high`` to fix a value.
    """

    model_config = ConfigDict(extra="forbid")

    layers: tuple[int, int] = (2, 10)
    nodes: tuple[int, int] = (50, 200)
    learning_rate: tuple[float, float] = (5e-4, 5e-3)
    batch_sizes: list[int] | None = Field(
        default=None, description="Batch sizes to choose from; default by data size."
    )
    optimizers: list[Optimizer] = ["adam"]
    activations: list[Activation] = ["relu"]
    l1: tuple[float, float] = (0.0, 0.0)
    l2: tuple[float, float] = (0.0, 0.0)
    dropout: tuple[float, float] = (0.0, 0.0)
    max_epochs: int = Field(default=500, ge=1)
    lr_drop_epoch: int = Field(default=100, ge=0)
    lr_drop_factor: float = Field(default=5.0, ge=1)
    patience: int = Field(default=50, ge=1)

    @field_validator("layers", "nodes")
    @classmethod
    def _positive(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] < 1 or value[1] < value[0]:
            raise ValueError(f"expected 1 <= low <= high, got {value}")
        return value

    @field_validator("learning_rate", "l1", "l2", "dropout")
    @classmethod
    def _ordered(cls, value: tuple[float, float]) -> tuple[float, float]:
        if value[0] < 0 or value[1] < value[0]:
            raise ValueError(f"expected 0 <= low <= high, got {value}")
        return value

    @model_validator(mode="after")
    def _rates(self) -> SearchSpace:
        if self.learning_rate[0] <= 0:
            raise ValueError("learning_rate must be positive")
        if self.dropout[1] >= 1:
            raise ValueError("dropout must be below 1")
        return self

    @field_validator("batch_sizes")
    @classmethod
    def _batches(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and (not value or min(value) < 1):
            raise ValueError(f"batch sizes must be whole numbers >= 1, got {value}")
        return value

    def batch_choices(self, n_rows: int) -> list[int]:
        """Batch sizes for ``n_rows`` training rows."""
        return list(self.batch_sizes) if self.batch_sizes else batch_choices(n_rows)

    def suggest(self, trial: Any, n_rows: int) -> TrialConfig:
        """Sample a :class:`TrialConfig` from an Optuna trial."""

        def integer(name: str, bounds: tuple[int, int]) -> int:
            low, high = bounds
            return low if low == high else int(trial.suggest_int(name, low, high))

        def real(name: str, bounds: tuple[float, float], log: bool = False) -> float:
            low, high = bounds
            if low == high:
                return low
            return float(trial.suggest_float(name, low, high, log=log and low > 0))

        def choice(name: str, options: list[Any]) -> Any:
            return options[0] if len(options) == 1 else trial.suggest_categorical(name, options)

        return TrialConfig(
            layers=integer("layers", self.layers),
            nodes=integer("nodes", self.nodes),
            learning_rate=real("learning_rate", self.learning_rate, log=True),
            batch_size=choice("batch_size", self.batch_choices(n_rows)),
            optimizer=choice("optimizer", list(self.optimizers)),
            activation=choice("activation", list(self.activations)),
            l1=real("l1", self.l1, log=True),
            l2=real("l2", self.l2, log=True),
            dropout=real("dropout", self.dropout),
            max_epochs=self.max_epochs,
            lr_drop_epoch=self.lr_drop_epoch,
            lr_drop_factor=self.lr_drop_factor,
            patience=self.patience,
        )

    def config_from_params(self, params: dict[str, Any], n_rows: int) -> TrialConfig:
        """Rebuild the :class:`TrialConfig` of a finished trial from its parameters."""

        class _Fixed:
            def suggest_int(self, name: str, low: int, high: int) -> int:
                return int(params[name])

            def suggest_float(self, name: str, low: float, high: float, log: bool = False) -> float:
                return float(params[name])

            def suggest_categorical(self, name: str, options: list[Any]) -> Any:
                return params[name]

        return self.suggest(_Fixed(), n_rows)

    @classmethod
    def from_overrides(
        cls,
        overrides: dict[str, Any],
        base: SearchSpace | None = None,
        names: dict[str, str] | None = None,
    ) -> SearchSpace:
        """A space with some fields replaced; strings like ``"2:6"`` or ``"relu,silu"`` work.

        ``names`` says how each key is called in messages (the command line passes its
        option names, e.g. ``{"learning_rate": "--lr"}``).

        Raises
        ------
        OptionError
            A value of the wrong form or out of range (one line naming the key).
        """
        called = names or {}
        data = (base or cls()).model_dump()
        for key, value in overrides.items():
            if value is None:
                continue
            name = called.get(key, key)
            try:
                if key in ("layers", "nodes"):
                    data[key] = _range(value, int)
                elif key in ("learning_rate", "l1", "l2", "dropout"):
                    data[key] = _range(value, _finite)
                elif key in ("optimizers", "optimizer", "activations", "activation"):
                    items = value.split(",") if isinstance(value, str) else list(value)
                    data[key.rstrip("s") + "s"] = [v.strip() for v in items]
                elif key in ("batch_sizes", "batch_size"):
                    items = value.split(",") if isinstance(value, str) else list(value)
                    data["batch_sizes"] = [int(v) for v in items]
                else:
                    data[key] = value
            except (TypeError, ValueError):
                shape = "LOW:HIGH" if key in _RANGES else "a comma-separated list"
                raise OptionError(
                    f"{name}: expected {'a number or ' if key in _RANGES else ''}{shape}, "
                    f"got {value!r}"
                ) from None
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            key = str(next(iter(exc.errors()[0]["loc"]), ""))
            if called.get(key):  # the key's own name: its location is that name
                raise OptionError(validation_message(exc, called[key], field=None)) from None
            raise OptionError(validation_message(exc, "search space")) from None

    @classmethod
    def from_file(cls, path: str | Path) -> SearchSpace:
        """Read a YAML search-space file (the keys of this class, ranges as ``[low, high]``)."""
        file = Path(path)
        raw = read_yaml(file, "search-space", expected="a mapping of search-space keys", empty=True)
        try:
            return cls.from_overrides(raw)
        except (DataError, OptionError) as exc:
            raise DataError(f"{file}: {exc}") from None
