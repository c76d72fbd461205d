"""Curie-Weiss fit of the paramagnetic susceptibility, as a reanalyze property plugin.

In the paramagnetic state well above the ordering temperature, the molar susceptibility
follows the Curie-Weiss law

.. math::

    \\chi_\\mathrm{mol}(T) = \\frac{C}{T - \\theta_\\mathrm{CW}}, \\qquad
    C = \\frac{\\mu_0 N_A \\mu_\\mathrm{eff}^2 \\mu_B^2}{3 k_B}

so :math:`1/\\chi` is a straight line in :math:`T` with slope :math:`1/C` crossing zero at
the Weiss temperature :math:`\\theta_\\mathrm{CW}` (> 0 ferromagnetic, < 0
antiferromagnetic correlations). With :math:`\\chi = \\mu_0 m / (n B)` for a moment
:math:`m` of :math:`n` moles in an applied field :math:`B = \\mu_0 H`, the effective moment
is :math:`\\mu_\\mathrm{eff} = \\sqrt{3 k_B C / (\\mu_0 N_A)} / \\mu_B`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from scipy import constants, stats

from reanalyze.errors import DataError
from reanalyze.properties.base import (
    PropertyPlugin,
    PropertyResult,
    Requirement,
    Summary,
    std_column,
)
from reanalyze.table import UnitTable

#: χ_mol in m³/mol; C in m³·K/mol; µ_eff² = 3 k_B C / (µ0 N_A µB²)
_MU_EFF_SQUARED_PER_C = (
    3
    * constants.k
    / (constants.mu_0 * constants.N_A * constants.physical_constants["Bohr magneton"][0] ** 2)
)


class CurieWeiss(PropertyPlugin):
    """Curie-Weiss fit: Weiss temperature, Curie constant and effective moment.

    Parameters (``--param``)
    ------------------------
    t_min : float
        Lowest temperature of the fit, K (stay well above the ordering temperature).
    field : float or None
        Field of the M(T) line to use, tesla (default: the lowest field in the table).
    """

    name = "curie_weiss"
    description = "Curie-Weiss fit of M/H above the ordering: theta_CW, C, mu_eff"
    requires = (
        Requirement("temperature", ("temperature",), "sample temperature"),
        Requirement("field", ("magnetic_field",), "applied field"),
        Requirement("moment", ("magnetic_moment",), "sample moment (mass and molar mass needed)"),
    )

    class Params(BaseModel):
        t_min: float = Field(100.0, description="Lowest temperature of the fit, K.")
        field: float | None = Field(
            None, description="Field of the M(T) line, T (default: the lowest field)."
        )

    def compute(self, table: UnitTable, params: Any) -> PropertyResult:
        sample = table.sample
        if sample is None or sample.mass is None or sample.molar_mass is None:
            raise DataError("curie_weiss needs the sample mass and molar mass (--mass, registry)")
        moles = sample.mass_in("g") / sample.molar_mass
        temperature = table.values("temperature", "K")
        b_field = table.values("field", "T")  # µ0H in tesla
        moment = table.values("moment", "A*m**2")
        fields = np.unique(np.round(b_field, 6))
        chosen = fields[0] if params.field is None else params.field
        line = (np.abs(b_field - chosen) < 1e-4) & (temperature >= params.t_min)
        if line.sum() < 3:
            raise DataError(
                f"curie_weiss: fewer than 3 points at {chosen:g} T above t_min={params.t_min:g} K"
            )
        t = temperature[line]
        order = np.argsort(t)
        t = t[order]
        chi = constants.mu_0 * moment[line][order] / (moles * b_field[line][order])  # m³/mol
        fit = stats.linregress(t, 1.0 / chi)
        curie = 1.0 / fit.slope
        theta = -fit.intercept / fit.slope
        mu_eff = np.sqrt(_MU_EFF_SQUARED_PER_C * curie) if curie > 0 else np.nan
        inverse = UnitTable(
            pd.DataFrame({"T": t, "inverse_chi": 1.0 / chi, "fit": (t - theta) / curie}),
            {
                "T": ("temperature", "K"),
                "inverse_chi": ("other", "mol/m**3"),
                "fit": ("other", "mol/m**3"),
            },
        )
        return PropertyResult(
            tables={"inverse_susceptibility": inverse},
            summary={
                "theta_cw": Summary(theta, "K", description="Weiss temperature"),
                "curie_constant": Summary(curie * 1e6, "cm**3*K/mol", description="C (SI)"),
                "mu_eff": Summary(mu_eff, "", description="effective moment, Bohr magnetons"),
            },
            notes=[f"fit of 1/chi at {chosen:g} T over {t.min():g}-{t.max():g} K"],
        )

    def figures(self, result: PropertyResult, params: Any) -> dict[str, Any]:
        from matplotlib.figure import Figure

        table = result.tables["inverse_susceptibility"]
        figure = Figure(figsize=(5, 3.5))
        ax = figure.add_subplot()
        t, inv = table.values("T"), table.values("inverse_chi")
        ax.plot(t, inv, "o", ms=3, label="data")
        ax.plot(t, table.values("fit"), "-", label="Curie-Weiss fit")
        spread = std_column(table, "inverse_chi")
        if spread is not None:
            ax.fill_between(t, inv - spread, inv + spread, alpha=0.3, label="ensemble ±1σ")
        ax.set_xlabel("T (K)")
        ax.set_ylabel("1/χ (mol/m³)")
        ax.legend()
        return {"inverse_susceptibility": figure}

    @classmethod
    def example_table(cls) -> UnitTable:
        """A paramagnet with θ = 20 K and µ_eff = 7 µB (0.61 mg, 285.1 g/mol) at 0.1 T."""
        t = np.linspace(50, 300, 126)
        curie = 7.0**2 / _MU_EFF_SQUARED_PER_C  # m³·K/mol
        moles = 0.61e-3 / 285.1
        moment = curie / (t - 20.0) * moles * 0.1 / constants.mu_0  # A·m²
        from reanalyze.table import Sample

        return UnitTable(
            pd.DataFrame({"T": t, "H": np.full_like(t, 1000.0), "M": moment * 1e3}),
            {
                "T": ("temperature", "K"),
                "H": ("magnetic_field", "Oe"),
                "M": ("magnetic_moment", "emu"),
            },
            sample=Sample(mass=0.61, mass_unit="mg", molar_mass=285.1),
        )
