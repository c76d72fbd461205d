"""How far a candidate step's curve is from the finest one, and which step to recommend.

:func:`compare` measures a candidate's convergence curve against the finest candidate's
(RMS deviation, spurious oscillation, error of the maximum and of its position, ensemble
spread); :class:`Tolerance` says when that is fine enough and :func:`recommend` picks the
coarsest step that meets it, with the verdict in words.

Examples
--------
>>> Tolerance().rms_rel
0.02
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from reanalyze.arrays import FloatArray
from reanalyze.wording import option

__all__ = [
    "Tolerance",
    "compare",
    "half_width_span",
    "indefinite_article",
    "peak_centre",
    "recommend",
]


class Tolerance(BaseModel):
    """When a step is fine enough: every criterion must hold (against the finest candidate).

    The defaults are 2 % of the property's maximum for the RMS deviation and for the error
    of the maximum, no more than 25 % extra total variation (spurious oscillation; a twin's
    own small wiggles along the fixed axis add to every candidate's), and the
    maximum's position (:func:`peak_centre`) within ``peak_position`` — by default the larger
    of two spacings of the finest curve's abscissa and a tenth of its full width at half
    maximum (a broad plateau has no sharper position than that).
    """

    model_config = ConfigDict(extra="forbid")

    rms_rel: float = Field(0.02, gt=0, description="RMS deviation / max |finest curve|.")
    peak_rel: float = Field(0.02, gt=0, description="|error of the maximum| / maximum.")
    peak_position: float | None = Field(
        None, gt=0, description="|error of the maximum's position|, in the curve's x unit."
    )
    tv_ratio: float = Field(1.25, ge=1, description="Total variation / the finest's (oscillation).")


def _total_variation(y: FloatArray) -> float:
    finite = y[np.isfinite(y)]
    return float(np.sum(np.abs(np.diff(finite)))) if finite.size > 1 else 0.0


def half_width_span(x: FloatArray, y: FloatArray) -> float:
    """Width of the contiguous region around the maximum where y ≥ max/2 (x units)."""
    if not np.isfinite(y).any():
        return 0.0
    k = int(np.nanargmax(y))
    half = y[k] / 2
    lo, hi = k, k
    while lo > 0 and y[lo - 1] >= half:
        lo -= 1
    while hi < len(y) - 1 and y[hi + 1] >= half:
        hi += 1
    return float(x[hi] - x[lo])


def peak_centre(x: FloatArray, y: FloatArray, fraction: float = 0.9) -> float:
    """Position of a curve's maximum: the centroid of its top ``1 − fraction`` (x units).

    The contiguous region around the largest value where y ≥ fraction·max is averaged with
    weights y − fraction·max, so a flat or double-humped top (ErCo2's ΔS_M) gives a stable
    position instead of jumping between nearly equal maxima.

    >>> peak_centre(np.array([0.0, 1, 2, 3, 4]), np.array([0.0, 1, 0.95, 1, 0]))
    2.0
    """
    finite = np.isfinite(y)
    if not finite.any():
        return float("nan")
    k = int(np.nanargmax(y))
    level = fraction * y[k] if y[k] > 0 else y[k]
    lo = k
    while lo > 0 and finite[lo - 1] and y[lo - 1] >= level:
        lo -= 1
    hi = k
    while hi < len(y) - 1 and finite[hi + 1] and y[hi + 1] >= level:
        hi += 1
    weights = y[lo : hi + 1] - level
    if weights.sum() <= 0:
        return float(x[k])
    return float(np.sum(x[lo : hi + 1] * weights) / weights.sum())


def compare(curve: Any, reference: Any, tolerance: Tolerance) -> dict[str, Any]:
    """Deviation of ``curve`` from ``reference`` (interpolated onto the reference's x).

    Returns the keys ``rms``, ``rms_rel``, ``tv_ratio``, ``peak``, ``peak_error``,
    ``peak_rel_error``, ``peak_position`` (:func:`peak_centre`), ``peak_position_error``,
    ``spread`` (ensemble std of the curve at its maximum; 0 for a single twin) and ``meets``.
    """
    x_ref, y_ref = np.asarray(reference.x, float), np.asarray(reference.y, float)
    x, y = np.asarray(curve.x, float), np.asarray(curve.y, float)
    ok = np.isfinite(y)
    inside = (x_ref >= x[ok].min()) & (x_ref <= x[ok].max()) if ok.any() else x_ref < -np.inf
    y_on_ref = np.full_like(y_ref, np.nan)
    if ok.sum() > 1:
        y_on_ref[inside] = np.interp(x_ref[inside], x[ok], y[ok])
    both = np.isfinite(y_on_ref) & np.isfinite(y_ref)
    scale = float(np.nanmax(np.abs(y_ref))) if np.isfinite(y_ref).any() else np.nan
    rms = float(np.sqrt(np.mean((y_on_ref[both] - y_ref[both]) ** 2))) if both.any() else np.nan
    tv_ref = _total_variation(y_ref[both])
    tv = _total_variation(y_on_ref[both])
    k = int(np.nanargmax(y)) if ok.any() else 0
    k_ref = int(np.nanargmax(y_ref)) if np.isfinite(y_ref).any() else 0
    peak, peak_ref = float(y[k]), float(y_ref[k_ref])
    spread = 0.0 if curve.std is None else float(np.asarray(curve.std)[k])
    position = peak_centre(x, y)
    row = {
        "rms": rms,
        "rms_rel": rms / scale if scale else np.nan,
        "tv_ratio": tv / tv_ref if tv_ref > 0 else np.nan,
        "peak": peak,
        "peak_error": peak - peak_ref,
        "peak_rel_error": (peak - peak_ref) / abs(peak_ref) if peak_ref else np.nan,
        "peak_position": position,
        "peak_position_error": position - peak_centre(x_ref, y_ref),
        "spread": spread,
    }
    allowed = tolerance.peak_position if tolerance.peak_position is not None else np.inf
    row["meets"] = bool(
        np.isfinite(rms)
        and row["rms_rel"] <= tolerance.rms_rel
        and abs(row["peak_rel_error"]) <= tolerance.peak_rel
        and abs(row["peak_position_error"]) <= allowed + 1e-12
        and (not np.isfinite(row["tv_ratio"]) or row["tv_ratio"] <= tolerance.tv_ratio)
    )
    return row


def recommend(
    rows: list[dict[str, Any]], curves: list[Any], tolerance: Tolerance, unit: str, axis: str
) -> tuple[int | None, str, list[str]]:
    """The recommended row (the coarsest step meeting the tolerance, every finer one too),
    the verdict and the notes behind it."""
    notes: list[str] = []
    n = len(rows)
    finest = rows[-1]
    meeting = [i for i, r in enumerate(rows[:-1]) if r["meets"]]
    if n == 1:
        return (
            0,
            f"only one candidate step: nothing to compare (give several "
            f"{option('steps', value='[...]')})",
            ["a single candidate is its own reference"],
        )
    # the coarsest step that meets the tolerance, with every finer step meeting it too
    recommended = None
    for i in range(n - 1):
        if all(rows[j]["meets"] for j in range(i, n - 1)):
            recommended = i
            break
    second = rows[-2]
    if not second["meets"]:
        notes.append(
            f"even the two finest steps ({second['step']:g} and {finest['step']:g} {unit}) "
            f"differ by more than the tolerance (RMS {second['rms_rel']:.1%}, maximum "
            f"{second['peak_rel_error']:+.1%}): the finest candidate may not be converged; "
            "add finer steps"
        )
    spread = finest["spread"]
    if recommended is not None:
        diff = max(abs(rows[recommended]["peak_error"]), rows[recommended]["rms"])
        if spread > diff and spread > 0:
            notes.append(
                f"the ensemble spread at the maximum ({spread:.3g}) is larger than the "
                f"recommended step's deviation from the finest ({diff:.3g}): below this level "
                "the twin's own uncertainty, not the step, limits the answer"
            )
    if meeting and recommended is not None and meeting[0] < recommended:
        notes.append(
            f"{rows[meeting[0]]['step']:g} {unit} also meets the tolerance, but a finer step "
            "does not: taken as chance agreement"
        )
    if recommended is None:
        verdict = (
            f"no candidate coarser than {finest['step']:g} {unit} meets the tolerance: "
            f"measure {axis} in steps of {finest['step']:g} {unit} or finer"
        )
        return None, verdict, notes
    row = rows[recommended]
    cost = f", about {row['hours']:.1f} h ({row['days']:.2f} days)" if row["hours"] else ""
    verdict = (
        f"{indefinite_article(axis)} {axis} step of {row['step']:g} {unit} is fine enough: it "
        f"deviates from the finest candidate ({finest['step']:g} {unit}) by "
        f"{row['rms_rel']:.1%} RMS and "
        f"{row['peak_rel_error']:+.1%} at the maximum{cost}"
    )
    if finest["hours"] and row["hours"]:
        verdict += f"; the finest would take {finest['hours']:.1f} h ({finest['days']:.2f} days)"
    return recommended, verdict, notes


#: Letters whose name starts with a vowel sound ("an H step", "an M curve", "a T step").
_VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")


def indefinite_article(name: str) -> str:
    """``a`` or ``an`` before an axis name, by how it is read: a letter by its name.

    Examples
    --------
    >>> [indefinite_article(n) for n in ("H", "T", "theta1", "angle", "M_2", "field")]
    ['an', 'a', 'a', 'an', 'an', 'a']
    """
    head = name.split("_")[0].rstrip("0123456789")
    if len(head) == 1 and head.isascii() and head.isalpha():
        return "an" if head.upper() in _VOWEL_SOUND_LETTERS else "a"
    return "an" if name[:1].lower() in "aeiou" else "a"
