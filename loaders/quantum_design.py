"""Quantum Design MultiVu ``.dat`` files: MPMS3, MPMS-XL, PPMS, DynaCool and VersaLab.

A MultiVu data file has optional title lines, a ``[Header]`` section (``; comments``,
``TITLE``, ``BYAPP``, ``FILEOPENTIME``, ``INFO,<value>,<KEY>`` lines, ...) and a ``[Data]``
section: one line of comma- (or tab-) separated column headers with units in parentheses,
then the rows. Most of the ~90 columns are empty for the measurement mode in use.

Without a ``columns`` option the loader picks the physics columns of the detected mode:

* magnetometry (MPMS3 VSM or DC, MPMS-XL, PPMS VSM/ACMS): temperature, field and *one*
  moment column, saying in ``metadata["notes"]`` which one (``moment_column=`` overrides);
* AC susceptibility: temperature, field, frequency and the in- and out-of-phase parts;
* transport (PPMS resistivity option, ETO, ACT): temperature, field and every resistance
  channel holding data;
* heat capacity: sample temperature, field and the sample heat capacity.

``INFO`` lines go to ``metadata["header"]`` (with ``TITLE``, ``BYAPP`` and
``FILEOPENTIME``), ``SAMPLE_MATERIAL`` and ``SAMPLE_MASS`` (mg) to the table's
:class:`~reanalyze.table.Sample`, and the detected instrument and mode to
``metadata["instrument"]`` and ``metadata["mode"]``.

Examples
--------
>>> import pathlib, tempfile
>>> path = pathlib.Path(tempfile.mkdtemp()) / "mt.dat"
>>> _ = path.write_text(
...     "[Header]\\nBYAPP, MPMS3, 1.1.6\\nINFO,ErCo2,SAMPLE_MATERIAL\\nINFO,0.61,SAMPLE_MASS\\n"
...     "[Data]\\nComment,Temperature (K),Magnetic Field (Oe),Moment (emu),DC Moment Free Ctr"
...     " (emu)\\n,300,10000,0.07,\\n,200,10000,0.08,\\n")
>>> table = QuantumDesignLoader().load(path)
>>> table.columns
['Temperature', 'Magnetic Field', 'Moment']
>>> table.values("Magnetic Field", "T")
array([1., 1.])
>>> table.metadata["instrument"], table.metadata["mode"], table.sample.mass
('MPMS3', 'VSM', 0.61)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reanalyze.errors import ColumnError, DataError, OptionError
from reanalyze.headers import parse_header
from reanalyze.loaders.base import Loader, build_table, read_text
from reanalyze.loaders.multivu import (
    Header,
    header_quantity,
    multivu_unit,
    normalize_cells,
    parse_multivu,
    quote_names,
)
from reanalyze.table import Sample, UnitTable
from reanalyze.wording import option

__all__ = ["QuantumDesignLoader"]

#: Options passed on to :func:`~reanalyze.loaders.base.build_table`.
_PASSED_OPTIONS = ("columns", "rename", "units", "kinds", "nonfinite", "duplicates")


_PLACEHOLDER = re.compile(r"^sample\s*\d*\s*(material|comment|mass)?$", re.IGNORECASE)

_TEMPERATURES = ("temperature", "sample temp", "sample temperature", "temp", "average temp")
_FIELDS = ("magnetic field", "field", "applied field", "mag field")
_RESISTANCE = re.compile(
    r"^(?:(?:bridge|channel|ch\.?)\s*\d+\s+resistance|resistance\s*(?:ch\.?|channel)?\s*\d*"
    r"|res\.?\s*(?:ch\.?|channel)\s*\d+)$",
    re.IGNORECASE,
)
_RESISTIVITY = re.compile(
    r"^(?:(?:bridge|channel|ch\.?)\s*\d+\s+resistivity|resistivity\s*(?:ch\.?|channel)?\s*\d*)$",
    re.IGNORECASE,
)
_AC_IN = re.compile(r"^(?:ac\s+)?(?:m|x|chi|χ|moment)\s*'$", re.IGNORECASE)
_AC_OUT = re.compile(r"^(?:ac\s+)?(?:m|x|chi|χ|moment)\s*(?:''|\"|′′)$", re.IGNORECASE)
_FREQUENCY = re.compile(r"^(?:ac\s+)?frequency$", re.IGNORECASE)
_HEAT_CAPACITY = re.compile(r"^samp(?:le)?\.?\s+hc$", re.IGNORECASE)

#: Moment columns of each magnetometry mode, in order of preference.
_MOMENT_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("VSM", "VSM", ("moment",)),
    ("DC", "DC", ("dc moment free ctr", "dc moment fixed ctr", "dc moment", "m-dc")),
    ("XL", "DC", ("long moment", "trans moment")),
)


# --------------------------------------------------------------------------- header


def _detect_instrument(header: Header, names: Sequence[str]) -> str:
    sources = [header.get("BYAPP"), *header.comments, header.get("TITLE"), *header.titles]
    for text in sources:
        low = text.lower()
        if "dynacool" in low:
            return "DynaCool"
        if "versalab" in low:
            return "VersaLab"
        if re.search(r"mpms[\s-]?3|squid[\s-]?vsm", low):
            return "MPMS3"
        if "mpms" in low:
            return "MPMS"
        if "ppms" in low:
            return "PPMS"
    lowered = {n.lower() for n in names}
    if {"long moment", "trans moment"} & lowered:
        return "MPMS"
    if {"dc moment free ctr", "squid status", "dc moment fixed ctr"} & lowered:
        return "MPMS3"
    ppms_columns = (_RESISTANCE, _RESISTIVITY, _HEAT_CAPACITY, _AC_IN)
    if "moment" in lowered or any(p.match(n) for p in ppms_columns for n in names):
        return "PPMS"
    return "unknown"


# ----------------------------------------------------------------------------- data


# ------------------------------------------------------------------ column choice


class _Columns:
    """The frame's headers with names, units and how many values each holds."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.raw = [str(c) for c in frame.columns]
        self.parsed = {raw: parse_header(raw) for raw in self.raw}
        self.counts = {raw: int(frame[raw].notna().sum()) for raw in self.raw}
        self.frame = frame

    def name(self, raw: str) -> str:
        return re.sub(r"\s+", " ", self.parsed[raw].name.strip().lower())

    def named(self, name: str) -> list[str]:
        return [raw for raw in self.raw if self.name(raw) == name]

    def matching(self, pattern: re.Pattern[str]) -> list[str]:
        return [raw for raw in self.raw if pattern.match(self.parsed[raw].name.strip())]

    def filled(self, raws: Sequence[str]) -> list[str]:
        return [raw for raw in raws if self.counts[raw]]

    def resolve(self, wanted: str) -> str | None:
        """A header given as written or by name (case-insensitive as a last resort)."""
        if wanted in self.raw:
            return wanted
        for exact in (True, False):
            key = wanted.strip() if exact else re.sub(r"\s+", " ", wanted.strip().lower())
            hits = [
                raw
                for raw in self.raw
                if (self.parsed[raw].name == key if exact else self.name(raw) == key)
                or (not exact and raw.lower() == key)
            ]
            if len(hits) == 1:
                return hits[0]
            if len(hits) > 1:
                return None
        return None

    def complete_rows(self, raws: Sequence[str]) -> int:
        return int(self.frame[list(raws)].notna().all(axis=1).sum())


def _first_filled(cols: _Columns, names: Sequence[str], what: str, source: str) -> str | None:
    """The first column among ``names`` that holds values; error if all present are empty."""
    present = [raw for name in names for raw in cols.named(name)]
    for raw in present:
        if cols.counts[raw]:
            return raw
    if present:
        raise DataError(f"{source}: the {what} column {present[0]!r} is empty (no values)")
    return None


@dataclass
class _Choice:
    mode: str
    columns: list[str]
    moment: str | None = None
    notes: list[str] = field(default_factory=list)


def _moment_groups(cols: _Columns) -> list[tuple[str, str, list[str], str | None]]:
    """Per magnetometry mode: (key, mode, columns present, first filled column)."""
    groups = []
    for key, mode, names in _MOMENT_GROUPS:
        present = [raw for name in names for raw in cols.named(name)]
        filled = cols.filled(present)
        if present:
            groups.append((key, mode, present, filled[0] if filled else None))
    return groups


def _transport_mode(header: Header, channels: Sequence[str]) -> str:
    text = " ".join([header.get("BYAPP"), *header.comments]).lower()
    if re.search(r"\beto\b|electrical transport", text):
        return "ETO"
    if re.search(r"\bact\b|ac transport", text):
        return "ACT"
    if "resistivity" in text or any(c.lower().startswith("bridge") for c in channels):
        return "resistivity"
    return "ETO"


def _override(
    cols: _Columns,
    groups: Sequence[tuple[str, str, list[str], str | None]],
    candidates: Sequence[tuple[int, int, _Choice]],
    moment_column: str,
    source: str,
) -> _Choice:
    """The choice for an explicit ``moment_column``."""
    raw = cols.resolve(moment_column)
    if raw is None:
        moments = [r for group in groups for r in group[2]]
        raise ColumnError(
            f"{source}: moment_column {moment_column!r} is not a column of the file "
            f"(moment columns: {', '.join(moments) or 'none'})"
        )
    if not cols.counts[raw]:
        raise DataError(f"{source}: moment_column {raw!r} is empty (no values)")
    mode = next((c.mode for _, _, c in candidates if c.moment == raw), None)
    if mode is None:
        fallback = candidates[0][2].mode if candidates else "unknown"
        mode = next((m for _, m, present, _ in groups if raw in present), fallback)
    return _Choice(
        mode=mode,
        columns=[raw],
        moment=raw,
        notes=[f"moment column: {raw!r} (moment_column option)"],
    )


def _choose(cols: _Columns, header: Header, moment_column: str | None, source: str) -> _Choice:
    """Pick the columns of the measurement mode that holds the most data."""
    notes: list[str] = []
    candidates: list[tuple[int, int, _Choice]] = []  # (rows, priority, choice)

    # magnetometry: one moment column per mode
    groups = _moment_groups(cols)
    empty_before: list[str] = []
    for priority, (key, mode, present, chosen) in enumerate(groups):
        if chosen is None:
            empty_before.extend(present)
            continue
        skipped = [*empty_before, *present[: present.index(chosen)]]
        label = "MPMS-XL " if key == "XL" else ""
        why = f"{label}{mode} mode"
        if skipped:
            why += f"; {quote_names(skipped)} {'is' if len(skipped) == 1 else 'are'} empty"
        note = f"moment column: {chosen!r} ({why})"
        choice = _Choice(mode=mode, columns=[chosen], moment=chosen, notes=[note])
        candidates.append((cols.counts[chosen], priority, choice))
        empty_before.extend(present[: present.index(chosen)])

    # AC susceptibility: in- and out-of-phase parts (and the frequency)
    ac_in = cols.filled(cols.matching(_AC_IN)) or cols.filled(cols.named("ac moment"))
    if ac_in:
        ac_cols = [ac_in[0], *cols.filled(cols.matching(_AC_OUT))[:1]]
        freq = cols.filled(cols.matching(_FREQUENCY))
        choice = _Choice(
            mode="AC",
            columns=[*freq[:1], *ac_cols],
            moment=ac_in[0],
            notes=[f"AC susceptibility columns: {quote_names(ac_cols)}"],
        )
        candidates.append((cols.counts[ac_in[0]], 10, choice))

    # transport: every resistance channel with data (resistivity when none)
    channels = cols.filled(cols.matching(_RESISTANCE)) or cols.filled(cols.matching(_RESISTIVITY))
    if channels:
        best = max(channels, key=lambda raw: cols.counts[raw])
        kept = [best]
        left: list[str] = []
        for raw in channels:
            if raw == best:
                continue
            if cols.complete_rows([*kept, raw]) >= 0.9 * cols.complete_rows(kept):
                kept.append(raw)
            else:
                left.append(raw)
        kept = [raw for raw in channels if raw in kept]
        choice_notes = [f"resistance channels with data: {quote_names(kept)}"]
        if left:
            choice_notes.append(
                f"left out {quote_names(left)}: values in too few of the rows of the other "
                f"channels (load with {option('columns', value='[...]')})"
            )
        mode = _transport_mode(header, channels)
        candidates.append((cols.counts[best], 20, _Choice(mode, kept, notes=choice_notes)))

    # heat capacity
    hc = cols.filled(cols.matching(_HEAT_CAPACITY))
    if hc:
        hc_note = [f"heat capacity column: {hc[0]!r}"]
        candidates.append((cols.counts[hc[0]], 30, _Choice("heat capacity", hc[:1], notes=hc_note)))

    if moment_column is not None:
        choice = _override(cols, groups, candidates, moment_column, source)
    elif candidates:
        candidates.sort(key=lambda c: (-c[0], c[1]))
        choice = candidates[0][2]
        for rows, _, other in candidates[1:]:
            if other.moment:
                how = option("moment_column", value=other.moment)
            else:
                how = f"{option('columns', value='[...]')} naming {other.columns[0]!r}"
            notes.append(
                f"{other.mode} data also present ({other.moment or other.columns[0]!r}, "
                f"{rows} values): load it with {how}"
            )
    else:
        choice = _Choice(mode="unknown", columns=[])
        notes.append(
            "no moment, resistance or heat-capacity column with data: loaded temperature "
            f"and field only (choose columns with {option('columns', value='[...]')})"
        )

    temps: tuple[str, ...] = _TEMPERATURES
    if choice.mode == "heat capacity":
        temps = ("sample temp", "sample temperature", *_TEMPERATURES)
    temperature = _first_filled(cols, temps, "temperature", source)
    field_col = _first_filled(cols, _FIELDS, "field", source)
    if temperature is None:
        notes.append("no temperature column found")
    if field_col is None:
        notes.append("no magnetic field column found")
    columns: list[str] = []
    for col in [temperature, field_col, *choice.columns]:
        if col is not None and col not in columns:
            columns.append(col)
    if not columns:
        filled = [c for c in cols.raw if cols.counts[c]]
        raise DataError(
            f"{source}: no temperature, field, moment or resistance columns recognised; "
            f"choose with {option('columns', value='[...]')} (columns with data: "
            f"{', '.join(filled)})"
        )
    choice.columns = columns
    choice.notes = [*choice.notes, *notes]
    return choice


# ------------------------------------------------------------------------ sample


def _sample(header: Header, cols: _Columns, notes: list[str]) -> Sample | None:
    material = header.get("SAMPLE_MATERIAL", "SAMPLE1_MATERIAL", "SAMPLE_1_MATERIAL")
    if _PLACEHOLDER.match(material):
        material = ""
    mass: float | None = None
    text = header.get("SAMPLE_MASS", "SAMPLE1_MASS", "SAMPLE_1_MASS")
    if _PLACEHOLDER.match(text):
        text = ""
    if text:
        mass, why = header_quantity(text, "mg", "mass")
        if mass is None:
            notes.append(f"sample mass {text!r} (SAMPLE_MASS) is {why}: mass left unknown")
        elif why:
            notes.append(f"sample mass {text!r} read as {mass:g} mg{why}")
    else:
        grams = [raw for raw in cols.named("mass") if cols.counts[raw]]
        if grams and cols.parsed[grams[0]].unit in ("grams", "g"):
            values = pd.to_numeric(cols.frame[grams[0]], errors="coerce").dropna().unique()
            if len(values) == 1 and values[0] > 0:
                mass = float(values[0]) * 1000.0
                notes.append(f"sample mass {mass:g} mg taken from the column {grams[0]!r}")
    molar: float | None = None
    text = header.get("SAMPLE_MOLECULAR_WEIGHT", "SAMPLE_MOLAR_MASS")
    if text:
        molar, why = header_quantity(text, "g/mol", "other")
        if molar is None:
            notes.append(f"sample molecular weight {text!r} is {why}: left unknown")
    if not (material or mass or molar):
        return None
    return Sample(material=material or None, mass=mass, mass_unit="mg", molar_mass=molar)


# ------------------------------------------------------------------------ loader


def _qd_units(cols: _Columns, chosen: Sequence[str]) -> dict[str, str]:
    units = {}
    for raw in chosen:
        unit = cols.parsed[raw].unit
        fixed = multivu_unit(unit) if unit is not None else None
        if fixed is not None:
            units[raw] = fixed
    return units


class QuantumDesignLoader(Loader):
    """Quantum Design MultiVu ``.dat`` files (MPMS3, MPMS-XL, PPMS, DynaCool, VersaLab).

    Options (besides those of :class:`~reanalyze.loaders.base.LoadOptions`)
    -------------------------------------------------------------------------
    moment_column
        The moment column to load (header or name, e.g. ``"DC Moment Fixed Ctr"``) instead
        of the one chosen for the detected mode.
    """

    name = "quantum_design"
    description = "Quantum Design MultiVu .dat files (MPMS3, MPMS-XL, PPMS, DynaCool)"
    suffixes = (".dat",)

    def sniff(self, path: Path, head: str) -> bool:
        """Whether ``head`` looks like a MultiVu file (``[Header]``/``[Data]`` sections)."""
        low = head.lower()
        has_header = "[header]" in low
        if path.suffix.lower() in self.suffixes and (has_header or "[data]" in low):
            return True
        return has_header and re.search(r"^\s*(BYAPP|INFO)\s*[,\t]", head, re.M) is not None

    def load(self, path: Path, *, moment_column: str | None = None, **options: Any) -> UnitTable:
        """Read a MultiVu ``.dat`` file into a :class:`~reanalyze.table.UnitTable`.

        Parameters
        ----------
        path
            The ``.dat`` file.
        moment_column
            Moment column to load instead of the automatic choice (header or name).
        **options
            ``columns``, ``rename``, ``units``, ``kinds``, ``nonfinite``, ``duplicates``
            as in :class:`~reanalyze.loaders.base.LoadOptions`. With ``columns`` the
            automatic choice is off (``moment_column`` is then added when missing).

        Returns
        -------
        UnitTable
            With ``metadata["instrument"]``, ``["mode"]``, ``["header"]``,
            ``["moment_column"]`` (magnetometry) and ``["notes"]``; the sample from the
            ``SAMPLE_MATERIAL``/``SAMPLE_MASS`` header lines.

        Raises
        ------
        DataError
            Missing or empty file, no ``[Data]`` section, no header line or data rows,
            a chosen column without values.
        ColumnError, UnitError
            Unknown or non-numeric columns, bad units.

        Examples
        --------
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "dc.dat"
        >>> _ = path.write_text("[Data]\\nTemperature (K),Magnetic Field (Oe),Moment (emu),"
        ...                     "DC Moment Free Ctr (emu)\\n10,500,,0.02\\n20,500,,0.01\\n")
        >>> table = QuantumDesignLoader().load(path)
        >>> table.columns
        ['Temperature', 'Magnetic Field', 'DC Moment Free Ctr']
        >>> table.metadata["notes"][0]
        "moment column: 'DC Moment Free Ctr (emu)' (DC mode; 'Moment (emu)' is empty)"
        """
        path = Path(path)
        source = str(path)
        unknown = sorted(
            k for k, v in options.items() if k not in _PASSED_OPTIONS and v is not None
        )
        if unknown:
            raise OptionError(
                f"{source}: unknown option(s) {', '.join(unknown)} for the {self.name} loader "
                f"(known: moment_column, {', '.join(_PASSED_OPTIONS)})"
            )
        parsed = parse_multivu(read_text(path), source)
        frame, header, lines = parsed.frame, parsed.header, parsed.lines
        notes = list(parsed.notes)
        cols = _Columns(frame)

        wanted = options.pop("columns", None)
        if isinstance(wanted, str):
            wanted = [wanted]
        if wanted:
            chosen = [cols.resolve(w) or w for w in wanted]
            if moment_column is not None:
                raw = cols.resolve(moment_column)
                if raw is None:
                    raise ColumnError(
                        f"{source}: moment_column {moment_column!r} is not a column of the file"
                    )
                if raw not in chosen:
                    chosen.append(raw)
            try:
                choice = _choose(cols, header, None, source)
                mode = choice.mode
            except DataError:
                mode = "unknown"
            moments = {raw for group in _moment_groups(cols) for raw in group[2]}
            moments.update(cols.matching(_AC_IN))
            moment = next((raw for raw in chosen if raw in moments), None)
            if moment_column is not None:
                moment = cols.resolve(moment_column)
                notes.append(f"moment column: {moment!r} (moment_column option)")
            choice = _Choice(mode=mode, columns=chosen, moment=moment)
        else:
            choice = _choose(cols, header, moment_column, source)
            chosen = choice.columns
            notes.append(
                f"{choice.mode} mode: loaded {quote_names(chosen)} (choose others with "
                f"{option('columns', value='[...]')})"
            )
        notes[:0] = choice.notes
        for raw in chosen:
            if raw in cols.counts and not cols.counts[raw]:
                raise DataError(f"{source}: column {raw!r} is empty (no values in any row)")

        known = [raw for raw in chosen if raw in cols.counts]
        empty_rows = frame[known].isna().all(axis=1) if known else None
        if empty_rows is not None and bool(empty_rows.any()):
            n = int(empty_rows.sum())
            comment = cols.named("comment")
            n_comments = int(frame.loc[empty_rows, comment[0]].notna().sum()) if comment else 0
            detail = f" ({n_comments} of them comment lines)" if n_comments else ""
            notes.append(f"skipped {n} row(s) with no values in the chosen columns{detail}")
            frame = frame[~empty_rows].reset_index(drop=True)
            lines = [n for n, empty in zip(lines, empty_rows.to_numpy(), strict=True) if not empty]
        frame = normalize_cells(frame, known, parsed.delimiter, notes)

        sample = _sample(header, cols, notes)
        units = _qd_units(cols, known)
        for key, unit in dict(options.pop("units", None) or {}).items():
            raw = cols.resolve(key) or key
            units.pop(raw, None)
            units[key] = unit
        comments: list[str] = []
        for raw in cols.named("comment"):
            comments = list(dict.fromkeys(cols.frame[raw].dropna().astype(str)))[:50]
        metadata: dict[str, Any] = {
            "format": "Quantum Design MultiVu",
            "instrument": _detect_instrument(header, [cols.parsed[r].name for r in cols.raw]),
            "mode": choice.mode,
            "header": header.fields,
            "columns_with_data": [raw for raw in cols.raw if cols.counts[raw]],
        }
        if choice.moment:
            metadata["moment_column"] = choice.moment
        if header.comments:
            metadata["header_comments"] = header.comments
        if header.titles:
            metadata["title_lines"] = header.titles
        if comments:
            metadata["comments"] = comments
        return build_table(
            frame,
            source=source,
            columns=chosen,
            units=units,
            sample=sample,
            metadata=metadata,
            notes=notes,
            lines=lines,
            **_passed(options),
        )


def _passed(options: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k in _PASSED_OPTIONS}
