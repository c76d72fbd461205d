"""What a study's trials add up to so far: how many in each state, and the best objective.

The search's progress display (:class:`reanalyze.twin.search.Progress`) and the GUI's
(:class:`reanalyze.gui.jobs.StudyProgress`) both extend :class:`TrialCounts`. The module
imports nothing heavy (no Optuna): it reads the trials it is given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Self

__all__ = ["TrialCounts"]


@dataclass
class TrialCounts:
    """The trials of a study by state, the number asked for and the best objective.

    Attributes
    ----------
    complete, pruned, failed, running
        Trials finished, stopped early by the pruner, failed, and running now.
    total
        Trials the search asked for.
    best
        The largest objective of the complete trials (dimensionless); None before the first.
    """

    complete: int
    pruned: int
    failed: int
    running: int
    total: int
    best: float | None

    @classmethod
    def of(cls, study_trials: Sequence[Any], /, total: int, **more: Any) -> Self:
        """Count Optuna ``FrozenTrial`` objects by state; ``more``: fields of a subclass."""
        states = [t.state.name for t in study_trials]
        values = [
            float(t.value)
            for t in study_trials
            if t.state.name == "COMPLETE" and t.value is not None
        ]
        return cls(
            complete=states.count("COMPLETE"),
            pruned=states.count("PRUNED"),
            failed=states.count("FAIL"),
            running=states.count("RUNNING"),
            total=total,
            best=max(values) if values else None,
            **more,
        )
