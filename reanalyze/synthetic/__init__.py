"""Synthetic measurements with exact answers, the ground truth for testing reanalyze.

Each generator simulates one of the coarse scanning measurements of Terashima et al.,
Digital Discovery 2, 339 (2023), evaluates the noise-free quantity on any grid
(:meth:`~SyntheticGenerator.truth`), and knows the exact derived physics:

================================  ==========================================================
:class:`BeanRodbellMagnet`        M(T, H) of a mean-field magnet; exact ΔS_M(T, H), T_t(H)
:class:`Superconductor`           R(T, H); exact Hc2(T), Tc(H) and Tc criteria
:class:`ArpesFermiSurface`        I(θ1, θ2) at E_F; exact Fermi crossings and contour
================================  ==========================================================

:data:`GENERATORS` maps dataset names to zero-argument factories whose ``.scan(seed=0)``
gives the default dataset.

Examples
--------
>>> gen = GENERATORS["superconductor_pdh_like"]()
>>> table = gen.scan(seed=0)
>>> gen.truth_table(table).shape == (len(table),)
True
"""

from __future__ import annotations

from collections.abc import Callable

from reanalyze.synthetic._grid import Column, SyntheticGenerator
from reanalyze.synthetic.arpes import ArpesFermiSurface, FermiContour, FermiCrossings
from reanalyze.synthetic.bean_rodbell import (
    BeanRodbellMagnet,
    brillouin,
    brillouin_entropy,
    brillouin_log_partition,
)
from reanalyze.synthetic.superconductor import WHH_RATIO, Superconductor

__all__ = [
    "GENERATORS",
    "WHH_RATIO",
    "ArpesFermiSurface",
    "BeanRodbellMagnet",
    "Column",
    "FermiContour",
    "FermiCrossings",
    "Generator",
    "Superconductor",
    "SyntheticGenerator",
    "brillouin",
    "brillouin_entropy",
    "brillouin_log_partition",
]

#: The common base class of the generators (alias).
Generator = SyntheticGenerator

#: Dataset name → zero-argument factory of the configured generator.
GENERATORS: dict[str, Callable[[], SyntheticGenerator]] = {
    "bean_rodbell_first_order": BeanRodbellMagnet.erco2_like,
    "bean_rodbell_second_order": BeanRodbellMagnet.second_order,
    "superconductor_pdh_like": Superconductor.pdh_like,
    "arpes_lofbis2_like": ArpesFermiSurface.lofbis2_like,
}
