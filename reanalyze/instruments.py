"""Instrument profiles: how fast an instrument moves, settles and measures.

A profile holds the times and rates that turn a measurement plan into hours on the
instrument (:mod:`reanalyze.planning.cost`). Three kinds exist, told apart by their ``kind``
key:

``magnetometer``
    A SQUID/VSM magnetometer such as the Quantum Design MPMS3: temperature sweeps, a
    superconducting magnet, a time per measured point in sweep and in settle mode.
``transport``
    A resistivity option such as the one of the Quantum Design PPMS: the same motions, a time
    per resistance reading.
``arpes``
    An ARPES Fermi-surface map: one analyser acquisition (a cut, covering the whole slit angle
    θ1 at once) per manipulator angle θ2.

The profile models live in :mod:`reanalyze.instrument_profiles` (re-exported here); this
module loads them. The built-in profiles live in ``registry.yaml`` under ``instruments:``
with the source of every default under ``sources``; a user YAML file (a mapping name →
profile) adds profiles or overrides fields of the built-in ones. ``docs/instruments.md`` lists them.

Examples
--------
>>> mpms = get_instrument("mpms3")
>>> mpms.kind, mpms.default_mode
('magnetometer', 'sweep')
>>> sorted(load_instruments())
['arpes_map', 'mpms3', 'ppms_resistivity']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from reanalyze._io import read_yaml
from reanalyze.errors import RegistryError, UnknownNameError, validation_message
from reanalyze.instrument_profiles import (
    INSTRUMENT_KINDS,
    ArpesProfile,
    InstrumentProfile,
    MagnetometerProfile,
    TransportProfile,
)
from reanalyze.registry import load_registry

__all__ = [
    "INSTRUMENT_KINDS",
    "ArpesProfile",
    "InstrumentProfile",
    "MagnetometerProfile",
    "TransportProfile",
    "get_instrument",
    "load_instruments",
    "parse_profiles",
]

#: What an instrument file holds.
_PROFILES = "a mapping of profile name → profile"

_ADAPTER: TypeAdapter[MagnetometerProfile | TransportProfile | ArpesProfile] = TypeAdapter(
    InstrumentProfile
)


def _error(where: str, name: str, exc: ValidationError) -> RegistryError:
    """One line naming the file, the profile and the field of the first error."""
    first = exc.errors()[0]
    known = ", ".join(INSTRUMENT_KINDS)
    if first["type"] == "union_tag_invalid":
        kind = first["input"].get("kind")
        return RegistryError(f"{where}: {name}.kind: unknown kind {kind!r} (known: {known})")
    if first["type"] == "union_tag_not_found":
        return RegistryError(f"{where}: {name}.kind: missing 'kind' (one of: {known})")
    # a tag of the discriminated union (the kind) is not a field
    return RegistryError(
        validation_message(exc, where, field=name, skip=INSTRUMENT_KINDS, more=True)
    )


def _merge(base: BaseModel, override: dict[str, Any], where: str) -> dict[str, Any]:
    """The built-in's fields updated with ``override``; overridden fields get a new source."""
    merged = base.model_dump(exclude={"name"})
    sources = dict(merged.get("sources", {}))
    for key in override:
        if key not in ("sources", "description", "kind", "name"):
            sources[key] = f"overridden in {where}"
    sources.update(override.get("sources") or {})
    merged.update(override)
    merged["sources"] = sources
    return merged


def parse_profiles(
    raw: object,
    where: str,
    builtins: dict[str, MagnetometerProfile | TransportProfile | ArpesProfile] | None = None,
) -> dict[str, MagnetometerProfile | TransportProfile | ArpesProfile]:
    """Validate a mapping name → profile, merging partial overrides onto ``builtins``.

    Parameters
    ----------
    raw
        The parsed YAML: a mapping from profile name to a mapping of fields.
    where
        What to name in error messages (the file).
    builtins
        Profiles that an entry of the same name overrides field by field. An entry whose
        ``kind`` differs from the built-in's replaces it entirely.

    Returns
    -------
    dict
        Profile name → validated profile (``name`` set to the key).

    Raises
    ------
    RegistryError
        One line naming ``where``, the profile and the field.
    """
    builtins = builtins or {}
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected {_PROFILES}")
    profiles: dict[str, MagnetometerProfile | TransportProfile | ArpesProfile] = {}
    for name, entry in raw.items():
        if not isinstance(name, str) or not name:
            raise RegistryError(f"{where}: profile names must be non-empty strings, got {name!r}")
        if not isinstance(entry, dict):
            raise RegistryError(f"{where}: {name}: expected a mapping of fields")
        if "name" in entry and entry["name"] != name:
            raise RegistryError(f"{where}: {name}.name: must equal the profile's key {name!r}")
        data = dict(entry)
        base = builtins.get(name)
        if base is not None and data.get("kind", base.kind) == base.kind:
            data = _merge(base, data, where)
        data["name"] = name
        try:
            profiles[name] = _ADAPTER.validate_python(data)
        except ValidationError as exc:
            raise _error(where, name, exc) from None
    return profiles


def load_instruments(
    user_file: str | Path | None = None,
) -> dict[str, MagnetometerProfile | TransportProfile | ArpesProfile]:
    """The built-in profiles of ``registry.yaml``, plus or overridden by a user file.

    Parameters
    ----------
    user_file
        A YAML file mapping profile names to profiles (same fields as the registry's
        ``instruments:`` section). A new name adds a profile (every required field given);
        a built-in name overrides only the fields given, and the result is validated.

    Returns
    -------
    dict
        Profile name → profile, sorted by name.

    Raises
    ------
    RegistryError
        If the file is missing, not YAML, or a profile is invalid (the message names the
        file, the profile and the field).
    """
    profiles = {
        name: profile.model_copy(update={"name": name})
        for name, profile in load_registry().instruments.items()
    }
    if user_file is not None:
        path = Path(user_file)
        raw = read_yaml(path, "instrument", error=RegistryError, expected=_PROFILES)
        profiles.update(parse_profiles(raw, str(path), profiles))
    return dict(sorted(profiles.items()))


def get_instrument(
    name: str, user_file: str | Path | None = None
) -> MagnetometerProfile | TransportProfile | ArpesProfile:
    """The profile ``name`` (built-in or from ``user_file``).

    Raises
    ------
    UnknownNameError
        If no profile has that name; the message lists the known ones.
    """
    profiles = load_instruments(user_file)
    try:
        return profiles[name]
    except KeyError:
        known = ", ".join(profiles)
        raise UnknownNameError(f"unknown instrument {name!r} (known: {known})") from None
