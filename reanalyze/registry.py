"""``registry.yaml``: the built-in datasets, loaders and property plugins, validated by pydantic.

The registry file ships inside the package (``reanalyze/registry.yaml``, a copy of the
top-level ``registry.yaml`` of the source tree). Every entry is checked on load: unknown keys
are rejected and an error names the entry and the field, e.g.
``registry.yaml: datasets.erco2.source.sha256: String should match pattern '^[0-9a-f]{64}$'``.

Examples
--------
>>> reg = load_registry()
>>> reg.datasets["erco2"].sample.material
'ErCo2'
>>> sorted(reg.loaders)[:2]
['delimited', 'parquet']
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reanalyze._io import parse_yaml, read_yaml
from reanalyze.errors import RegistryError, UnitError, validation_message
from reanalyze.instrument_profiles import InstrumentProfile
from reanalyze.table import Sample
from reanalyze.units import check_kind

__all__ = [
    "DatasetColumn",
    "DatasetEntry",
    "PluginEntry",
    "Registry",
    "RemoteSource",
    "SyntheticSource",
    "load_registry",
    "registry_path",
    "registry_schema",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PluginEntry(_Strict):
    """A built-in plugin: where it lives and what it does."""

    module: str = Field(
        pattern=r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$",
        description="Import target 'package.module:Attribute'; imported only when used.",
    )
    description: str = Field(description="One line shown by the listing commands.")


class RemoteSource(_Strict):
    """A published file fetched from the web and checked against its sha256."""

    kind: Literal["remote"] = "remote"
    url: str = Field(
        pattern=r"^(https?://|doi:)\S+$", description="https URL, or doi:PREFIX/SUFFIX/FILE."
    )
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="Checksum of the file.")
    filename: str = Field(pattern=r"^[\w.\-]+$", description="Name of the file in the cache.")
    size: int | None = Field(default=None, gt=0, description="Size in bytes, for information.")


class SyntheticSource(_Strict):
    """A dataset made by one of reanalyze's ground-truth generators."""

    kind: Literal["synthetic"] = "synthetic"
    generator: str = Field(description="Key of reanalyze.synthetic.GENERATORS.")
    seed: int = Field(default=0, ge=0, description="Seed of the noise.")


class DatasetColumn(_Strict):
    """A column of a dataset file: its meaning in the table."""

    name: str = Field(description="Name in the loaded table, e.g. 'T'.")
    kind: str = Field(description="Quantity kind (reanalyze.units.KINDS).")
    unit: str = Field(description="Unit of the values in the file.")
    role: Literal["feature", "target", "other"] = Field(
        default="other", description="Scan axis (feature) or measured quantity (target)."
    )
    description: str = ""

    @model_validator(mode="after")
    def _unit_fits_kind(self) -> DatasetColumn:
        try:
            check_kind(self.unit, self.kind)
        except UnitError as exc:
            raise ValueError(str(exc)) from None
        return self


class DatasetEntry(_Strict):
    """A named dataset: where it comes from, how to read it, what its columns mean."""

    title: str
    description: str = ""
    source: Annotated[RemoteSource | SyntheticSource, Field(discriminator="kind")]
    loader: str | None = Field(default=None, description="Loader name for remote files.")
    loader_options: dict[str, Any] = Field(default_factory=dict)
    columns: dict[str, DatasetColumn] = Field(
        default_factory=dict, description="File column → meaning; empty for synthetic data."
    )
    sample: Sample | None = None
    citation: str | None = None
    license: str | None = None
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _remote_needs_loader(self) -> DatasetEntry:
        if isinstance(self.source, RemoteSource):
            if self.loader is None:
                raise ValueError("a remote dataset needs a 'loader'")
            if not self.columns:
                raise ValueError("a remote dataset needs 'columns' with kinds and units")
        return self

    @property
    def features(self) -> list[str]:
        """Table names of the scan axes."""
        return [c.name for c in self.columns.values() if c.role == "feature"]

    @property
    def targets(self) -> list[str]:
        """Table names of the measured quantities."""
        return [c.name for c in self.columns.values() if c.role == "target"]


class Registry(_Strict):
    """The whole of ``registry.yaml``."""

    version: Literal[1] = 1
    loaders: dict[str, PluginEntry] = Field(default_factory=dict)
    properties: dict[str, PluginEntry] = Field(default_factory=dict)
    datasets: dict[str, DatasetEntry] = Field(default_factory=dict)
    instruments: dict[str, InstrumentProfile] = Field(
        default_factory=dict,
        description="Instrument profiles for the cost of a plan (reanalyze.instruments).",
    )

    def dataset(self, name: str) -> DatasetEntry:
        """The dataset ``name``; :class:`RegistryError` listing the known names otherwise."""
        try:
            return self.datasets[name]
        except KeyError:
            known = ", ".join(sorted(self.datasets))
            raise RegistryError(f"unknown dataset {name!r} (known: {known})") from None


def registry_path() -> Path:
    """Path of the built-in ``registry.yaml``."""
    return Path(str(resources.files("reanalyze").joinpath("registry.yaml")))


def parse_registry(text: str, path: Path | str = "registry.yaml") -> Registry:
    """Validate registry YAML text; :class:`RegistryError` names the entry and field."""
    return _validate(parse_yaml(text, path, error=RegistryError), path)


def _validate(raw: dict[str, Any], path: Path | str) -> Registry:
    try:
        return Registry.model_validate(raw)
    except ValidationError as exc:
        # the tags of the dataset sources' union are not fields
        message = validation_message(exc, str(path), skip=("remote", "synthetic"), more=True)
        raise RegistryError(message) from None


def load_registry(path: str | Path | None = None) -> Registry:
    """Read and validate a registry file (default: the built-in one, cached).

    Parameters
    ----------
    path
        A registry YAML file; ``None`` for the built-in registry.

    Raises
    ------
    RegistryError
        If the file is missing, not YAML, or does not match the schema.
    """
    if path is None:
        return _builtin_registry()
    file = Path(path)
    return _validate(read_yaml(file, "registry", error=RegistryError), file)


@functools.lru_cache(maxsize=1)
def _builtin_registry() -> Registry:
    file = registry_path()
    return parse_registry(file.read_text(encoding="utf-8"), "registry.yaml")


def registry_schema() -> str:
    """The JSON schema of ``registry.yaml``, as indented JSON text."""
    return json.dumps(Registry.model_json_schema(), indent=2)
