"""Experiment planning: which step of a scan axis is fine enough for a property, and its cost.

One job per module:

* :mod:`~reanalyze.planning.planner` — :class:`Plan`: simulate every candidate step with the
  twin, compute the property, compare and cost it;
* :mod:`~reanalyze.planning.compare` — :class:`Tolerance`, :func:`compare`,
  :func:`peak_centre` and the recommendation;
* :mod:`~reanalyze.planning.result` — :class:`PlanResult`: tables, figures, the plan folder;
* :mod:`~reanalyze.planning.plan_file` — ``plan.json``: :class:`PlanFile`, its writer and
  :func:`read_plan`;
* :mod:`~reanalyze.planning.cost` — the instrument time of a plan (:func:`scan_cost`).

Examples
--------
>>> from reanalyze.planning import Plan                                  # doctest: +SKIP
>>> plan = Plan("runs/erco2", "magnetocaloric", "H", ["1T", "0.5T", "0.2T"]).run()  # doctest: +SKIP
>>> plan.result_.save("plans/erco2")                                     # doctest: +SKIP
"""

from reanalyze.planning.compare import Tolerance, compare, peak_centre
from reanalyze.planning.cost import ACTIONS, Action, ScanCost, scan_cost
from reanalyze.planning.plan_file import PLAN_FILE, PlanFile, PlanRow, read_plan, write_plan
from reanalyze.planning.planner import Plan, axis_candidates, measured_step
from reanalyze.planning.result import PlanResult

__all__ = [
    "ACTIONS",
    "PLAN_FILE",
    "Action",
    "Plan",
    "PlanFile",
    "PlanResult",
    "PlanRow",
    "ScanCost",
    "Tolerance",
    "axis_candidates",
    "compare",
    "measured_step",
    "peak_centre",
    "read_plan",
    "scan_cost",
    "write_plan",
]
