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

The built-in profiles live in ``registry.yaml`` under ``instruments:`` with the source of
every default under ``sources``; a user YAML file (a mapping name → profile) adds profiles
or overrides fields of the built-in ones. ``docs/instruments.md`` lists them.

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
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from reanalyze._io import read_yaml
from reanalyze.errors import RegistryError, validation_message

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

#: How a scan line is measured: continuous sweep, or stop-and-settle at every point.
Mode = Literal["sweep", "settle"]


class _Profile(BaseModel):
    """Fields every profile has: what it is and where its numbers come from."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    name: str | None = Field(
        default=None,
        description="The profile's key; filled in by load_instruments (give it only to repeat "
        "the key).",
    )
    description: str = Field(default="", description="One line: the instrument and its mode.")
    sources: dict[str, str] = Field(
        default_factory=dict,
        description="Field name → where its default comes from (vendor document, typical value).",
    )

    @model_validator(mode="after")
    def _sources_name_fields(self) -> _Profile:
        unknown = sorted(set(self.sources) - set(type(self).model_fields))
        if unknown:
            raise ValueError(f"sources names unknown fields: {', '.join(unknown)}")
        return self


class _MotionProfile(_Profile):
    """Temperature and field motions of a cryostat with a superconducting magnet."""

    sweep_rate_K_per_min: float = Field(
        gt=0, description="Temperature sweep rate while measuring, K/min."
    )
    cool_back_rate_K_per_min: float = Field(
        gt=0,
        description="Rate of a temperature change that is not measured (the cool-back to the "
        "start of the next line, the move to the next isotherm), K/min.",
    )
    cool_back_time_s: float | None = Field(
        default=None,
        gt=0,
        description="If set, a fixed time for every unmeasured temperature change, s "
        "(replaces cool_back_rate_K_per_min).",
    )
    temperature_settle_s: float = Field(
        ge=0, description="Wait for the temperature to stabilize after an unmeasured change, s."
    )
    field_ramp_rate_Oe_per_s: float = Field(
        gt=0, description="Magnet ramp (charging) rate, also used for measured field sweeps, Oe/s."
    )
    field_settle_s: float = Field(
        ge=0,
        description="Wait after the field reaches its set point (magnet relaxation, flux "
        "creep), s.",
    )
    step_settle_s: float | None = Field(
        default=None,
        ge=0,
        description="Wait after each small step between points in settle mode, s (default: "
        "temperature_settle_s or field_settle_s, the wait after a large move).",
    )
    point_time_sweep_s: float = Field(
        gt=0, description="Time to measure one point while sweeping, s."
    )
    point_time_settle_s: float = Field(
        gt=0, description="Time to measure one point once settled (settle mode), s."
    )
    default_mode: Mode = Field(
        default="sweep", description="Mode used when a plan does not choose one."
    )
    line_overhead_s: float = Field(
        ge=0, description="Fixed time per scan line (sequence steps, re-centering, saving), s."
    )


class MagnetometerProfile(_MotionProfile):
    """A magnetometer (MPMS3-like): M(T) lines at fixed fields, or M(H) isotherms.

    Times per point are those of a moment measurement (VSM averaging, or a DC scan).
    """

    kind: Literal["magnetometer"] = Field(description="Profile kind.")


class TransportProfile(_MotionProfile):
    """A resistivity option (PPMS-like): R(T) lines at fixed fields, or R(H) isotherms.

    Times per point are those of one resistance reading (excitation and averaging).
    """

    kind: Literal["transport"] = Field(description="Profile kind.")


class ArpesProfile(_Profile):
    """An ARPES map: one analyser cut per manipulator angle.

    The analyser records the whole slit angle θ1 in one acquisition, so the θ1 step costs
    nothing; each θ2 value costs one cut plus a manipulator step.
    """

    kind: Literal["arpes"] = Field(description="Profile kind.")
    time_per_cut_s: float = Field(
        gt=0, description="Analyser acquisition at one manipulator angle θ2 (one cut), s."
    )
    angle_step_time_s: float = Field(
        ge=0, description="Manipulator move to the next θ2 and settle, s."
    )
    map_overhead_s: float = Field(
        ge=0, description="Fixed time per map (alignment, Fermi-edge reference, saving), s."
    )
    photon_energy_eV: float | None = Field(
        default=None, gt=0, description="Photon energy, eV (for information)."
    )
    beam_notes: str = Field(default="", description="Light source, spot, flux (free text).")


#: A profile of any kind; the ``kind`` key selects the model.
InstrumentProfile = Annotated[
    MagnetometerProfile | TransportProfile | ArpesProfile, Field(discriminator="kind")
]

#: The profile models by ``kind``.
INSTRUMENT_KINDS: dict[str, type[MagnetometerProfile | TransportProfile | ArpesProfile]] = {
    "magnetometer": MagnetometerProfile,
    "transport": TransportProfile,
    "arpes": ArpesProfile,
}

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
    from reanalyze.registry import load_registry  # registry.py imports this module

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
    RegistryError
        If no profile has that name; the message lists the known ones.
    """
    profiles = load_instruments(user_file)
    try:
        return profiles[name]
    except KeyError:
        known = ", ".join(profiles)
        raise RegistryError(f"unknown instrument {name!r} (known: {known})") from None
