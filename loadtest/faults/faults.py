"""Runs fault scenarios (loadtest/faults/scenarios.py) and reports what each did, with its figures and checks.

Started by loadtest/faults.sh, which provides Postgres, Redis and the binaries. Exit code 1 when any check failed.
"""
import argparse
import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from result import Result  # noqa: E402
from scenarios import SCENARIOS  # noqa: E402


def markdown(results):
    """The run as a table for docs/RELIABILITY.md: fault, what the server did, figures, checks."""
    lines = ["| fault | what the server did | figures | checks |", "|---|---|---|---|"]
    for result in results:
        figures = "; ".join(f"{key}: {json.dumps(value)}" for key, value in result.figures.items())
        checks = f"{sum(p for _, p, _ in result.checks)}/{len(result.checks)} passed"
        failed = [d for d, p, _ in result.checks if not p]
        if failed:
            checks += " (failed: " + "; ".join(failed) + ")"
        lines.append(f"| {result.fault} | {result.behaviour} | {figures.replace('|', '/')} | {checks} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--short", action="store_true", help="the CI versions: seconds per fault")
    parser.add_argument("--out", required=True, help="directory for logs and results.json")
    parser.add_argument("scenarios", nargs="*", help=f"default: all of {', '.join(SCENARIOS)}")
    args = parser.parse_args()
    names = args.scenarios or list(SCENARIOS)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")

    results = []
    for name in names:
        started = time.time()
        print(f"==> fault {name}", flush=True)
        try:
            result = SCENARIOS[name](args.out, args.short)
        except Exception as error:  # a scenario that could not run is a failed scenario, not a crash of the run
            result = Result(name, "(the scenario itself failed)")
            result.check("scenario ran", False, f"{type(error).__name__}: {error}")
            print(traceback.format_exc(), flush=True)
        result.figures["scenario_seconds"] = round(time.time() - started, 1)
        results.append(result)
        for description, passed, detail in result.checks:
            mark = "ok  " if passed else "FAIL"
            print(f"    {mark} {description}" + ("" if passed else f"  ({str(detail)[:300]})"), flush=True)
        print(f"    figures: {json.dumps(result.figures)}", flush=True)

    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump([r.as_dict() for r in results], f, indent=1)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(markdown(results))
    print("\n==== faults ====")
    for result in results:
        print(f"{'passed' if result.passed else 'FAILED':7} {result.name:16} {result.figures['scenario_seconds']:6}s")
    failed = [r.name for r in results if not r.passed]
    if failed:
        print(f"faults: FAILED: {' '.join(failed)} (logs in {args.out})", file=sys.stderr)
        return 1
    print(f"faults: all passed (logs in {args.out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
