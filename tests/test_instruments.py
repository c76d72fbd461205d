"""Instrument profiles: the built-ins validate and cite sources; user files add and override."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reanalyze.errors import RegistryError, UnknownNameError
from reanalyze.instrument_profiles import ArpesProfile, MagnetometerProfile, TransportProfile
from reanalyze.instruments import get_instrument, load_instruments, parse_profiles
from reanalyze.registry import load_registry, registry_path, registry_schema


def test_builtin_profiles_validate_with_their_kinds() -> None:
    profiles = load_instruments()
    assert isinstance(profiles["mpms3"], MagnetometerProfile)
    assert isinstance(profiles["ppms_resistivity"], TransportProfile)
    assert isinstance(profiles["arpes_map"], ArpesProfile)
    assert {name: p.name for name, p in profiles.items()} == {n: n for n in profiles}
    assert profiles["mpms3"].default_mode == "sweep"
    # The orders of magnitude: K/min sweeps, ~100 Oe/s ramps, minutes of relaxation.
    mpms = profiles["mpms3"]
    assert 0.5 <= mpms.sweep_rate_K_per_min <= 5
    assert 10 <= mpms.field_ramp_rate_Oe_per_s <= 700
    assert 60 <= mpms.field_settle_s <= 600
    assert 1 <= mpms.point_time_sweep_s <= 5
    assert 5 <= mpms.point_time_settle_s <= 10


def test_every_builtin_default_names_its_source() -> None:
    raw = yaml.safe_load(registry_path().read_text())["instruments"]
    for name, entry in raw.items():
        given = set(entry) - {"kind", "description", "sources"}
        profile = get_instrument(name)
        assert given <= set(profile.sources), (name, given - set(profile.sources))
        assert all(len(text) > 20 for text in profile.sources.values()), name


def test_unknown_instrument_lists_the_known_ones() -> None:
    with pytest.raises(
        UnknownNameError,
        match=r"unknown instrument 'sqid' \(known: arpes_map, mpms3, ppms_resistivity\)",
    ):
        get_instrument("sqid")


def test_user_file_adds_a_profile_and_overrides_one_field(tmp_path: Path) -> None:
    user = tmp_path / "lab.yaml"
    user.write_text(
        "mpms3:\n"
        "  sweep_rate_K_per_min: 0.5\n"
        "slow_vsm:\n"
        "  kind: magnetometer\n"
        "  sweep_rate_K_per_min: 0.2\n"
        "  cool_back_rate_K_per_min: 5\n"
        "  temperature_settle_s: 600\n"
        "  field_ramp_rate_Oe_per_s: 20\n"
        "  field_settle_s: 300\n"
        "  point_time_sweep_s: 4\n"
        "  point_time_settle_s: 8\n"
        "  default_mode: settle\n"
        "  line_overhead_s: 30\n"
        "  sources: {sweep_rate_K_per_min: our group's protocol}\n"
    )
    builtin = get_instrument("mpms3")
    profiles = load_instruments(user)
    assert sorted(profiles) == ["arpes_map", "mpms3", "ppms_resistivity", "slow_vsm"]
    merged = profiles["mpms3"]
    assert merged.sweep_rate_K_per_min == 0.5
    unchanged = merged.model_dump(exclude={"sweep_rate_K_per_min", "sources"})
    assert unchanged == builtin.model_dump(exclude={"sweep_rate_K_per_min", "sources"})
    assert merged.sources["sweep_rate_K_per_min"] == f"overridden in {user}"
    assert merged.sources["field_settle_s"] == builtin.sources["field_settle_s"]
    added = get_instrument("slow_vsm", user)
    assert isinstance(added, MagnetometerProfile)
    assert (added.name, added.default_mode, added.field_ramp_rate_Oe_per_s) == (
        "slow_vsm",
        "settle",
        20.0,
    )
    assert added.sources == {"sweep_rate_K_per_min": "our group's protocol"}
    # The built-in is untouched by a user file.
    assert get_instrument("mpms3").sweep_rate_K_per_min == builtin.sweep_rate_K_per_min


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("mpms3:\n  sweep_speed: 2\n", r"mpms3\.sweep_speed: Extra inputs are not permitted"),
        (
            "mine:\n  kind: spectrometer\n  time_per_cut_s: 1\n",
            r"mine\.kind: unknown kind 'spectrometer' \(known: magnetometer, transport, arpes\)",
        ),
        ("mine:\n  time_per_cut_s: 1\n", r"mine\.kind: missing 'kind'"),
        (
            "arpes_map:\n  kind: magnetometer\n  sweep_rate_K_per_min: 1\n",
            r"arpes_map\.cool_back_rate_K_per_min: Field required \(and \d+ more\)",
        ),
        (
            "mpms3:\n  default_mode: jog\n",
            r"mpms3\.default_mode: Input should be 'sweep' or 'settle'",
        ),
        ("mpms3:\n  name: other\n", r"mpms3\.name: must equal the profile's key 'mpms3'"),
        (
            "mpms3:\n  sources: {colour: red}\n",
            r"mpms3: sources names unknown fields: colour",
        ),
        ("mpms3: 5\n", r"mpms3: expected a mapping of fields"),
        (
            "mpms3:\n  sweep_rate_K_per_min: .inf\n",
            r"mpms3\.sweep_rate_K_per_min: Input should be a finite",
        ),
        (
            "mpms3:\n  field_ramp_rate_Oe_per_s: -5\n",
            r"mpms3\.field_ramp_rate_Oe_per_s: Input should be greater than 0",
        ),
        (
            "mpms3:\n  point_time_sweep_s: .nan\n",
            r"mpms3\.point_time_sweep_s: Input should be a finite",
        ),
        ("- mpms3\n", r": expected a mapping of profile name → profile"),
        ("mpms3:\n  sweep_rate_K_per_min: [1\n", r"lab\.yaml: line 3 expected"),
    ],
)
def test_bad_user_file_gives_one_line_naming_file_profile_field(
    text: str, pattern: str, tmp_path: Path
) -> None:
    user = tmp_path / "lab.yaml"
    user.write_text(text)
    with pytest.raises(RegistryError, match=pattern) as info:
        load_instruments(user)
    message = str(info.value)
    assert message.startswith(str(user))
    assert "\n" not in message


def test_unknown_profile_name_with_a_user_file_and_missing_file(tmp_path: Path) -> None:
    user = tmp_path / "lab.yaml"
    user.write_text(
        "mine:\n  kind: arpes\n  time_per_cut_s: 60\n  angle_step_time_s: 5\n  map_overhead_s: 0\n"
    )
    with pytest.raises(UnknownNameError, match=r"unknown instrument 'yours' \(known: .*mine.*\)"):
        get_instrument("yours", user)
    assert get_instrument("mine", user).kind == "arpes"
    with pytest.raises(RegistryError, match=r"absent\.yaml: no such instrument file"):
        load_instruments(tmp_path / "absent.yaml")


def test_parse_profiles_without_builtins_needs_complete_profiles() -> None:
    with pytest.raises(RegistryError, match=r"here: mpms3\.sweep_rate_K_per_min: Field required"):
        parse_profiles({"mpms3": {"kind": "transport"}}, "here")
    done = parse_profiles(
        {"a": {"kind": "arpes", "time_per_cut_s": 2, "angle_step_time_s": 0, "map_overhead_s": 1}},
        "here",
    )
    assert done["a"].name == "a"


def test_registry_rejects_a_bad_builtin_profile(tmp_path: Path) -> None:
    raw = yaml.safe_load(registry_path().read_text())
    raw["instruments"]["mpms3"]["field_settle_s"] = -1
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(
        RegistryError, match=r"instruments\.mpms3\.magnetometer\.field_settle_s: Input should be"
    ):
        load_registry(path)
    assert "instruments" in registry_schema()
