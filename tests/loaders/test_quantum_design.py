"""Quantum Design MultiVu ``.dat`` files: MPMS3 (VSM, DC), MPMS-XL, PPMS resistivity, ETO.

Every fixture is written here, with the full column sets, CRLF line ends and cp1252 text of
the instruments' own files, and the quirks met in files from other labs (tabs with padding,
trailing commas, short rows, ``INF``, comment rows, commas inside INFO values).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pytest

from reanalyze.errors import ColumnError, DataError, OptionError
from reanalyze.loaders.quantum_design import QuantumDesignLoader

LOADER = QuantumDesignLoader()
load = LOADER.load

Cell = float | int | str
Row = Mapping[str, Cell]

# --------------------------------------------------------------------------- fixtures

MPMS3_COLUMNS = [
    "Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)", "Moment (emu)",
    "M. Std. Err. (emu)", "Transport Action", "Averaging Time (sec)", "Frequency (Hz)",
    "Peak Amplitude (mm)", "Center Position (mm)", "Lockin Signal' (V)",
    "Lockin Signal' [w/o ABG] (V)", "Range", "M. Quad. Signal (emu)", "M. Raw' (emu)",
    "M. Raw (emu)", "Min. Temperature (K)", "Max. Temperature (K)", "Min. Field (Oe)",
    "Max. Field (Oe)", "Mass (grams)", "Motor Lag (deg)", "Pressure (Torr)", "Measure Count",
    "Measurement Number", "SQUID Status (code)", "Motor Status (code)",
    "Measure Status (code)", "Motor Current (amps)", "Motor Temp. (C)", "Temp. Status (code)",
    "Field Status (code)", "Chamber Status (code)", "Chamber Temp (K)", "Redirection State",
    "Average Temp (K)", "Rotation Angle (deg)", "Rotator state", "DC Moment Fixed Ctr (emu)",
    "DC Moment Err Fixed Ctr (emu)", "DC Moment Free Ctr (emu)", "DC Moment Err Free Ctr (emu)",
    "DC Fixed Fit", "DC Free Fit", "DC Calculated Center (mm)", "DC Calculated Center Err (mm)",
    "DC Scan Length (mm)", "DC Scan Time (s)", "DC Number of Points", "DC Squid Drift",
    "DC Min V (V)", "DC Max V (V)", "DC Scans per Measure",
    *[f"Map {i:02d}" for i in range(1, 17)],
    "Sample Position (mm)", "Pressure Status (code)", "Temperature Rate (K/min)",
    "Field Rate (Oe/sec)", "Squid Range", "Auto Range Count", "Lockin Phase (deg)",
    "Lockin Gain", "Cal Factor", "Remnant Field (Oe)", "Sample Offset (mm)",
    "Sample Length (mm)", "Autotracking", "Level Meter (%)", "Helium Level (%)",
    "Bath Temp (K)", "Magnet Temp (K)", "Cryo Status (code)", "System Status (code)",
    "Firmware Flags (code)",
]  # fmt: skip

XL_COLUMNS = [
    "Time", "Comment", "Field (Oe)", "Temperature (K)", "Long Moment (emu)",
    "Long Scan Std Dev", "Long Algorithm", "Long Reg Fit", "Long Reg Factor",
    "Trans Moment (emu)", "Trans Scan Std Dev", "Trans Algorithm", "Trans Reg Fit",
    "Trans Reg Factor", "Long Offset (cm)", "Long Offset Std Dev", "Long Detrend",
    "Long Inst. Voltage", "Long Scans per Meas.", "Long Avg. Voltage", "Long Max. Voltage",
    "Delta Temp (K)", "Error", "EC Comp. Running", "Using ABS",
]  # fmt: skip

PPMS_COLUMNS = [
    "Comment", "Time Stamp (sec)", "Temperature (K)", "Field (Oe)", "Sample Position (deg)",
    "Chamber Pressure (torr)",
    *[c for n in range(1, 5) for c in (f"Bridge {n} Resistance (Ohms)", f"Bridge {n} Excitation (uA)")],
    *[f"Bridge {n} Resistivity (Ohm-cm)" for n in range(1, 5)],
    *[f"Bridge {n} Std. Dev. (Ohm-cm)" for n in range(1, 5)],
    "Number of Readings", "Status (code)", *[f"Map {i:02d}" for i in range(1, 9)],
]  # fmt: skip

ETO_PER_CHANNEL = [
    "Resistance {ch} (Ohms)", "Resistance Std. Dev. {ch} (Ohms)", "Phase Angle {ch} (deg)",
    "I-V Current {ch} (mA)", "I-V Voltage {ch} (V)", "Frequency {ch} (Hz)",
    "Averaging Time {ch} (sec)", "AC Current {ch} (mA)", "DC Current {ch} (mA)",
    "Current Ampl {ch} (mA)", "In Phase Voltage Ampl {ch} (V)", "Quadrature Voltage {ch} (V)",
    "AC Voltage {ch} (V)", "DC Voltage {ch} (V)", "Current Range {ch} (mA)", "Harmonic {ch}",
]  # fmt: skip
ETO_COLUMNS = [
    "Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
    "Sample Position (deg)", "Chamber Pressure (Torr)",
    *[c.format(ch=ch) for ch in ("Ch1", "Ch2") for c in ETO_PER_CHANNEL],
    "Temperature Status (code)", "Field Status (code)", "Chamber Status (code)",
]  # fmt: skip

TEMPS = [300.0 - 5.0 * i for i in range(40)]


def mpms3_header(
    *, material: str = "ErCo2", mass: str = "0.61", app: str = "MPMS3, 1.1.6 Build 42"
) -> list[str]:
    return [
        "[Header]",
        "; Quantum Design MPMS3 Data File",
        "TITLE,ErCo2 M(T) 1 T",
        f"BYAPP, {app}",
        "FILEOPENTIME, 5290.12, 05/12/2021, 3:04 pm",
        f"INFO,{material},SAMPLE_MATERIAL",
        "INFO,,SAMPLE_COMMENT",
        f"INFO,{mass},SAMPLE_MASS",
        "INFO,12.3,SAMPLE_VOLUME",
        "INFO,,SAMPLE_MOLECULAR_WEIGHT",
        "INFO,Straw,SAMPLE_HOLDER",
        "INFO,Sample 1 Comment,SAMPLE_HOLDER_DETAIL",
        "DATATYPE,COMMENT,1",
        "DATATYPE,TIME,2",
        "FIELDGROUP,MPMS3,2,3,4,5,6,7",
        "STARTUPAXIS,X,3",
        "STARTUPAXIS,Y1,5",
    ]


def vsm_row(i: int, temperature: float, field: float = 10000.0) -> dict[str, Cell]:
    moment = 0.05 + 1.0 / temperature
    return {
        "Time Stamp (sec)": 5290.1 + 7.3 * i,
        "Temperature (K)": temperature,
        "Magnetic Field (Oe)": field,
        "Moment (emu)": moment,
        "M. Std. Err. (emu)": 1.2e-6,
        "Transport Action": 1,
        "Averaging Time (sec)": 1,
        "Frequency (Hz)": 14,
        "Peak Amplitude (mm)": 2,
        "Center Position (mm)": 35.12,
        "Lockin Signal' (V)": moment * 0.9,
        "Lockin Signal' [w/o ABG] (V)": moment * 0.91,
        "Range": 1,
        "M. Quad. Signal (emu)": 3e-7,
        "M. Raw' (emu)": moment * 1.01,
        "M. Raw (emu)": moment * 1.01,
        "Min. Temperature (K)": temperature - 0.01,
        "Max. Temperature (K)": temperature + 0.01,
        "Min. Field (Oe)": field - 0.2,
        "Max. Field (Oe)": field + 0.2,
        "Motor Lag (deg)": 12.5,
        "Pressure (Torr)": 4.8,
        "Measure Count": 1,
        "Measurement Number": i + 1,
        "SQUID Status (code)": 0,
        "Motor Status (code)": 0,
        "Measure Status (code)": 0,
        "Motor Current (amps)": 0.21,
        "Motor Temp. (C)": 29.3,
        "Temp. Status (code)": 1,
        "Field Status (code)": 4,
        "Chamber Status (code)": 5,
        "Chamber Temp (K)": temperature + 0.3,
        "Redirection State": 0,
        "Average Temp (K)": temperature,
        "Sample Position (mm)": 66.0,
        "Temperature Rate (K/min)": 2,
        "Field Rate (Oe/sec)": 0,
        "Helium Level (%)": 71.5,
    }


def dc_row(i: int, temperature: float, field: float = 10000.0) -> dict[str, Cell]:
    vsm_only = ("Moment", "M. ", "Lockin", "Frequency", "Peak", "Range")
    row = {k: v for k, v in vsm_row(i, temperature, field).items() if not k.startswith(vsm_only)}
    moment = 0.05 + 1.0 / temperature
    row.update({
        "Transport Action": 6,
        "Measurement Number": i + 1,
        "Measure Count": 1,
        "DC Moment Fixed Ctr (emu)": moment * 0.99,
        "DC Moment Err Fixed Ctr (emu)": 2e-6,
        "DC Moment Free Ctr (emu)": moment,
        "DC Moment Err Free Ctr (emu)": 3e-6,
        "DC Fixed Fit": 0.998,
        "DC Free Fit": 0.999,
        "DC Calculated Center (mm)": 0.05,
        "DC Calculated Center Err (mm)": 0.01,
        "DC Scan Length (mm)": 30,
        "DC Scan Time (s)": 4,
        "DC Number of Points": 400,
        "DC Squid Drift": 0.0,
        "DC Min V (V)": -0.8,
        "DC Max V (V)": 0.9,
        "DC Scans per Measure": 1,
        **{f"Map {n:02d}": 0.1 * n for n in range(1, 17)},
    })  # fmt: skip
    return row


def fmt(value: Cell) -> str:
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_multivu(
    path: Path,
    header: Sequence[str],
    columns: Sequence[str],
    rows: Sequence[Row],
    *,
    sep: str = ",",
    pad: str = "",
    newline: str = "\r\n",
    encoding: str = "cp1252",
    trailing: bool = False,
) -> Path:
    """Write a MultiVu file the way the instruments do (CRLF, cp1252, every column)."""
    end = sep if trailing else ""
    lines = [*header, "[Data]", sep.join(f"{pad}{c}{pad}" for c in columns) + end]
    for row in rows:
        lines.append(sep.join(f"{pad}{fmt(row.get(c, ''))}{pad}" for c in columns) + end)
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def vsm_file(path: Path, **kwargs: object) -> Path:
    header = mpms3_header(**{k: v for k, v in kwargs.items() if k in ("material", "mass")})  # type: ignore[arg-type]
    rows = [vsm_row(i, t) for i, t in enumerate(TEMPS)]
    extra = {k: v for k, v in kwargs.items() if k not in ("material", "mass")}
    return write_multivu(path, header, MPMS3_COLUMNS, rows, **extra)  # type: ignore[arg-type]


def dc_file(path: Path) -> Path:
    rows = [dc_row(i, t) for i, t in enumerate(TEMPS)]
    return write_multivu(path, mpms3_header(), MPMS3_COLUMNS, rows)


def notes(table: object) -> str:
    return " | ".join(table.metadata["notes"])  # type: ignore[attr-defined]


# ------------------------------------------------------------------ magnetometry


def test_mpms3_vsm_picks_temperature_field_and_moment(tmp_path: Path) -> None:
    table = load(vsm_file(tmp_path / "ErCo2_MvsT.dat"))
    assert table.columns == ["Temperature", "Magnetic Field", "Moment"]
    assert [table.unit(c) for c in table.columns] == ["K", "Oe", "emu"]
    assert table.find("magnetic_moment") == ["Moment"]
    np.testing.assert_allclose(table.values("Temperature"), TEMPS)
    np.testing.assert_allclose(table.values("Magnetic Field", "T"), 1.0)
    np.testing.assert_allclose(table.values("Moment"), [0.05 + 1 / t for t in TEMPS])
    meta = table.metadata
    assert (meta["instrument"], meta["mode"], meta["moment_column"]) == (
        "MPMS3",
        "VSM",
        "Moment (emu)",
    )
    assert "moment column: 'Moment (emu)' (VSM mode)" in notes(table)
    assert meta["format"] == "Quantum Design MultiVu"
    assert "DC Moment Free Ctr (emu)" not in meta["columns_with_data"]


def test_mpms3_dc_file_uses_free_center_and_says_so(tmp_path: Path) -> None:
    table = load(dc_file(tmp_path / "dc.dat"))
    assert table.columns == ["Temperature", "Magnetic Field", "DC Moment Free Ctr"]
    assert table.kind("DC Moment Free Ctr") == "magnetic_moment"
    np.testing.assert_allclose(table.values("DC Moment Free Ctr", "A*m**2"), [
        1e-3 * (0.05 + 1 / t) for t in TEMPS
    ])  # fmt: skip
    assert table.metadata["mode"] == "DC"
    assert table.metadata["moment_column"] == "DC Moment Free Ctr (emu)"
    first = table.metadata["notes"][0]
    assert first.startswith("moment column: 'DC Moment Free Ctr (emu)'")
    assert "'Moment (emu)' is empty" in first


def test_dc_fixed_center_when_free_center_is_empty(tmp_path: Path) -> None:
    rows = [
        {k: v for k, v in dc_row(i, t).items() if k != "DC Moment Free Ctr (emu)"}
        for i, t in enumerate(TEMPS)
    ]
    path = write_multivu(tmp_path / "fixed.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    table = load(path)
    assert table.columns[-1] == "DC Moment Fixed Ctr"
    note = table.metadata["notes"][0]
    assert "'Moment (emu)'" in note and "'DC Moment Free Ctr (emu)'" in note
    assert "are empty" in note


def test_moment_column_override(tmp_path: Path) -> None:
    path = dc_file(tmp_path / "dc.dat")
    for wanted in ("DC Moment Fixed Ctr", "DC Moment Fixed Ctr (emu)", "dc moment fixed ctr"):
        table = load(path, moment_column=wanted)
        assert table.columns == ["Temperature", "Magnetic Field", "DC Moment Fixed Ctr"]
        assert table.metadata["moment_column"] == "DC Moment Fixed Ctr (emu)"
        assert table.metadata["mode"] == "DC"
        assert "'DC Moment Fixed Ctr (emu)' (moment_column option)" in notes(table)


def test_moment_column_with_explicit_columns(tmp_path: Path) -> None:
    path = dc_file(tmp_path / "dc.dat")
    table = load(path, columns=["Temperature"], moment_column="DC Moment Fixed Ctr")
    assert table.columns == ["Temperature", "DC Moment Fixed Ctr"]
    assert table.metadata["moment_column"] == "DC Moment Fixed Ctr (emu)"
    assert table.metadata["mode"] == "DC"
    plain = load(path, columns=["Temperature", "DC Moment Free Ctr"], delimiter=None)
    assert plain.metadata["moment_column"] == "DC Moment Free Ctr (emu)"


def test_moment_column_errors(tmp_path: Path) -> None:
    path = dc_file(tmp_path / "dc.dat")
    with pytest.raises(DataError, match=r"moment_column 'Moment \(emu\)' is empty"):
        load(path, moment_column="Moment")
    with pytest.raises(ColumnError, match=r"moment_column 'Magnetisation' is not a column"):
        load(path, moment_column="Magnetisation")
    with pytest.raises(DataError, match=r"moment_column 'M\. Raw \(emu\)' is empty"):
        load(path, moment_column="M. Raw")


def test_mixed_vsm_and_dc_rows_pick_the_larger_and_mention_the_other(tmp_path: Path) -> None:
    rows = [vsm_row(i, t) for i, t in enumerate(TEMPS[:30])]
    rows += [dc_row(i, t) for i, t in enumerate(TEMPS[30:])]
    path = write_multivu(tmp_path / "mixed.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    table = load(path)
    assert table.metadata["mode"] == "VSM" and len(table) == 30
    assert "DC data also present ('DC Moment Free Ctr (emu)', 10 values)" in notes(table)
    assert "dropped 10 row(s) with NaN/inf" in notes(table)
    assert len(load(path, moment_column="DC Moment Free Ctr")) == 10


def test_mpms_xl_long_moment(tmp_path: Path) -> None:
    header = [
        "[Header]",
        "; Quantum Design MPMS MultiVu Data File",
        "TITLE,Fe3O4 ZFC",
        "BYAPP,MPMSR2,2.00",
        "FILEOPENTIME,3345345345.25,01/03/2006,9:12 am",
        "INFO,Fe3O4 nanoparticles,SAMPLE_MATERIAL",
        "INFO,2.35,SAMPLE_MASS",
        "DATATYPE,COMMENT,2",
        "DATATYPE,TIME,1",
    ]
    rows = []
    for i, t in enumerate(TEMPS):
        rows.append({
            "Time": 3345345400.0 + 60 * i, "Field (Oe)": 100.0, "Temperature (K)": t,
            "Long Moment (emu)": 1e-3 * t / 300, "Long Scan Std Dev": 1e-6,
            "Long Algorithm": 1, "Long Reg Fit": 0.99, "Long Reg Factor": 0.9,
            "Long Offset (cm)": 0.01, "Long Offset Std Dev": 0.001, "Long Detrend": 1,
            "Delta Temp (K)": 0.01, "Error": 0, "EC Comp. Running": 0, "Using ABS": 0,
        })  # fmt: skip
    path = write_multivu(tmp_path / "xl.dat", header, XL_COLUMNS, rows)
    table = load(path)
    assert table.columns == ["Temperature", "Field", "Long Moment"]
    np.testing.assert_allclose(table.values("Field", "T"), 0.01)
    np.testing.assert_allclose(table.values("Field", "A/m"), 100 * 1000 / (4 * math.pi))
    meta = table.metadata
    assert (meta["instrument"], meta["mode"]) == ("MPMS", "DC")
    assert "moment column: 'Long Moment (emu)' (MPMS-XL DC mode)" in notes(table)
    assert table.sample is not None and table.sample.mass == pytest.approx(2.35)
    assert table.sample.material == "Fe3O4 nanoparticles"


def test_ppms_acms_ac_susceptibility(tmp_path: Path) -> None:
    columns = ["Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
               "Amplitude (Oe)", "Frequency (Hz)", "M' (emu)", "M'' (emu)", "M-Std.Dev. (emu)",
               "M-DC (emu)", "Status (code)"]  # fmt: skip
    rows = [
        {"Temperature (K)": t, "Magnetic Field (Oe)": 0.0, "Amplitude (Oe)": 10.0,
         "Frequency (Hz)": f, "M' (emu)": 1e-4 / t, "M'' (emu)": 1e-6 / t, "Status (code)": 0}
        for t in TEMPS[:10] for f in (10.0, 1000.0)
    ]  # fmt: skip
    header = ["[Header]", "; PPMS ACMS data file", "BYAPP,ACMS,1.2"]
    table = load(write_multivu(tmp_path / "ac.dat", header, columns, rows))
    assert table.metadata["mode"] == "AC"
    assert table.metadata["instrument"] == "PPMS"
    assert table.columns == ["Temperature", "Magnetic Field", "Frequency", "M'", "M''"]
    assert len(table) == 20


# --------------------------------------------------------------------- transport


def ppms_rows(n_bridges: int = 2) -> list[dict[str, Cell]]:
    rows = []
    for i, t in enumerate(TEMPS):
        row: dict[str, Cell] = {
            "Time Stamp (sec)": 1000.0 + i,
            "Temperature (K)": t,
            "Field (Oe)": 90000.0,
            "Sample Position (deg)": 0.0,
            "Chamber Pressure (torr)": 5.2,
            "Number of Readings": 25,
            "Status (code)": 0,
        }
        for n in range(1, n_bridges + 1):
            row[f"Bridge {n} Resistance (Ohms)"] = 0.1 * n + 1e-4 * t
            row[f"Bridge {n} Excitation (uA)"] = 100.0
        rows.append(row)
    return rows


def test_ppms_resistivity_loads_channels_with_data(tmp_path: Path) -> None:
    header = ["[Header]", "; Quantum Design PPMS Resistivity Data File", "TITLE,CeRhIn5 R(T)",
              "BYAPP,Resistivity,1.4.2", "FILEOPENTIME,3650000000.5,09/01/2015,11:02 am",
              "INFO,CeRhIn5,SAMPLE_MATERIAL"]  # fmt: skip
    path = write_multivu(tmp_path / "rho.dat", header, PPMS_COLUMNS, ppms_rows(2))
    table = load(path)
    assert table.columns == [
        "Temperature",
        "Field",
        "Bridge 1 Resistance",
        "Bridge 2 Resistance",
    ]
    assert table.kind("Bridge 2 Resistance") == "resistance"
    assert table.unit("Bridge 1 Resistance") == "ohm"
    np.testing.assert_allclose(table.values("Field", "T"), 9.0)
    np.testing.assert_allclose(table.values("Bridge 2 Resistance", "mohm"), [
        1e3 * (0.2 + 1e-4 * t) for t in TEMPS
    ])  # fmt: skip
    meta = table.metadata
    assert (meta["instrument"], meta["mode"]) == ("PPMS", "resistivity")
    assert "moment_column" not in meta
    assert table.sample is not None and table.sample.material == "CeRhIn5"
    assert table.sample.mass is None


def test_eto_dynacool_channels_and_a_sparse_channel_left_out(tmp_path: Path) -> None:
    header = ["[Header]", "; Quantum Design DynaCool ETO Data File",
              "BYAPP,Electrical Transport Option,1.3", "INFO,Sample 1 Material,SAMPLE_MATERIAL"]  # fmt: skip
    rows = []
    for i, t in enumerate(TEMPS):
        row: dict[str, Cell] = {
            "Time Stamp (sec)": 5.0 * i, "Temperature (K)": t, "Magnetic Field (Oe)": -20000.0,
            "Sample Position (deg)": 90.0, "Chamber Pressure (Torr)": 3.1,
            "Resistance Ch1 (Ohms)": 12.5 + 0.01 * t, "Resistance Std. Dev. Ch1 (Ohms)": 0.001,
            "Phase Angle Ch1 (deg)": 0.2, "I-V Current Ch1 (mA)": 0.1, "Frequency Ch1 (Hz)": 17.1,
            "Harmonic Ch1": 1, "Temperature Status (code)": 1, "Field Status (code)": 4,
        }  # fmt: skip
        if i % 8 == 0:
            row["Resistance Ch2 (Ohms)"] = 3.0
        rows.append(row)
    table = load(write_multivu(tmp_path / "eto.dat", header, ETO_COLUMNS, rows))
    assert table.columns == ["Temperature", "Magnetic Field", "Resistance Ch1"]
    assert len(table) == len(TEMPS)
    np.testing.assert_allclose(table.values("Magnetic Field", "T"), -2.0)
    meta = table.metadata
    assert (meta["instrument"], meta["mode"]) == ("DynaCool", "ETO")
    assert "left out 'Resistance Ch2 (Ohms)'" in notes(table)
    assert table.sample is None  # "Sample 1 Material" is MultiVu's placeholder
    both = load(tmp_path / "eto.dat", columns=["Temperature", "Resistance Ch1", "Resistance Ch2"])
    assert len(both) == 5
    assert both.metadata["mode"] == "ETO"


# -------------------------------------------------------------------- header facts


def test_header_metadata_and_sample(tmp_path: Path) -> None:
    path = vsm_file(tmp_path / "m.dat", material="ErCo2, batch 3, polished")
    table = load(path)
    head = table.metadata["header"]
    assert head["SAMPLE_MATERIAL"] == "ErCo2, batch 3, polished"
    assert head["SAMPLE_MASS"] == "0.61"
    assert head["SAMPLE_VOLUME"] == "12.3"
    assert head["SAMPLE_COMMENT"] == ""
    assert head["SAMPLE_HOLDER"] == "Straw"
    assert head["BYAPP"] == "MPMS3, 1.1.6 Build 42"
    assert head["FILEOPENTIME"] == "5290.12, 05/12/2021, 3:04 pm"
    assert head["TITLE"] == "ErCo2 M(T) 1 T"
    assert "DATATYPE" not in head
    assert table.metadata["header_comments"] == ["Quantum Design MPMS3 Data File"]
    assert table.sample is not None
    assert table.sample.material == "ErCo2, batch 3, polished"
    assert table.sample.mass == pytest.approx(0.61) and table.sample.mass_unit == "mg"
    magnetization = table.normalize_by_mass("Moment")
    np.testing.assert_allclose(
        magnetization.values("Moment", "emu/g")[0], (0.05 + 1 / 300) / 0.61e-3
    )


@pytest.mark.parametrize(
    ("text", "mass", "note"),
    [
        ("0.61", 0.61, None),
        ("12", 12.0, None),
        ("  3.25 ", 3.25, None),
        ("1.5 mg", 1.5, None),
        ("0.0021 g", 2.1, None),
        ("0,61", 0.61, "read as 0.61 mg (decimal comma)"),
        ("0", None, "sample mass '0' (SAMPLE_MASS) is not a positive number"),
        ("unknown", None, "sample mass 'unknown' (SAMPLE_MASS) is not a number"),
        ("", None, None),
    ],
)
def test_sample_mass_variants(
    tmp_path: Path, text: str, mass: float | None, note: str | None
) -> None:
    table = load(vsm_file(tmp_path / "m.dat", mass=text))
    assert table.sample is not None  # the material is known in every case
    assert table.sample.mass == (pytest.approx(mass) if mass is not None else None)
    if note:
        assert note in notes(table)
    else:
        assert "sample mass" not in notes(table)


def test_mass_column_used_when_the_header_has_none(tmp_path: Path) -> None:
    rows = [{**vsm_row(i, t), "Mass (grams)": 0.00061} for i, t in enumerate(TEMPS)]
    header = [h for h in mpms3_header() if "SAMPLE_MASS" not in h]
    table = load(write_multivu(tmp_path / "m.dat", header, MPMS3_COLUMNS, rows))
    assert table.sample is not None and table.sample.mass == pytest.approx(0.61)
    assert "taken from the column 'Mass (grams)'" in notes(table)


# ---------------------------------------------------------------- file variants


def test_tab_separated_padded_lf_utf8_gives_the_same_table(tmp_path: Path) -> None:
    reference = load(vsm_file(tmp_path / "comma.dat"))
    padded = vsm_file(tmp_path / "tabs.dat", sep="\t", pad="  ", newline="\n", encoding="utf-8")
    table = load(padded)
    assert table.columns == reference.columns
    for column in table.columns:
        np.testing.assert_array_equal(table.values(column), reference.values(column))
    assert table.sample == reference.sample


def test_trailing_empty_column_and_short_rows(tmp_path: Path) -> None:
    path = vsm_file(tmp_path / "trailing.dat", trailing=True)
    table = load(path)
    assert table.columns == ["Temperature", "Magnetic Field", "Moment"]
    assert len(table) == len(TEMPS)
    # rows cut short after the moment, and a header without the trailing comma
    lines = path.read_bytes().decode("cp1252").split("\r\n")
    start = lines.index("[Data]")
    lines[start + 1] = lines[start + 1].rstrip(",")
    for k in range(start + 2, start + 12):
        lines[k] = ",".join(lines[k].split(",")[:5])
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    assert len(load(path)) == len(TEMPS)


def test_inf_nan_rows_dropped_and_comment_rows_skipped(tmp_path: Path) -> None:
    rows: list[dict[str, Cell]] = [{"Comment": "Sequence started: ramp 2 K/min"}]
    for i, t in enumerate(TEMPS):
        row = vsm_row(i, t)
        if i in (3, 4):
            row["Moment (emu)"] = "INF" if i == 3 else "-INF"
        if i == 5:
            row["Temperature (K)"] = "NaN"
        if i == 6:
            row["Moment (emu)"] = "-1.#IND"
        if i == 7:
            row["Moment (emu)"] = "1.#INF"
        rows.append(row)
        if i == 20:
            rows.append({"Comment": '"Field set, waiting"'})
    path = write_multivu(tmp_path / "inf.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    table = load(path)
    assert len(table) == len(TEMPS) - 5
    assert "dropped 5 row(s) with NaN/inf in the chosen columns" in notes(table)
    assert "skipped 2 row(s) with no values in the chosen columns (2 of them comment lines)" in (
        notes(table)
    )
    assert table.metadata["comments"] == ["Sequence started: ramp 2 K/min", "Field set, waiting"]
    assert np.isfinite(table.data.to_numpy()).all()
    with pytest.raises(DataError, match=r"5 row\(s\) with NaN/inf"):
        load(path, nonfinite="error")


def test_unquoted_comma_in_a_comment_is_kept_in_the_comment(tmp_path: Path) -> None:
    rows: list[dict[str, Cell]] = [
        {**vsm_row(i, t), "Comment": "warming, 2 K/min" if i == 2 else ""}
        for i, t in enumerate(TEMPS)
    ]
    path = write_multivu(tmp_path / "c.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    table = load(path)
    np.testing.assert_allclose(table.values("Temperature"), TEMPS)
    assert table.metadata["comments"] == ["warming, 2 K/min"]
    assert "commas inside the Comment" in notes(table)


def test_cp1252_degree_sign_and_latin1_text(tmp_path: Path) -> None:
    columns = ["Comment", "Time Stamp (sec)", "Temperature (K)", "Magnetic Field (Oe)",
               "Sample Position (°)", "Moment (emu)", "Motor Temp. (°C)"]  # fmt: skip
    header = [*mpms3_header(material="Gd5Si2Ge2 – arc-melted"),
              "INFO,annealed 900 °C, µ-metal shield,SAMPLE_PREP"]  # fmt: skip
    rows = [
        {"Temperature (K)": t, "Magnetic Field (Oe)": 500.0, "Sample Position (°)": 45.0,
         "Moment (emu)": 0.001, "Motor Temp. (°C)": 30.0}
        for t in TEMPS[:5]
    ]  # fmt: skip
    path = write_multivu(tmp_path / "deg.dat", header, columns, rows, encoding="cp1252")
    table = load(path, columns=["Temperature", "Sample Position", "Moment", "Motor Temp."])
    assert table.unit("Sample Position") == "degree"
    assert table.kind("Sample Position") == "angle"
    np.testing.assert_allclose(table.values("Motor Temp.", "K"), 303.15)
    assert table.metadata["header"]["SAMPLE_PREP"] == "annealed 900 °C, µ-metal shield"
    assert table.sample is not None and table.sample.material == "Gd5Si2Ge2 – arc-melted"


def test_user_columns_with_multivu_unit_spellings(tmp_path: Path) -> None:
    path = vsm_file(tmp_path / "m.dat")
    table = load(
        path,
        columns=["Temperature (K)", "Motor Temp.", "Motor Current", "Pressure", "SQUID Status"],
        rename={"Temperature": "T"},
    )
    assert table.columns == ["T", "Motor Temp.", "Motor Current", "Pressure", "SQUID Status"]
    assert table.kind("Motor Temp.") == "temperature"  # (C) is Celsius, not coulomb
    np.testing.assert_allclose(table.values("Motor Temp.", "K"), 29.3 + 273.15)
    assert table.kind("Motor Current") == "current"  # (amps) is not attometre per second
    np.testing.assert_allclose(table.values("Motor Current", "mA"), 210.0)
    np.testing.assert_allclose(table.values("Pressure"), 4.8)
    assert table.unit("Pressure") == "torr"
    assert table.kind("SQUID Status") == "dimensionless"
    assert table.metadata["mode"] == "VSM"
    assert not any(n.startswith("moment column") for n in table.metadata["notes"])


def test_prefixed_ohms_hyphenated_units_and_ordinal_degree_sign(tmp_path: Path) -> None:
    columns = ["Comment", "Temperature (K)", "Field (Oe)", "Resistance Ch1 (mOhm)",
               "Resistivity Ch1 (uOhm-cm)", "Rotator Angle (º)", "Thermal Cond. (W/K-m)"]  # fmt: skip
    rows = [
        {"Temperature (K)": t, "Field (Oe)": 0.0, "Resistance Ch1 (mOhm)": 2.0,
         "Resistivity Ch1 (uOhm-cm)": 5.0, "Rotator Angle (º)": 90.0,
         "Thermal Cond. (W/K-m)": 1.5}
        for t in TEMPS[:6]
    ]  # fmt: skip
    path = write_multivu(tmp_path / "units.dat", ["[Header]", "BYAPP,ACT,1.0"], columns, rows)
    table = load(path)
    assert table.columns == ["Temperature", "Field", "Resistance Ch1"]
    assert table.metadata["mode"] == "ACT"
    np.testing.assert_allclose(table.values("Resistance Ch1", "ohm"), 2e-3)
    more = load(path, columns=["Resistivity Ch1", "Rotator Angle", "Thermal Cond."])
    np.testing.assert_allclose(more.values("Resistivity Ch1", "ohm*m"), 5e-8)
    assert more.kind("Rotator Angle") == "angle"
    np.testing.assert_allclose(more.values("Thermal Cond.", "mW/(K*cm)"), 15.0)


def test_user_units_override_the_multivu_spelling(tmp_path: Path) -> None:
    table = load(vsm_file(tmp_path / "m.dat"), columns=["Motor Temp."], units={"Motor Temp.": "K"})
    np.testing.assert_allclose(table.values("Motor Temp."), 29.3)


def test_concatenated_files_and_duplicate_headers(tmp_path: Path) -> None:
    columns = ["Comment", "Temperature (K)", "Magnetic Field (Oe)", "Moment (emu)", "Moment (emu)"]
    rows = [{"Temperature (K)": t, "Magnetic Field (Oe)": 1.0, "Moment (emu)": 1e-3}
            for t in TEMPS[:4]]  # fmt: skip
    first = write_multivu(tmp_path / "a.dat", mpms3_header(), columns, rows)
    second = write_multivu(tmp_path / "b.dat", mpms3_header(), columns, rows[:2])
    both = tmp_path / "both.dat"
    both.write_bytes(first.read_bytes() + second.read_bytes())
    table = load(both)
    assert len(table) == 4  # the two repeated rows are exact duplicates
    text = notes(table)
    assert "2 [Data] sections" in text
    assert "'Moment (emu)' → 'Moment #2 (emu)'" in text
    assert "dropped 2 exact duplicate row(s)" in text


def test_spreadsheet_resaved_file(tmp_path: Path) -> None:
    """Excel pads every line to the widest one and quotes values holding commas."""
    width = len(MPMS3_COLUMNS)
    header = [h.replace("INFO,ErCo2,", 'INFO,"ErCo2, arc-melted",') for h in mpms3_header()]
    header = [h + "," * (width - 1 - h.count(",")) for h in header]
    rows = [vsm_row(i, t) for i, t in enumerate(TEMPS)]
    path = write_multivu(tmp_path / "excel.dat", header, MPMS3_COLUMNS, rows, newline="\n")
    text = path.read_text(encoding="cp1252").replace(
        "[Data]\n", "[Data]" + "," * (width - 1) + "\n"
    )
    path.write_text(text, encoding="cp1252")
    table = load(path)
    assert table.columns == ["Temperature", "Magnetic Field", "Moment"]
    assert table.sample is not None and table.sample.material == "ErCo2, arc-melted"
    assert table.sample.mass == pytest.approx(0.61)
    assert table.metadata["header"]["BYAPP"] == "MPMS3, 1.1.6 Build 42"


def test_decimal_commas_in_a_tab_separated_file(tmp_path: Path) -> None:
    rows = [
        {k: (repr(v).replace(".", ",") if isinstance(v, float) else v) for k, v in r.items()}
        for r in (vsm_row(i, t) for i, t in enumerate(TEMPS))
    ]
    path = write_multivu(tmp_path / "de.dat", mpms3_header(), MPMS3_COLUMNS, rows, sep="\t")
    table = load(path)
    np.testing.assert_allclose(table.values("Temperature"), TEMPS)
    assert "decimal commas read as points" in notes(table)


def test_ppms_heat_capacity(tmp_path: Path) -> None:
    columns = ["Comment", "Time Stamp (sec)", "PPMS Status", "Puck Temp (Kelvin)",
               "System Temp (Kelvin)", "Field (Oersted)", "Pressure (Torr)",
               "Sample Temp (Kelvin)", "Temp Rise (Kelvin)", "Samp HC (µJ/K)",
               "Samp HC Err (µJ/K)", "Addenda HC (µJ/K)", "Total HC (µJ/K)"]  # fmt: skip
    rows = [
        {"Time Stamp (sec)": 10.0 * i, "PPMS Status": 0, "Puck Temp (Kelvin)": t - 0.1,
         "System Temp (Kelvin)": t - 0.2, "Field (Oersted)": 0.0, "Sample Temp (Kelvin)": t,
         "Temp Rise (Kelvin)": 0.02 * t, "Samp HC (µJ/K)": 0.5 * t, "Samp HC Err (µJ/K)": 0.01}
        for i, t in enumerate(TEMPS[::-1])
    ]  # fmt: skip
    header = ["[Header]", "; Heat Capacity Data File", "BYAPP,HeatCapacity,1.2"]
    table = load(write_multivu(tmp_path / "hc.dat", header, columns, rows))
    assert table.columns == ["Sample Temp", "Field", "Samp HC"]
    assert table.unit("Sample Temp") == "K" and table.unit("Field") == "Oe"
    np.testing.assert_allclose(table.values("Samp HC", "J/K"), [0.5e-6 * t for t in TEMPS[::-1]])
    assert (table.metadata["instrument"], table.metadata["mode"]) == ("PPMS", "heat capacity")


def test_unclosed_quote_stays_on_its_line(tmp_path: Path) -> None:
    rows = [{**vsm_row(i, t), "Comment": '"moved up 2 mm' if i == 4 else ""} for i, t in
            enumerate(TEMPS)]  # fmt: skip
    table = load(write_multivu(tmp_path / "q.dat", mpms3_header(), MPMS3_COLUMNS, rows))
    np.testing.assert_allclose(table.values("Temperature"), TEMPS)


def test_later_data_section_with_other_columns_is_ignored(tmp_path: Path) -> None:
    first = vsm_file(tmp_path / "a.dat")
    other = write_multivu(tmp_path / "b.dat", mpms3_header(), MPMS3_COLUMNS[:10], [{}])
    both = tmp_path / "both.dat"
    both.write_bytes(first.read_bytes() + other.read_bytes())
    table = load(both)
    assert len(table) == len(TEMPS)
    assert "a later [Data] section has other columns" in notes(table)


# ------------------------------------------------------------------------- errors


def test_file_without_data_section(tmp_path: Path) -> None:
    path = tmp_path / "header_only.dat"
    path.write_bytes(b"[Header]\r\nBYAPP, MPMS3, 1.1.6\r\nINFO,0.61,SAMPLE_MASS\r\n")
    with pytest.raises(DataError, match=r"header_only\.dat: no \[Data\] section found") as err:
        load(path)
    assert "\n" not in str(err.value)


def test_data_section_without_header_or_rows(tmp_path: Path) -> None:
    path = tmp_path / "x.dat"
    path.write_text("[Header]\nBYAPP,MPMS3,1\n[Data]\n\n")
    with pytest.raises(DataError, match=r"x\.dat: the \[Data\] section has no column header line"):
        load(path)
    path.write_text("[Header]\n[Data]\nComment,Temperature (K),Moment (emu)\n,,\n\n")
    with pytest.raises(
        DataError, match=r"x\.dat: the \[Data\] section has a header line but no data"
    ):
        load(path)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load(tmp_path / "nope.dat")
    (tmp_path / "empty.dat").write_bytes(b"\r\n  \r\n")
    with pytest.raises(DataError, match="file is empty"):
        load(tmp_path / "empty.dat")


def test_chosen_column_that_is_empty(tmp_path: Path) -> None:
    path = dc_file(tmp_path / "dc.dat")
    with pytest.raises(DataError, match=r"dc\.dat: column 'Moment \(emu\)' is empty"):
        load(path, columns=["Temperature", "Moment"])
    rows = [{**dc_row(i, t), "Temperature (K)": "", "Average Temp (K)": ""}
            for i, t in enumerate(TEMPS)]  # fmt: skip
    with pytest.raises(DataError, match=r"temperature column 'Temperature \(K\)' is empty"):
        load(write_multivu(tmp_path / "no_t.dat", mpms3_header(), MPMS3_COLUMNS, rows))


def test_average_temperature_used_when_temperature_is_empty(tmp_path: Path) -> None:
    rows = [{**dc_row(i, t), "Temperature (K)": ""} for i, t in enumerate(TEMPS)]
    table = load(write_multivu(tmp_path / "avg.dat", mpms3_header(), MPMS3_COLUMNS, rows))
    assert table.columns[0] == "Average Temp"


def test_unknown_option_and_unknown_column(tmp_path: Path) -> None:
    path = vsm_file(tmp_path / "m.dat")
    with pytest.raises(OptionError, match="unknown option.*delimiter"):
        load(path, delimiter=",")
    with pytest.raises(ColumnError, match="unknown column 'Susceptibility'"):
        load(path, columns=["Temperature", "Susceptibility"])


# ------------------------------------------------------ truncated writes, bad numbers


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
@pytest.mark.parametrize("sep", [",", "\t"])
@pytest.mark.parametrize("keep", [3, 5, 12])
def test_truncated_last_line_is_dropped_naming_it(
    tmp_path: Path, newline: str, sep: str, keep: int
) -> None:
    path = vsm_file(tmp_path / "cut.dat", sep=sep, newline=newline, encoding="utf-8")
    text = path.read_bytes().decode("utf-8").removesuffix(newline)
    lines = text.split(newline)
    fields = lines[-1].split(sep)[:keep]
    fields[-1] = fields[-1][:4]  # cut mid-number, e.g. 0.06 of 0.0612...
    path.write_bytes(newline.join([*lines[:-1], sep.join(fields)]).encode())
    table = load(path)
    assert len(table) == len(TEMPS) - 1
    np.testing.assert_allclose(table.values("Moment"), [0.05 + 1 / t for t in TEMPS[:-1]])
    assert (
        f"dropped the last line, line {len(lines)}: {keep} of {len(MPMS3_COLUMNS)} fields and "
        "no line end (a truncated write)"
    ) in notes(table)
    # complete, but without its line end: kept
    path.write_bytes(text.encode())
    assert len(load(path)) == len(TEMPS)


def test_truncated_last_line_in_a_file_of_short_rows(tmp_path: Path) -> None:
    header = ["[Data]", "Comment,Temperature (K),Magnetic Field (Oe),Moment (emu),Extra (V)"]
    rows = [f",{t},1000,{0.01 * k}" for k, t in enumerate(TEMPS[:4], 1)]  # no Extra: short
    path = tmp_path / "short.dat"
    path.write_text("\n".join([*header, *rows]), encoding="utf-8")  # no line end, same width
    assert len(load(path)) == 4
    path.write_text("\n".join([*header, *rows, ",100,10"]), encoding="utf-8")
    table = load(path)
    assert len(table) == 4
    assert "dropped the last line, line 7: 3 of 5 fields and no line end" in notes(table)


def test_temperature_below_absolute_zero_is_refused_naming_the_line(tmp_path: Path) -> None:
    rows = [vsm_row(i, t) for i, t in enumerate(TEMPS)]
    rows[7]["Temperature (K)"] = -2.5
    path = write_multivu(tmp_path / "neg.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    data_line = len(mpms3_header()) + 2 + 8  # [Data] and header lines, then the 8th row
    with pytest.raises(DataError) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message == (
        f"{path}: column 'Temperature (K)': -2.5 K is below absolute zero (line {data_line})"
    )


def test_non_numeric_and_overflowing_cells_name_the_line(tmp_path: Path) -> None:
    rows = [vsm_row(i, t) for i, t in enumerate(TEMPS)]
    rows[2]["Moment (emu)"] = "0.0l2"
    path = write_multivu(tmp_path / "bad.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    line = len(mpms3_header()) + 2 + 3
    with pytest.raises(ColumnError, match=rf"line {line}: column 'Moment \(emu\)' holds non-num"):
        load(path)
    rows[2]["Moment (emu)"] = "1e999"
    path = write_multivu(tmp_path / "big.dat", mpms3_header(), MPMS3_COLUMNS, rows)
    with pytest.raises(DataError, match=rf"'1e999' is too large for a float \(line {line}\)"):
        load(path)


def test_column_chosen_twice_is_refused(tmp_path: Path) -> None:
    path = vsm_file(tmp_path / "m.dat")
    with pytest.raises(ColumnError, match=r"column 'Temperature \(K\)' is chosen twice"):
        load(path, columns=["Temperature", "Moment", "Temperature (K)"])


# -------------------------------------------------------------------------- sniff


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("run.dat", "[Header]\r\n; Quantum Design\r\nBYAPP, MPMS3, 1.1\r\n", True),
        ("RUN.DAT", "[Data]\nTemperature (K),Moment (emu)\n", True),
        ("run.txt", "[Header]\nINFO,0.61,SAMPLE_MASS\n", True),
        ("run.csv", "Title line\n[Header]\nBYAPP\tPPMS\n", True),
        ("run.txt", "[Data]\nTemperature (K),Moment (emu)\n", False),
        ("run.dat", "Temperature (K),Moment (emu)\n10,0.1\n", False),
        ("run.ini", "[Header]\nkey=value\n", False),
    ],
)
def test_sniff(name: str, head: str, expected: bool) -> None:
    assert LOADER.sniff(Path(name), head) is expected


def test_loader_attributes() -> None:
    assert LOADER.name == "quantum_design"
    assert LOADER.suffixes == (".dat",)
    assert "\n" not in LOADER.description
