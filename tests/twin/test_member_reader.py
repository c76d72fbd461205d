"""Members read into numpy predict what Keras predicts, and predicting needs no TensorFlow.

Every activation of the search space, with dropout and regularizers in the saved layout, is
saved by Keras as a run folder's member is, read back by :func:`read_member` and compared
with Keras' own prediction of the same file. Layouts the reader does not know go to Keras.
"""

from __future__ import annotations

import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reanalyze.errors import DataError
from reanalyze.twin.bundle import ModelBundle, wrap_in_units
from reanalyze.twin.member_reader import NumpyMember, UnknownLayout, read_member
from reanalyze.twin.network import build_network
from reanalyze.twin.run_folder import write_bundle_file
from reanalyze.twin.space import Activation, TrialConfig

ACTIVATIONS = typing.get_args(Activation)
#: Keras and numpy agree to float32 rounding, relative to the largest output: measured up to
#: 6.6e-7 with these weights (sums run in another order, through three layers).
FLOAT32_AGREEMENT = 3e-6


def saved_member(path: Path, activation: str, *, seed: int = 0, **config: float) -> Path:
    """A member of random weights (biases too) in physical units, saved by Keras at path."""
    rng = np.random.default_rng(seed)
    settings = {"layers": 3, "nodes": 24, "learning_rate": 1e-3, "batch_size": 32, **config}
    net = build_network(TrialConfig(activation=activation, **settings), 2)  # type: ignore[arg-type]
    net.set_weights([rng.normal(0.0, 0.8, w.shape).astype("f4") for w in net.get_weights()])
    # M (emu) of T (K) and ln H: means and scales as a magnet's scan has them
    member = wrap_in_units(net, [35.0, 9.0], [14.6, 2.0], 0.031, 0.022)
    member.save(path)
    return path


def inputs(n: int = 2000) -> np.ndarray:
    rng = np.random.default_rng(1)
    return np.column_stack([rng.uniform(2.0, 80.0, n), rng.uniform(4.0, 11.0, n)]).astype("f4")


def keras_prediction(path: Path, x: np.ndarray) -> np.ndarray:
    import keras

    model = keras.saving.load_model(path, safe_mode=True, compile=False)
    return np.asarray(model(x, training=False)).ravel()


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_predicts_as_keras(tmp_path: Path, activation: str) -> None:
    path = saved_member(tmp_path / "member_0.keras", activation)
    member = read_member(path)
    assert isinstance(member, NumpyMember) and len(member.layers) == 4
    x = inputs()
    expected = keras_prediction(path, x)
    got = member.predict(x)
    assert got.dtype == np.float32 and got.shape == expected.shape
    scale = np.abs(expected).max()
    assert np.abs(got - expected).max() <= FLOAT32_AGREEMENT * scale, activation
    assert np.ptp(expected) > 1e-3 * scale  # a member that varies, not a constant


def test_dropout_and_regularizers_are_read_as_the_trained_network(tmp_path: Path) -> None:
    path = saved_member(tmp_path / "m.keras", "silu", dropout=0.2, l1=1e-4, l2=1e-3)
    x = inputs()
    expected = keras_prediction(path, x)
    assert (
        np.abs(read_member(path).predict(x) - expected).max()
        <= FLOAT32_AGREEMENT * np.abs(expected).max()
    )


def test_other_layouts_and_damaged_files_are_not_read(tmp_path: Path) -> None:
    import keras

    plain = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3), keras.layers.Dense(1)])
    plain.save(tmp_path / "plain.keras")
    with pytest.raises(UnknownLayout, match="layers"):
        read_member(tmp_path / "plain.keras")
    (tmp_path / "cut.keras").write_bytes(
        saved_member(tmp_path / "m.keras", "tanh").read_bytes()[:900]
    )
    with pytest.raises(UnknownLayout):
        read_member(tmp_path / "cut.keras")


def run_folder(folder: Path, members: list[Path]) -> Path:
    """A run folder holding these member files, as a search writes it."""
    (folder / "members").mkdir(parents=True)
    names = []
    for i, member in enumerate(members):
        name = f"members/member_{i}.keras"
        (folder / name).write_bytes(member.read_bytes())
        names.append(name)
    bundle = ModelBundle(
        features=["T", "H"], target="M", units={"T": "K", "H": "Oe", "M": "emu"},
        kinds={"T": "temperature", "H": "magnetic_field", "M": "magnetic_moment"},
        ranges={"T": (2.0, 80.0), "H": (100.0, 50000.0)}, data_sha256="0" * 64,
        log_features=["H"],
    )  # fmt: skip
    write_bundle_file(folder, bundle.description(names))
    return folder


def test_a_run_folder_predicts_without_importing_tensorflow(tmp_path: Path) -> None:
    members = [saved_member(tmp_path / f"{a}.keras", a, seed=i) for i, a in enumerate(ACTIVATIONS)]
    folder = run_folder(tmp_path / "run", members)
    x = inputs(500).astype(np.float64)
    x[:, 1] = np.exp(x[:, 1])  # the bundle takes H in Oe and gives the members ln H
    np.save(tmp_path / "x.npy", x)
    script = (
        "import sys, numpy as np\n"
        "from reanalyze.twin.bundle import ModelBundle\n"
        f"b = ModelBundle.load({str(folder)!r})\n"
        f"np.save({str(tmp_path / 'y.npy')!r}, b.predict_members(np.load({str(tmp_path / 'x.npy')!r})))\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    got = np.load(tmp_path / "y.npy")
    inputs32 = np.column_stack([x[:, 0], np.log(x[:, 1])]).astype("f4")
    for row, member in zip(got, members, strict=True):
        expected = keras_prediction(member, inputs32)
        assert np.abs(row - expected).max() <= FLOAT32_AGREEMENT * np.abs(expected).max()


def test_a_layout_the_reader_does_not_know_is_loaded_by_keras(tmp_path: Path) -> None:
    import keras

    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4, activation="sigmoid"),
                            keras.layers.Dense(1)])  # fmt: skip
    member = wrap_in_units(net, [35.0, 9.0], [14.6, 2.0], 0.031, 0.022)  # sigmoid: not read
    member.save(tmp_path / "sigmoid.keras")
    bundle = ModelBundle.load(run_folder(tmp_path / "run", [tmp_path / "sigmoid.keras"]))
    assert isinstance(bundle.members[0], keras.Model)
    x = inputs(50).astype(np.float64)
    x[:, 1] = np.exp(x[:, 1])
    expected = keras_prediction(tmp_path / "sigmoid.keras",
                                np.column_stack([x[:, 0], np.log(x[:, 1])]).astype("f4"))  # fmt: skip
    assert np.allclose(bundle.predict_members(x)[0], expected, rtol=FLOAT32_AGREEMENT, atol=0)


def test_a_damaged_member_is_one_line_naming_the_file(tmp_path: Path) -> None:
    good = saved_member(tmp_path / "m.keras", "silu")
    folder = run_folder(tmp_path / "run", [good])
    damaged = folder / "members" / "member_0.keras"
    damaged.write_bytes(good.read_bytes()[:700])
    with pytest.raises(DataError, match=r"member_0\.keras: damaged member model") as caught:
        ModelBundle.load(folder)
    assert "\n" not in str(caught.value)
    assert json.loads((folder / "bundle.json").read_text())["members"] == ["members/member_0.keras"]


def test_members_read_wrongly_are_caught_by_the_recorded_fit_and_read_by_keras(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, magnet_table: Any
) -> None:
    """A run folder records how well its members fit each scan line (Keras' predictions at
    training). Members that the reader would get wrong (here: its two equal-shaped hidden
    layers swapped, as a Keras laying out its files otherwise could make it) do not reproduce
    that fit, and are read by Keras instead; read right, they are kept."""
    import keras

    from reanalyze.twin import member_reader
    from reanalyze.twin.data import TrainingData
    from reanalyze.twin.verdict import fit_check

    data = TrainingData.from_table(magnet_table, ["T", "H"], "M")
    members = [saved_member(tmp_path / f"m{i}.keras", "silu", seed=i) for i in range(2)]
    folder = run_folder(tmp_path / "run", members)
    data.to_table().to_parquet(folder / "training.parquet")
    inputs32 = np.column_stack([data.x[:, 0], np.log(data.x[:, 1])]).astype("f4")
    truth = np.mean([keras_prediction(m, inputs32) for m in members], axis=0)
    bundle_file = folder / "bundle.json"
    description = json.loads(bundle_file.read_text())
    description["summary"] = {"fit": fit_check(data, truth), "slow_axis": data.slow_axis}
    bundle_file.write_text(json.dumps(description))

    right = ModelBundle.load(folder)
    assert all(isinstance(m, NumpyMember) for m in right.members)

    named = member_reader._named

    def swapped(layers: list[dict[str, Any]]) -> Any:  # dense_1 and dense_2 trade weights
        pairs = list(named(layers))
        swap = {"dense_1": "dense_2", "dense_2": "dense_1"}
        return [(swap.get(name, name), layer) for name, layer in pairs]

    monkeypatch.setattr(member_reader, "_named", swapped)
    first = keras_prediction(members[0], inputs32)
    assert np.abs(read_member(members[0]).predict(inputs32) - first).max() > 0.01 * np.ptp(first)
    wrong = ModelBundle.load(folder)
    assert all(isinstance(m, keras.Model) for m in wrong.members)
    x = data.x
    np.testing.assert_allclose(wrong.predict(x)[0], truth, rtol=FLOAT32_AGREEMENT, atol=0)
