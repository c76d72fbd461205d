"""The instrument profile schema: the pydantic models of the three profile kinds.

This module imports neither :mod:`reanalyze.registry` (whose schema holds these models under
``instruments:``) nor :mod:`reanalyze.instruments` (which loads the built-in profiles through
the registry and merges user files onto them), so neither of those imports the other.
See :mod:`reanalyze.instruments` for the kinds and their fields.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "INSTRUMENT_KINDS",
    "ArpesProfile",
    "InstrumentProfile",
    "MagnetometerProfile",
    "Mode",
    "TransportProfile",
]

#: How a scan line is measured: continuous sweep, or stop-and-settle at every point.
Mode = Literal["sweep", "settle"]
#: A time or rate that must be above zero, and one that may be zero (units: the field's name).
Positive = Annotated[float, Field(gt=0)]
NonNegative = Annotated[float, Field(ge=0)]


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

    sweep_rate_K_per_min: Positive = Field(
        description="Temperature sweep rate while measuring, K/min."
    )
    cool_back_rate_K_per_min: Positive = Field(
        description="Rate of a temperature change that is not measured (the cool-back to the "
        "start of the next line, the move to the next isotherm), K/min.",
    )
    cool_back_time_s: Positive | None = Field(
        default=None,
        description="If set, a fixed time for every unmeasured temperature change, s "
        "(replaces cool_back_rate_K_per_min).",
    )
    temperature_settle_s: NonNegative = Field(
        description="Wait for the temperature to stabilize after an unmeasured change, s."
    )
    field_ramp_rate_Oe_per_s: Positive = Field(
        description="Magnet ramp (charging) rate, also used for measured field sweeps, Oe/s."
    )
    field_settle_s: NonNegative = Field(
        description="Wait after the field reaches its set point (magnet relaxation, flux "
        "creep), s.",
    )
    step_settle_s: NonNegative | None = Field(
        default=None,
        description="Wait after each small step between points in settle mode, s (default: "
        "temperature_settle_s or field_settle_s, the wait after a large move).",
    )
    point_time_sweep_s: Positive = Field(description="Time to measure one point while sweeping, s.")
    point_time_settle_s: Positive = Field(
        description="Time to measure one point once settled (settle mode), s."
    )
    default_mode: Mode = Field(
        default="sweep", description="Mode used when a plan does not choose one."
    )
    line_overhead_s: NonNegative = Field(
        description="Fixed time per scan line (sequence steps, re-centering, saving), s."
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
    time_per_cut_s: Positive = Field(
        description="Analyser acquisition at one manipulator angle θ2 (one cut), s."
    )
    angle_step_time_s: NonNegative = Field(
        description="Manipulator move to the next θ2 and settle, s."
    )
    map_overhead_s: NonNegative = Field(
        description="Fixed time per map (alignment, Fermi-edge reference, saving), s."
    )
    photon_energy_eV: Positive | None = Field(
        default=None, description="Photon energy, eV (for information)."
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
