"""Figure helpers shared by every figure reanalyze draws (report, plan, validation, plugins).

Colours along the viridis map, axis labels that always carry a unit in conventional notation
(:func:`reanalyze.units.pretty_unit`), the ± std band an ensemble result draws around a curve,
families of many curves (:class:`CurveFamily`: a colour bar for their parameter, a few
representative curves drawn bold with their bands, the rest faint) and the check every figure
passes (:func:`figure_problems`). The figures are :class:`matplotlib.figure.Figure` objects,
never pyplot state; matplotlib is imported only when something is drawn.

Examples
--------
>>> axis_label("T", "K"), axis_label("n", ""), axis_label("−ΔS_M", "J/(kg*K)")
('T (K)', 'n (dimensionless)', '−ΔS_M (J kg⁻¹ K⁻¹)')
>>> len(viridis_colors(3))
3
>>> representatives([0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0], 5)
[1, 3, 5, 7, 9]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from reanalyze.arrays import FloatArray
from reanalyze.numbers import power_of_ten
from reanalyze.units import pretty_unit

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "MANY_CURVES",
    "REPRESENTATIVE_CURVES",
    "CurveFamily",
    "axis_label",
    "figure_problems",
    "label_axis",
    "plain_log_ticks",
    "representatives",
    "scaled_unit",
    "std_band",
    "symbols",
    "viridis_colors",
]


#: A figure with more curves than this gets a colour bar instead of a legend entry per curve.
MANY_CURVES = 8
#: Curves drawn bold (with their ensemble bands) in a family of many.
REPRESENTATIVE_CURVES = 5


def axis_label(name: str, unit: str) -> str:
    """``"name (unit)"`` in conventional notation; no unit reads ``(dimensionless)``."""
    return f"{name} ({pretty_unit(unit) or 'dimensionless'})"


_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "µ", "nu": "ν", "xi": "ξ",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
}  # fmt: skip
_GREEK_WORD = re.compile(r"\b(" + "|".join(_GREEK) + r")(?=\d*\b)")


_SUBSCRIPT = re.compile(r"(?<![\w$\\])([A-Za-zΔ]{1,2})_([A-Za-z0-9]{1,3})(?![\w$])")
_MU_ZERO = re.compile(r"µ0(?=Δ?H)")


def symbols(text: str) -> str:
    r"""``text`` as a physicist writes it in a figure: Greek letters, subscripts, µ₀.

    A whole word that is a Greek letter's name, optionally followed by digits, becomes the
    letter (``theta2`` → ``θ2``); a short symbol with an underscore becomes a subscript
    (``ΔS_M`` → ``ΔS$_\mathrm{M}$``, ``T_c``); ``µ0H`` and ``µ0ΔH`` take µ₀. Names with
    several underscores (``delta_s_m``) are left as typed; the column keeps its name.

    >>> symbols("theta2"), symbols("largest std of phi"), symbols("betatron T"), symbols("H")
    ('θ2', 'largest std of φ', 'betatron T', 'H')
    >>> symbols("−ΔS_M at µ0ΔH = 5 T"), symbols("delta_s_m"), symbols("T_c (K)")
    ('−ΔS$_\\mathrm{M}$ at µ₀ΔH = 5 T', 'delta_s_m', 'T$_\\mathrm{c}$ (K)')
    """
    text = _GREEK_WORD.sub(lambda m: _GREEK[m.group(1)], text)
    text = _SUBSCRIPT.sub(lambda m: f"{m.group(1)}$_\\mathrm{{{m.group(2)}}}$", text)
    return _MU_ZERO.sub("µ₀", text)


#: SI prefixes by power of ten, for :func:`scaled_unit` (beyond them, a power of ten: a
#: ``GOe`` would read oddly where ``10⁹ Oe`` does not).
_SI_PREFIXES = {-12: "p", -9: "n", -6: "µ", -3: "m", 3: "k", 6: "M"}
#: Values whose largest magnitude lies in [PLAIN_LOW, PLAIN_HIGH) keep their unit unscaled.
PLAIN_LOW, PLAIN_HIGH = 1e-3, 1e5


@functools.lru_cache(maxsize=256)
def scaled_unit(unit: str, magnitude: float) -> tuple[str, float]:
    """How to label values of about ``magnitude`` (in ``unit``) so the ticks read 0.1–1000.

    Returns ``(label unit, factor)``: tick values are ``value / factor`` in the label unit.
    Values from :data:`PLAIN_LOW` up to :data:`PLAIN_HIGH` keep the unit (factor 1). Others
    take an SI prefix on the unit's first symbol where pint confirms it (``J/K`` → ``µJ/K``,
    ``ohm`` → ``kΩ``), else a power of ten in front of the unit (``10⁻⁶ (emu/g)²``; a
    dimensionless quantity reads ``10⁻⁶``). An unparsable unit or a zero or non-finite
    magnitude is left as it is. Units are written as :func:`reanalyze.units.pretty_unit`.

    Examples
    --------
    >>> scaled_unit("J/K", 2.6e-6), scaled_unit("ohm", 2.5e5), scaled_unit("Oe", 5e4)
    (('µJ/K', 1e-06), ('kΩ', 1000.0), ('Oe', 1.0))
    >>> scaled_unit("J/(kg*K)", 4e-4), scaled_unit("", 3e-5), scaled_unit("(emu/g)**2", 2e-7)
    (('µJ kg⁻¹ K⁻¹', 1e-06), ('10⁻⁶', 1e-06), ('10⁻⁹ (emu/g)²', 1e-09))
    """
    from reanalyze.errors import UnitError
    from reanalyze.units import parse_unit, ureg

    shown = pretty_unit(unit)
    if not np.isfinite(magnitude) or magnitude == 0 or PLAIN_LOW <= abs(magnitude) < PLAIN_HIGH:
        return shown or "dimensionless", 1.0
    exponent = 3 * int(np.floor(np.log10(abs(magnitude)) / 3))
    factor = 10.0**exponent
    try:
        parsed = parse_unit(unit) if unit.strip() not in ("", "dimensionless", "1") else None
    except UnitError:
        return shown, 1.0
    if (
        exponent in _SI_PREFIXES
        and parsed is not None
        and not ureg.Quantity(1, parsed).dimensionless
    ):
        prefixed = _SI_PREFIXES[exponent] + unit.strip()
        try:
            ratio = ureg.Quantity(1, parse_unit(prefixed)).to(parsed).magnitude
        except Exception:  # pint: unknown unit, or the prefix read as another unit
            ratio = None
        if ratio is not None and np.isclose(ratio, factor, rtol=1e-9):
            return pretty_unit(prefixed), factor
    power = power_of_ten(exponent)
    return (f"{power} {shown}" if shown else power), factor


def label_axis(axis: Any, name: str, unit: str) -> None:
    """Label ``axis`` (``ax.xaxis``, ``ax.yaxis``, a colour bar's ``bar.ax.yaxis``) as
    ``name (unit)``, the unit scaled to the values drawn so far (:func:`scaled_unit`).

    Call it after the data are drawn. The tick labels divide by the same factor whatever is
    drawn later, so the label and the numbers always agree; matplotlib's separate ``1e−6``
    offset text, which a reader easily misses next to a unit, is never used.
    """
    from matplotlib.ticker import ScalarFormatter

    low, high = axis.get_view_interval()
    magnitude = float(max(abs(low), abs(high))) if np.isfinite([low, high]).all() else 0.0
    text, factor = scaled_unit(unit, magnitude)
    axis.set_label_text(f"{symbols(name)} ({text})")
    if factor == 1.0:
        return

    class Scaled(ScalarFormatter):
        def set_locs(self, locs: Any) -> None:
            super().set_locs([v / factor for v in locs])

        def __call__(self, x: float, pos: int | None = None) -> str:
            return super().__call__(x / factor, pos)

    formatter = Scaled(useOffset=False)
    formatter.set_scientific(False)
    axis.set_major_formatter(formatter)


def plain_log_ticks(axis: Any) -> None:
    """Label a log-scale ``axis`` (``ax.xaxis`` or ``ax.yaxis``) with plain numbers.

    Matplotlib chooses which major and minor ticks carry a label, as it does for a log axis;
    the labels read ``0.2``, ``20``, ``300`` instead of ``2×10⁻¹``, ``2×10¹``, ``3×10²``.
    """
    from matplotlib.ticker import LogFormatter

    class Plain(LogFormatter):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return f"{x:g}" if super().__call__(x, pos) else ""

    axis.set_major_formatter(Plain())
    axis.set_minor_formatter(Plain(minor_thresholds=(2, 0.5)))


def viridis_colors(count: int, stop: float = 0.9) -> list[tuple[float, float, float, float]]:
    """``count`` RGBA colours evenly along viridis from 0 to ``stop`` (``[]`` for 0)."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    return [cmap(float(x)) for x in np.linspace(0.0, stop, max(count, 1))][:count]


def std_band(
    ax: Axes,
    x: FloatArray,
    y: FloatArray,
    std: FloatArray | None,
    color: Any = None,
    alpha: float = 0.25,
    **style: Any,
) -> None:
    """Shade ``y ± std`` (nothing when ``std`` is None: not an ensemble result).

    ``color`` None takes the axes' next colour; ``style`` goes to ``fill_between`` (a
    ``label``).
    """
    if std is None:
        return
    if color is not None:
        style["color"] = color
    ax.fill_between(x, y - std, y + std, alpha=alpha, linewidth=0, **style)


def representatives(values: Sequence[float] | FloatArray, count: int) -> list[int]:
    """Indices of about ``count`` curves whose values are nearest the tops of equal bins.

    The bins split ``start … max`` into ``count`` equal parts, where ``start`` is 0 for values
    that start less than one bin above zero (field changes 0.05 … 5 T give 1, 2, 3, 4, 5 T) and the
    smallest value otherwise (isotherms 10 … 60 K give 20, 30, 40, 50, 60 K); the largest value
    is always one. Fewer values than ``count``: all of them.
    """
    v = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(v)
    if v.size <= count or not finite.any():
        return list(range(v.size))
    lo, hi = float(v[finite].min()), float(v[finite].max())
    if 0.0 <= lo < (hi - lo) / count:
        lo = 0.0
    targets = lo + (hi - lo) * np.arange(1, count + 1) / count
    distance = np.where(finite, 0.0, np.inf)
    return sorted({int(np.argmin(np.abs(v - t) + distance)) for t in targets})


class CurveFamily:
    """How to draw a family of curves labelled by one parameter (a field change, a field, T).

    Up to :data:`MANY_CURVES` curves: each its own viridis colour, a legend entry and its band.
    More: the colour follows the parameter on a colour bar, :func:`representatives` are drawn
    bold with a white outline, a legend entry and their ± std band, the others thin and faint.

    Parameters
    ----------
    values
        The parameter of each curve, in the order they are drawn (unit ``unit``).
    name, unit
        The parameter's symbol and unit (legend title, colour-bar label).
    many, count
        More than ``many`` curves make a family of many; ``count`` representatives are bold.
    digits
        Significant digits of the values in the legend.

    Examples
    --------
    >>> family = CurveFamily(np.linspace(0.05, 5.0, 100), "µ₀ΔH", "T")
    >>> family.many, [round(float(family.values[i]), 2) for i in family.bold]
    (True, [1.0, 2.0, 3.0, 4.0, 5.0])
    >>> family.label(99), family.style(0)["alpha"], CurveFamily([1.0, 2.0], "H", "T").many
    ('5 T', 0.35, False)
    """

    def __init__(
        self,
        values: Sequence[float] | FloatArray,
        name: str,
        unit: str,
        *,
        many: int = MANY_CURVES,
        count: int = REPRESENTATIVE_CURVES,
        digits: int = 3,
        stop: float = 0.9,
    ) -> None:
        from matplotlib import colormaps
        from matplotlib.colors import ListedColormap, Normalize

        self.values = np.asarray(values, dtype=np.float64)
        self.name, self.unit, self.digits = name, unit, digits
        self.many = self.values.size > many
        self.bold = representatives(self.values, count) if self.many else list(range(len(self)))
        self.cmap = ListedColormap(colormaps["viridis"](np.linspace(0.0, stop, 256)))
        finite = self.values[np.isfinite(self.values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.norm = Normalize(lo, hi if hi > lo else lo + 1.0)
        self.colors = (
            [self.cmap(self.norm(v)) for v in self.values]
            if self.many
            else viridis_colors(len(self), stop)
        )

    def __len__(self) -> int:
        return int(self.values.size)

    def is_bold(self, i: int) -> bool:
        """Whether curve ``i`` is drawn bold with its band (every curve of a small family)."""
        return i in self.bold

    def label(self, i: int) -> str:
        """The legend text of curve ``i``: its value and unit."""
        unit = pretty_unit(self.unit)
        return f"{self.values[i]:.{self.digits}g}" + (f" {unit}" if unit else "")

    def style(self, i: int, **extra: Any) -> dict[str, Any]:
        """``plot`` keywords of curve ``i`` (colour, width, label; faint when not bold)."""
        if not self.many:
            return {"color": self.colors[i], "lw": 1.3, "label": self.label(i), **extra}
        if not self.is_bold(i):
            return {"color": self.colors[i], "lw": 0.6, "alpha": 0.35, "zorder": 1.5, **extra}
        from matplotlib import patheffects

        outline = [patheffects.Stroke(linewidth=3.4, foreground="white"), patheffects.Normal()]
        return {
            "color": self.colors[i],
            "lw": 1.8,
            "zorder": 3,
            "label": self.label(i),
            "path_effects": outline,
            **extra,
        }

    def finish(
        self,
        ax: Axes | Sequence[Axes],
        *,
        band: bool,
        legend: Axes | None = None,
        loc: str = "best",
        extra: Sequence[Any] = (),
    ) -> None:
        """Add the colour bar (a family of many) and the legend to ``ax``.

        ``band``: the curves have ± std bands (a legend entry says so); ``legend``: the axes
        that gets the legend (default the first of ``ax``); ``extra``: more legend handles.
        """
        from matplotlib.cm import ScalarMappable
        from matplotlib.patches import Patch

        axes = [ax] if not isinstance(ax, Sequence) else list(ax)
        target = legend or axes[0]
        if self.many:
            mappable = ScalarMappable(norm=self.norm, cmap=self.cmap)
            bar = target.figure.colorbar(mappable, ax=axes, pad=0.02)
            label_axis(bar.long_axis, self.name, self.unit)
        handles, labels = target.get_legend_handles_labels()
        handles, labels = list(handles), list(labels)
        if band:
            handles.append(Patch(facecolor="0.55", alpha=0.35, label="± 1 std (ensemble)"))
            labels.append("± 1 std (ensemble)")
        for handle in extra:
            handles.append(handle)
            labels.append(handle.get_label())
        shown = symbols(self.name)
        title = f"{shown}: bold {len(self.bold)} of {len(self)}" if self.many else shown
        target.legend(handles, labels, title=title, fontsize="small", loc=loc)  # type: ignore[call-overload]


# ----------------------------------------------------------------------------- the figure check
_UNIT_IN_LABEL = re.compile(r"\(([^()]|\([^()]*\))+\)\s*$")


def _is_colorbar(ax: Axes) -> bool:
    return hasattr(ax, "_colorbar")


def _has_data(ax: Axes) -> bool:
    return bool(ax.lines or ax.collections or ax.images or ax.patches)


def _curves(ax: Axes) -> int:
    """Lines of more than two points (reference lines like ``axhline`` have two)."""
    return sum(1 for line in ax.get_lines() if line.get_visible() and np.size(line.get_xdata()) > 2)


def _shared_legend(ax: Axes, axes: Sequence[Axes]) -> bool:
    """Whether ``ax`` or an axes sharing its x or y axis has a legend (one key for both)."""
    for other in axes:
        joined = other is ax or any(
            group.joined(ax, other) for group in (ax.get_shared_x_axes(), ax.get_shared_y_axes())
        )
        if joined and other.get_legend() is not None:
            return True
    return False


def _shared_label(ax: Axes, axis: str, axes: Sequence[Axes]) -> bool:
    """Whether an axes sharing ``ax``'s x (or y) axis carries the label."""
    group = ax.get_shared_x_axes() if axis == "x" else ax.get_shared_y_axes()
    for other in axes:
        if other is ax or not group.joined(ax, other):
            continue
        if (other.get_xlabel() if axis == "x" else other.get_ylabel()).strip():
            return True
    return False


def _texts(fig: Figure, renderer: Any) -> list[tuple[str, Any]]:
    """Every drawn, non-empty text of the figure with its bounding box (display pixels)."""
    from matplotlib.text import Text

    ticks: set[int] = set()
    shown: list[Text] = []
    for ax in fig.axes:
        axis: Any
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update({id(tick.label1), id(tick.label2)})
            for tick in axis._update_ticks():  # the ticks actually drawn
                shown.extend(t for t in (tick.label1, tick.label2) if t.get_visible())
    for text in fig.findobj(Text):
        if id(text) not in ticks and text.get_visible():
            shown.append(text)
    out = []
    for text in shown:
        if text.get_text().strip() and text.get_alpha() != 0:
            out.append((text.get_text(), text.get_window_extent(renderer)))
    return out


def figure_problems(fig: Figure, tolerance: float = 1.0) -> list[str]:
    """What a figure lacks to be read: one sentence per problem (``[]``: none).

    The figure is drawn (Agg) and checked for: a layout engine (constrained or tight), an
    axis label with a unit in parentheses on both axes of every axes that shows data (or on
    an axes it shares that axis with) and on every colour bar, a legend (on the axes or one
    sharing an axis with it) or a colour bar on axes with more than one curve, and no two
    texts (titles, labels, tick labels, legend entries, annotations) whose boxes overlap by
    more than ``tolerance`` pixels each way, and no axis whose ticks carry matplotlib's separate
    factor or offset text (``1e−6``, ``+3e2``): the unit in the label must say it
    (:func:`label_axis`).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    problems = []
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine | None):
        problems.append("no layout engine (use layout='constrained' or 'tight')")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    has_colorbar = any(_is_colorbar(ax) for ax in fig.axes)
    for index, ax in enumerate(fig.axes):
        where = f"axes {index} ({ax.get_title() or 'untitled'})"
        for side, ticks in (("x", ax.xaxis), ("y", ax.yaxis)):
            offset = ticks.get_offset_text()
            if offset.get_visible() and offset.get_text().strip():
                problems.append(
                    f"{where}: {side} ticks carry a separate factor or offset "
                    f"{offset.get_text()!r} (label the axis with label_axis)"
                )
        if _is_colorbar(ax):
            label = ax.get_ylabel() or ax.get_xlabel()
            if not _UNIT_IN_LABEL.search(label):
                problems.append(f"colour bar {index}: label {label!r} has no unit")
            continue
        if not _has_data(ax):
            continue
        for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
            if not label.strip() and _shared_label(ax, axis, fig.axes):
                continue
            if not _UNIT_IN_LABEL.search(label):
                problems.append(f"{where}: {axis} label {label!r} has no unit")
        keyed = _shared_legend(ax, fig.axes) or has_colorbar or bool(fig.legends)
        if _curves(ax) > 1 and not keyed:
            problems.append(f"{where}: {_curves(ax)} curves and no legend or colour bar")
    boxes = _texts(fig, renderer)
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1 :]:
            dx = min(a.x1, b.x1) - max(a.x0, b.x0)
            dy = min(a.y1, b.y1) - max(a.y0, b.y0)
            if dx > tolerance and dy > tolerance:
                problems.append(f"texts overlap: {text_a!r} and {text_b!r}")
    return problems
