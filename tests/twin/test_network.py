"""The graph training loop: it learns, restores the best weights, drops the rate in epochs."""

from __future__ import annotations

import numpy as np

from reanalyze.twin.network import NetworkFit, build_network, r2_score
from reanalyze.twin.space import TrialConfig


def data(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(n, 2))
    y = np.sin(2 * x[:, 0]) * x[:, 1] + 0.5 * x[:, 0]
    return x, (y - y.mean()) / y.std()


def test_learns_a_smooth_function() -> None:
    x, y = data()
    config = TrialConfig(layers=2, nodes=32, learning_rate=5e-3, batch_size=32, max_epochs=150)
    fit = NetworkFit(config, seed=0).fit(x, y)
    assert r2_score(y, fit.predict(x)) > 0.98
    assert fit.epochs_ == len(fit.history_["loss"])


def test_best_weights_are_really_restored() -> None:
    x, y = data()
    rng = np.random.default_rng(1)
    y_noisy = y + rng.normal(0, 0.3, y.size)  # noisy validation target: val loss goes up and down
    config = TrialConfig(
        layers=2, nodes=64, learning_rate=1e-2, batch_size=16, max_epochs=60, patience=60
    )
    fit = NetworkFit(config, seed=0, monitor="val_loss").fit(
        x[:200], y[:200], x[200:], y_noisy[200:]
    )
    val_losses = np.array(fit.history_["val_loss"])
    best = int(np.argmin(val_losses))
    assert fit.best_epoch_ == best + 1
    assert best + 1 < fit.epochs_  # the last epoch was not the best one
    restored = np.mean((fit.predict(x[200:]) - y_noisy[200:]) ** 2)
    np.testing.assert_allclose(restored, val_losses[best], rtol=1e-4)


def test_learning_rate_drops_after_epochs_not_steps() -> None:
    x, y = data(n=320)
    config = TrialConfig(
        layers=1,
        nodes=8,
        learning_rate=1e-2,
        batch_size=32,
        max_epochs=12,
        lr_drop_epoch=10,
        lr_drop_factor=5,
        patience=100,
    )
    # 10 batches per epoch: a step-counted drop would happen in the first epoch
    early = NetworkFit(config.model_copy(update={"max_epochs": 10}), seed=0).fit(x, y)
    late = NetworkFit(config, seed=0).fit(x, y)
    assert float(early.optimizer_.learning_rate.numpy()) == np.float32(1e-2)
    np.testing.assert_allclose(float(late.optimizer_.learning_rate.numpy()), 2e-3, rtol=1e-6)


def test_patience_stops_training() -> None:
    x, y = data()
    config = TrialConfig(
        layers=1, nodes=4, learning_rate=1e-2, batch_size=32, max_epochs=5000, patience=5
    )
    fit = NetworkFit(config, seed=0).fit(x, y)
    assert fit.stopped_ == "patience" and fit.epochs_ < 5000
    assert fit.epochs_ - fit.best_epoch_ == 5


def test_each_network_is_built_fresh() -> None:
    small = build_network(TrialConfig(layers=2, nodes=10, learning_rate=1e-3, batch_size=8), 2)
    large = build_network(TrialConfig(layers=5, nodes=10, learning_rate=1e-3, batch_size=8), 2)
    again = build_network(TrialConfig(layers=2, nodes=10, learning_rate=1e-3, batch_size=8), 2)
    dense = lambda m: sum(1 for layer in m.layers if layer.__class__.__name__ == "Dense")  # noqa: E731
    assert (dense(small), dense(large), dense(again)) == (3, 6, 3)
    assert small.count_params() == again.count_params() == 2 * 10 + 10 + 10 * 10 + 10 + 11


def test_fused_ensemble_members_are_independent_and_restored() -> None:
    from reanalyze.twin.network import EnsembleFit

    x, y = data()
    config = TrialConfig(
        layers=2, nodes=16, learning_rate=5e-3, batch_size=32, max_epochs=120, patience=20
    )
    fit = EnsembleFit(config, n_members=3, seed=0).fit(x, y)
    predictions = fit.predict(x)
    assert predictions.shape == (3, len(y))
    for member, loss in zip(predictions, fit.best_loss_, strict=True):
        assert r2_score(y, member) > 0.97
        # the restored weights are those of each member's best epoch: their loss on the data
        # is close to the best epoch-mean batch loss (same data, weights a few steps apart)
        assert abs(np.mean((member - y) ** 2) - loss) < 0.5 * loss + 1e-3
    assert not np.allclose(predictions[0], predictions[1])  # different initializations
    assert len(set(fit.best_epoch_)) >= 1 and fit.epochs_ <= 120


def test_the_workers_server_imports_keras_without_scikit_learn_and_leaves_it_importable() -> None:
    """The server the workers fork from imports TensorFlow and Keras but not scikit-learn
    (Keras' wrappers for it cost ~1 s, and no worker uses them); the networks still build and
    train there, and scikit-learn imports afterwards."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import reanalyze.twin._preload\n"
        "assert 'keras' in sys.modules and 'tensorflow' in sys.modules\n"
        "assert 'sklearn' not in sys.modules, 'imported'\n"
        "import numpy as np\n"
        "from reanalyze.twin.network import NetworkFit\n"
        "from reanalyze.twin.space import TrialConfig\n"
        "x = np.linspace(-1, 1, 64)[:, None]\n"
        "cfg = TrialConfig(layers=1, nodes=8, learning_rate=1e-2, batch_size=16, max_epochs=5)\n"
        "NetworkFit(cfg, seed=0).fit(x, x[:, 0] ** 2)\n"
        "import sklearn.gaussian_process\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
