#!/usr/bin/env python3
"""The per-query baseline of bench.sh: Postgres alone running the exact statements a route runs.

  route_sql.py urls SCENARIO.json COUNT          sample request URLs of the scenario, one per line (ids from its lists)
  route_sql.py scripts POSTGRES_LOG OUT_DIR      the statements those requests ran, as pgbench scripts

bench.sh turns statement logging on (log_min_duration_statement = 0), sends the sampled requests with curl, turns
it off, and hands the Postgres log here. Each logged `execute <name>: <sql>` with its `parameters:` line becomes
one pgbench script whose $n placeholders are pgbench variables (`:s<k>_<n>`); `pgbench -M prepared` then prepares
the same text and binds the same values, as the server's named statements do. The scripts are written to OUT_DIR
with a `pgbench-args` file holding the -f and -D arguments.
"""
import json
import os
import random
import re
import sys

# Background work (claims, liveness, notices) runs statements too; only the routes' own statements are kept.
ROUTE_STATEMENT_PREFIXES = ("inbox_",)
# Each distinct (statement, parameters) becomes one script, and every pgbench client plans each script's statement
# itself: Postgres plans a prepared statement afresh for its first five executions (then maybe a generic plan), so
# 32 clients x 32 scripts would spend much of a short run planning, a cost the server (a few pooled connections)
# pays only a few dozen times. The routes' cost does not depend on which seeded id is asked for, so a few distinct
# parameter sets represent them.
MAX_SCRIPTS = 8


def sample_urls(scenario_path, count):
    scenario = json.load(open(scenario_path))
    lists = {name: [line.strip() for line in open(path) if line.strip()]
             for name, path in scenario.get("id_lists", {}).items()}
    rng = random.Random(1)
    urls = []
    for i in range(count):
        request = scenario["requests"][i % len(scenario["requests"])]
        if request.get("method", "GET") != "GET":
            continue
        path = re.sub(r"\{\{(\w+)\}\}", lambda m: rng.choice(lists[m.group(1)]) if m.group(1) in lists else m.group(0),
                      request["path"])
        urls.append(path)
    return urls


def parse_parameters(detail):
    """`$1 = 'a''b', $2 = NULL` → {1: "a'b", 2: None}."""
    values = {}
    for match in re.finditer(r"\$(\d+) = (NULL|'((?:[^']|'')*)')", detail):
        values[int(match.group(1))] = None if match.group(2) == "NULL" else match.group(3).replace("''", "'")
    return values


def logged_statements(log_path):
    """(name, sql, parameters) of every logged execute of a route statement, in log order."""
    statements = []
    pending = None
    for line in open(log_path, errors="replace"):
        execute = re.search(r"LOG:  duration: [0-9.]+ ms  execute ([^:]+): (.*)$", line)
        if execute:
            pending = (execute.group(1), execute.group(2).rstrip())
            if not pending[0].startswith(ROUTE_STATEMENT_PREFIXES):
                pending = None
            elif "$1" not in pending[1]:
                statements.append((pending[0], pending[1], {}))
                pending = None
            continue
        detail = re.search(r"DETAIL:  parameters: (.*)$", line)
        if detail and pending:
            statements.append((pending[0], pending[1], parse_parameters(detail.group(1))))
            pending = None
    return statements


def write_scripts(statements, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    args, scripts = [], 0
    distinct, seen = [], set()
    for name, sql, parameters in statements:
        key = (name, sql, tuple(sorted(parameters.items())))
        if key not in seen:
            seen.add(key)
            distinct.append((name, sql, parameters))
    for k, (name, sql, parameters) in enumerate(distinct[:MAX_SCRIPTS]):
        if any(value is None for value in parameters.values()):
            continue  # pgbench variables cannot be NULL; no route statement of the read scenarios binds one
        text = re.sub(r"\$(\d+)\b", lambda m: f":s{k}_{m.group(1)}", sql)
        path = os.path.join(out_dir, f"route-{k:02d}-{name}.sql")
        with open(path, "w") as f:
            f.write(text + ";\n")
        args += ["-f", path]
        scripts += 1
        args += [f"-Ds{k}_{n}={value}" for n, value in sorted(parameters.items())]
    with open(os.path.join(out_dir, "pgbench-args"), "w") as f:
        f.write("\n".join(args) + "\n")
    names = sorted({name for name, _, _ in statements})
    print(f"{len(statements)} route statements captured ({', '.join(names) or 'none'}), {scripts} pgbench scripts")
    return scripts


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "urls":
        print("\n".join(sample_urls(sys.argv[2], int(sys.argv[3]))))
    elif len(sys.argv) == 4 and sys.argv[1] == "scripts":
        write_scripts(logged_statements(sys.argv[2]), sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
