"""Loader fuzzing: the properties of ``tests/loaders/test_properties.py``, run for longer.

Runs the three properties (clean delimited files, damaged delimited files, Quantum Design
files) with many more examples than CI does, then prints how many examples ran, how many of
them loaded or were refused (by error class), and every class of input covered: delimiters,
encodings, line ends, unit spellings, each kind of damage. A failure prints hypothesis's
shrunk example and makes the exit status 1.

    python benchmarks/bench_loader_fuzz.py [--examples 5000] [--seed 0] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TESTS = REPO / "tests" / "loaders" / "test_properties.py"
PROPERTIES = (
    "test_clean_delimited_files_load_cell_for_cell",
    "test_damaged_delimited_files_load_cell_for_cell_or_are_refused",
    "test_quantum_design_files_load_cell_for_cell_or_are_refused",
)


def load_properties(examples: int) -> Any:
    """Import the test module with ``examples`` examples per property."""
    os.environ["REANALYZE_FUZZ_EXAMPLES"] = str(examples)
    spec = importlib.util.spec_from_file_location("loader_properties", TESTS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5000, help="examples per property")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed")
    parser.add_argument("--json", type=Path, default=None, help="write the counts here")
    args = parser.parse_args(argv)

    from hypothesis import seed as hypothesis_seed

    module = load_properties(args.examples)
    failures = []
    timings = {}
    for name in PROPERTIES:
        test = getattr(module, name)
        if args.seed is not None:
            test = hypothesis_seed(args.seed)(test)
        start = time.perf_counter()
        try:
            test()
        except Exception:  # a property failed: report it, run the others
            failures.append(name)
            traceback.print_exc()
        timings[name] = time.perf_counter() - start
        print(f"{name}: {timings[name]:.1f} s", flush=True)

    coverage = dict(sorted(module.COVERAGE.items()))
    examples = {k: v for k, v in coverage.items() if k.startswith("examples: ")}
    outcomes = {k: v for k, v in coverage.items() if k in ("loaded", "QD loaded") or "refused" in k}
    classes = {k: v for k, v in coverage.items() if k not in examples and k not in outcomes}
    print(f"\nexamples run (with hypothesis's shrinking and replays): {sum(examples.values())}")
    for key, count in examples.items():
        print(f"  {key.removeprefix('examples: ')}: {count}")
    print("outcomes:")
    for key, count in outcomes.items():
        print(f"  {key}: {count}")
    print(f"classes of input covered: {len(classes)}")
    for key, count in classes.items():
        print(f"  {key}: {count}")
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "examples_per_property": args.examples,
                    "seconds": timings,
                    "examples": examples,
                    "outcomes": outcomes,
                    "classes": classes,
                    "failures": failures,
                },
                indent=2,
            )
        )
    if failures:
        print(f"FAILED: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
