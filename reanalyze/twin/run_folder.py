"""The run folder of a twin: its layout, and ``bundle.json``, its one description file.

Every name of a file in a run folder is defined here, and ``bundle.json`` has one schema
(:class:`BundleFile`), written atomically by :func:`write_bundle_file` and read by
:func:`read_bundle_file`, which refuses a damaged file in one line. ``reanalyze train``
writes the folder; ``simulate``, ``validate``, ``report``, ``plan`` and the properties read
it::

    RUN/
      bundle.json            BUNDLE_FILE: features, target, units, kinds, training ranges,
                             data sha256, search summary, the member files
      members/member_0.keras MEMBERS_DIR: Keras 3 models (loaded in safe mode, never pickle)
      training.parquet       TRAINING_FILE: the training rows, with units
      study.journal          STUDY_FILE: the Optuna study (unless another storage was given)
      validation/            VALIDATION_DIR: ``reanalyze validate RUN`` (held-out lines)
      .reanalyze-output.json the completion marker (:mod:`reanalyze.outputs`)

Examples
--------
>>> member_file(0)
'members/member_0.keras'
>>> BundleFile.model_validate({"format": "reanalyze-bundle", "features": ["T"], "target": "M",
...     "units": {}, "kinds": {}, "ranges": {"T": [2, 300]}, "data_sha256": "0",
...     "members": ["members/member_0.keras"]}).ranges
{'T': (2.0, 300.0)}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from reanalyze.outputs import read_output_file, write_output_file

__all__ = [
    "BUNDLE_FILE",
    "MEMBERS_DIR",
    "STUDY_FILE",
    "TRAINING_FILE",
    "VALIDATION_DIR",
    "BundleFile",
    "member_file",
    "read_bundle_file",
    "write_bundle_file",
]

BUNDLE_FILE = "bundle.json"
MEMBERS_DIR = "members"
TRAINING_FILE = "training.parquet"
STUDY_FILE = "study.journal"
VALIDATION_DIR = "validation"
FORMAT_VERSION = 1


def member_file(index: int) -> str:
    """The path of member ``index`` relative to the run folder."""
    return f"{MEMBERS_DIR}/member_{index}.keras"


class BundleFile(BaseModel):
    """``bundle.json``: what a twin takes and returns, and how it was made."""

    model_config = ConfigDict(extra="allow")

    format: Literal["reanalyze-bundle"] = "reanalyze-bundle"
    version: int = FORMAT_VERSION
    features: list[str] = Field(min_length=1, description="Feature columns, in input order.")
    target: str = Field(description="The predicted column.")
    units: dict[str, str] = Field(description="Unit of each column.")
    kinds: dict[str, str] = Field(description="Quantity kind of each column.")
    ranges: dict[str, tuple[float, float]] = Field(
        description="Training range (min, max) of each feature, in its unit."
    )
    data_sha256: str = Field(description="Checksum of the training numbers.")
    members: list[str] = Field(min_length=1, description="Member files, relative to the run.")
    summary: dict[str, Any] = Field(default_factory=dict, description="The search's summary.")
    sample: dict[str, Any] | None = Field(default=None, description="Material, mass, molar mass.")
    log_features: list[str] = Field(
        default_factory=list, description="Features the members take as ln x."
    )


def write_bundle_file(folder: str | Path, description: dict[str, Any]) -> BundleFile:
    """Validate ``description`` and write it as ``folder/bundle.json``, atomically."""
    data = {"format": "reanalyze-bundle", "version": FORMAT_VERSION, **description}
    return write_output_file(Path(folder) / BUNDLE_FILE, data, BundleFile)


def read_bundle_file(folder: str | Path) -> BundleFile:
    """``folder/bundle.json``, validated.

    Raises
    ------
    DataError
        The training did not finish, there is no ``bundle.json``, or it is damaged; one line.
    """
    from reanalyze.errors import DataError
    from reanalyze.outputs import read_marker

    marker = read_marker(folder)
    if marker is not None and marker.kind == "run" and not marker.complete:
        raise DataError(
            f"{folder}: training did not finish (interrupted, or still running); run the same "
            "reanalyze train command again to resume it"
        )
    return read_output_file(
        folder, BUNDLE_FILE, BundleFile, what="reanalyze run", noun="reanalyze bundle"
    )
