"""The search space: the paper's defaults, overrides, and sampling."""

from __future__ import annotations

from pathlib import Path

import optuna
import pytest

from reanalyze.errors import DataError, OptionError
from reanalyze.twin.space import SearchSpace, batch_choices


@pytest.mark.parametrize(
    ("rows", "choices"),
    [
        (100, [16, 32, 64]),
        (808, [64, 128, 256]),
        (2737, [128, 256, 512]),
        (29977, [256, 512, 1024]),
    ],
)
def test_batch_sizes_by_data_size_as_in_the_paper(rows: int, choices: list[int]) -> None:
    assert batch_choices(rows) == choices


def test_paper_defaults() -> None:
    space = SearchSpace()
    assert space.layers == (2, 10) and space.nodes == (50, 200)
    assert space.learning_rate == (5e-4, 5e-3)
    assert space.max_epochs == 500 and space.lr_drop_epoch == 100 and space.lr_drop_factor == 5
    assert space.optimizers == ["adam"] and space.activations == ["relu"]


def test_sampling_stays_in_the_space() -> None:
    space = SearchSpace.from_overrides({"activation": "relu,silu,tanh", "l2": "1e-6:1e-3"})
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(20):
        config = space.suggest(study.ask(), 808)
        assert 2 <= config.layers <= 10 and 50 <= config.nodes <= 200
        assert 5e-4 <= config.learning_rate <= 5e-3
        assert config.batch_size in (64, 128, 256)
        assert config.activation in ("relu", "silu", "tanh")
        assert 1e-6 <= config.l2 <= 1e-3


def test_config_from_params_round_trip() -> None:
    space = SearchSpace()
    study = optuna.create_study()
    trial = study.ask()
    config = space.suggest(trial, 808)
    assert space.config_from_params(trial.params, 808) == config


def test_bad_overrides_and_files(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="search space: layers"):
        SearchSpace.from_overrides({"layers": "5:2"})
    with pytest.raises(OptionError, match="search space: activations"):
        SearchSpace.from_overrides({"activation": "sigmoidish"})
    with pytest.raises(OptionError, match="--lr: expected a number or LOW:HIGH, got 'nan'"):
        SearchSpace.from_overrides({"learning_rate": "nan"}, names={"learning_rate": "--lr"})
    with pytest.raises(OptionError, match="batch_sizes: batch sizes must be whole numbers >= 1"):
        SearchSpace.from_overrides({"batch_sizes": "32,0"})
    path = tmp_path / "space.yaml"
    path.write_text("layers: [2, 4]\nnodes: [16, 32]\nactivations: [silu]\n")
    assert SearchSpace.from_file(path).activations == ["silu"]
    path.write_text("layerz: [2, 4]\n")
    with pytest.raises(DataError, match="space.yaml: search space: layerz"):
        SearchSpace.from_file(path)
