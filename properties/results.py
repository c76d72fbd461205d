"""``DIR/summary.json`` of a property result folder: the schema, its writer and its reader.

:meth:`PropertyResult.save <reanalyze.properties.base.PropertyResult.save>` writes the file
with :func:`write_property` and ``reanalyze report`` reads it with :func:`read_property`; both
go through :class:`PropertyFile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reanalyze.outputs import read_output_file, write_output_file

__all__ = ["SUMMARY_FILE", "PropertyFile", "PropertyItem", "read_property", "write_property"]

#: The summary file of a property result folder.
SUMMARY_FILE = "summary.json"


class PropertyItem(BaseModel):
    """One summary number of a property result."""

    model_config = ConfigDict(extra="allow")

    value: float | None = Field(None, description="The number (ensemble mean), in ``unit``.")
    std: float | None = Field(None, description="Ensemble standard deviation, in ``unit``.")
    unit: str = Field("", description="pint unit string ('' for dimensionless).")
    description: str = Field("", description="What the number is.")


class PropertyFile(BaseModel):
    """``DIR/summary.json`` of a property result folder (:meth:`PropertyResult.save`)."""

    model_config = ConfigDict(extra="allow")

    property: str = Field("", description="Plugin name.")
    input: str = Field("", description="What the property was computed from.")
    params: dict[str, Any] = Field(default_factory=dict, description="Plugin parameters.")
    summary: dict[str, PropertyItem] = Field(description="Summary numbers with units.")
    notes: list[str] = Field(default_factory=list, description="Statements to read.")
    members: int = Field(1, description="Ensemble members the result was computed from.")


def write_property(folder: str | Path, data: Mapping[str, Any]) -> PropertyFile:
    """Validate ``data`` as a :class:`PropertyFile` and write ``folder/summary.json`` atomically.

    ``folder`` is the temporary folder of :func:`reanalyze.outputs.publish_folder`.
    """
    return write_output_file(Path(folder) / SUMMARY_FILE, data, PropertyFile)


def read_property(folder: str | Path) -> PropertyFile:
    """Validate a property result folder's ``summary.json``.

    Raises
    ------
    DataError
        No folder, no ``summary.json``, or one that is not a property summary.
    """
    return read_output_file(
        folder, SUMMARY_FILE, PropertyFile, what="property result", noun="property summary"
    )
