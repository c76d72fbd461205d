"""The trainer: an Optuna search over Keras networks, tracked in MLflow, saved as a bundle.

Import cost matters: nothing here imports TensorFlow, Optuna or MLflow until it is used.
"""

from reanalyze.train.bundle import ModelBundle
from reanalyze.train.data import TrainingData
from reanalyze.train.search import Search, run_worker
from reanalyze.train.space import SearchSpace, TrialConfig

__all__ = ["ModelBundle", "Search", "SearchSpace", "TrainingData", "TrialConfig", "run_worker"]
