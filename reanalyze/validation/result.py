"""The validation file ``validation.json``: its schema, writer and reader in one place.

A validation folder holds ``validation.json`` (this schema), ``lines.csv`` (one row per method
and held-out line) and one overlay figure per held-out line (``line_<value>.png``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from reanalyze.errors import DataError, validation_message

__all__ = ["VALIDATION_FILE", "LineResult", "MethodResult", "Validation"]

VALIDATION_FILE = "validation.json"
TWIN = "twin"


class LineResult(BaseModel):
    """One method on one held-out line (errors in the target's unit).

    ``rmse`` over the line's points, ``rel_rmse`` = ``rmse`` / the line's range (max − min
    of the measured values), ``max_error`` the largest absolute error, ``n`` the points
    scored and ``missing`` those the method gave no finite prediction for.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    line: float
    rmse: float
    rel_rmse: float
    max_error: float
    n: int
    missing: int


class MethodResult(BaseModel):
    """One method on every held-out line.

    ``rel_rmse`` is the mean over the lines of RMSE / line range, the headline measure;
    ``rmse`` is over all held-out points together; ``max_error`` the largest of any point.
    """

    model_config = ConfigDict(extra="forbid")

    method: str
    lines: list[LineResult]
    rmse: float
    rel_rmse: float
    max_error: float
    wall_s: float
    error: str | None = None


class Validation(BaseModel):
    """Line-held-out validation of a twin (or of the data alone) against classic methods."""

    model_config = ConfigDict(extra="forbid")

    format: Literal["reanalyze-validation"] = "reanalyze-validation"
    version: Literal[1] = 1
    target: str
    unit: str
    slow_axis: str
    slow_unit: str
    folds: list[list[float]]
    methods: list[MethodResult]
    run: str | None = None
    data_sha256: str
    wall_s: float
    notes: list[str] = []

    def method(self, name: str) -> MethodResult | None:
        """The result of method ``name``, if it ran."""
        return next((m for m in self.methods if m.method == name), None)

    def best_classic(self) -> MethodResult | None:
        """The classic method with the lowest mean relative error."""
        scored = [
            m
            for m in self.methods
            if m.method != TWIN and m.error is None and np.isfinite(m.rel_rmse)
        ]
        return min(scored, key=lambda m: m.rel_rmse) if scored else None

    def verdict(self) -> str:
        """One line: the twin's held-out error against the best classic method's."""
        best = self.best_classic()
        twin = self.method(TWIN)
        n = sum(len(f) for f in self.folds)
        if best is None:
            return "held-out lines: no classic method could be scored"
        classic = f"best classic method ({best.method}) {best.rel_rmse:.2%}"
        if twin is None or twin.error is not None:
            return f"held-out lines ({n}): {classic} of the line range (no twin)"
        line = f"held-out lines ({n}): twin {twin.rel_rmse:.2%} of the line range, {classic}"
        if twin.rel_rmse > best.rel_rmse:
            ratio = twin.rel_rmse / best.rel_rmse if best.rel_rmse > 0 else float("inf")
            return f"{line}: {best.method} beats the twin ({ratio:.1f}× smaller error)"
        return line

    def save(self, folder: str | Path) -> Path:
        """Write ``validation.json`` into ``folder`` atomically; returns its path."""
        from reanalyze._atomic import atomic_path

        path = Path(folder) / VALIDATION_FILE
        with atomic_path(path) as tmp:
            tmp.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, folder: str | Path) -> Validation:
        """Read ``validation.json`` from ``folder`` (or the file itself).

        Raises
        ------
        DataError
            Missing, not JSON, not a validation file, or one whose writer was interrupted.
        """
        from reanalyze.outputs import check_complete

        path = Path(folder)
        if path.is_dir():
            path = path / VALIDATION_FILE
        check_complete(path.parent, "validation")
        if not path.is_file():
            raise DataError(f"{path}: no such validation file (run reanalyze validate)")
        try:
            return cls.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not a reanalyze validation file ({exc})") from None
        except ValidationError as exc:
            message = validation_message(exc)
            raise DataError(f"{path}: not a reanalyze validation file ({message})") from None
