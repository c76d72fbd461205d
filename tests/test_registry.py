"""registry.yaml: the built-in entries match the published data; bad files give one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from reanalyze.download_cache import file_sha256
from reanalyze.errors import RegistryError
from reanalyze.registry import (
    RemoteSource,
    load_registry,
    parse_registry,
    registry_path,
    registry_schema,
)


def test_builtin_registry_is_the_top_level_file() -> None:
    top = Path(__file__).resolve().parents[1] / "registry.yaml"
    assert registry_path().read_text() == top.read_text()


def test_paper_datasets_match_the_shared_files(mat_interp: Path) -> None:
    registry = load_registry()
    files = {}
    for name in ("erco2", "fe3ga4", "pdh", "lofbis2_arpes"):
        source = registry.dataset(name).source
        assert isinstance(source, RemoteSource)
        assert source.url.startswith(
            "https://raw.githubusercontent.com/kensei-te/mat_interp/"
            "73cc0a9364b9c1a40ee9f045f9757664949310c2/example_data/"
        )
        assert source.url.endswith(source.filename)
        assert file_sha256(mat_interp / source.filename) == source.sha256
        files[name] = source.filename
    assert registry.dataset("erco2").sample is not None
    assert registry.dataset("erco2").sample.mass == pytest.approx(0.61)
    assert registry.dataset("erco2").sample.mass_unit == "mg"
    assert [c.unit for c in registry.dataset("pdh").columns.values()] == ["K", "Oe", "ohm"]
    assert registry.dataset("lofbis2_arpes").features == ["theta1", "theta2"]


def test_no_shared_file_is_in_the_repository(mat_interp: Path) -> None:
    repo = Path(__file__).resolve().parents[1]
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, capture_output=True, check=False)
    if listed.returncode != 0:
        pytest.skip("not a git checkout")
    digests = {file_sha256(p) for p in mat_interp.glob("*.csv")}
    tracked = [repo / name for name in listed.stdout.decode().split("\0") if name]
    for path in tracked:
        if path.is_file() and path.stat().st_size > 10_000:
            assert file_sha256(path) not in digests, path


def _base() -> dict:
    return yaml.safe_load(registry_path().read_text())


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (
            lambda r: r["datasets"]["erco2"].update(colour="red"),
            r"datasets\.erco2\.colour: Extra inputs are not permitted",
        ),
        (
            lambda r: r["datasets"]["erco2"]["source"].update(sha256="abc"),
            r"datasets\.erco2\.source\.sha256: String should match pattern",
        ),
        (
            lambda r: r["datasets"]["pdh"]["columns"]["X2_demo3"].update(unit="K"),
            r"datasets\.pdh\.columns\.X2_demo3: .*'K' has the wrong dimension for magnetic_field",
        ),
        (
            lambda r: r["datasets"]["fe3ga4"].pop("loader"),
            r"datasets\.fe3ga4: a remote dataset needs a 'loader'",
        ),
        (
            lambda r: r["loaders"]["delimited"].update(module="no colon"),
            r"loaders\.delimited\.module: String should match pattern",
        ),
        (lambda r: r.update(version=2), r"version: Input should be 1"),
    ],
)
def test_malformed_registry_names_entry_and_field(mutate, pattern: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    raw = _base()
    mutate(raw)
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(RegistryError, match=pattern) as info:
        load_registry(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match=r"bad\.yaml: line 3 expected"):
        parse_registry("version: 1\nloaders: [unclosed\n", "bad.yaml")
    with pytest.raises(RegistryError, match="no such registry file"):
        load_registry(tmp_path / "absent.yaml")
    with pytest.raises(RegistryError, match="unknown dataset 'nope'"):
        load_registry().dataset("nope")


def test_schema_is_json_and_rejects_unknown_keys() -> None:
    schema = json.loads(registry_schema())
    assert schema["additionalProperties"] is False
    assert {"datasets", "loaders", "properties"} <= set(schema["properties"])
