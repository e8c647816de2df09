"""`make bench`: every benchmark in bench/, each reporting ratios against a baseline measured
in the same run (the machines are noisy; absolute times drift, ratios hold).

Each `bench/bench_*.py` has a `main() -> list[Measure]`; this runner prints them and writes
`bench/results/latest.json`. `python bench/run.py build` runs only bench_build.py.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from measure import Measure  # noqa: E402


def main(names: list[str]) -> int:
    """Run the benchmarks named (default: all) and print their ratios."""
    results: list[Measure] = []
    for path in sorted(HERE.glob("bench_*.py")):
        if names and path.stem.removeprefix("bench_") not in names:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem}", flush=True)
        for measure in module.main():
            print(f"   {measure}", flush=True)
            results.append(measure)
    out = HERE / "results" / "latest.json"
    out.parent.mkdir(exist_ok=True)
    rows = [{**m.__dict__, "ratio": m.ratio} for m in results]
    out.write_text(json.dumps(rows, indent=1) + "\n")
    failed = [m for m in results if m.limit is not None and m.ratio > m.limit]
    for m in failed:
        print(f"OVER LIMIT: {m.name}: ratio {m.ratio:.3f} > {m.limit}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
