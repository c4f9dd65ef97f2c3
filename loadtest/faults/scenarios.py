"""The fault scenarios by name: each injects one fault into real processes under load, measures what clients saw,
and checks the invariants (nothing acknowledged lost, nothing duplicated, no 500). Each answers a Result.

`short` runs are the CI versions (seconds); full runs hold each phase longer.
"""
from database_faults import postgres_lock, postgres_stop, redis_kill
from graph_faults import graph_outage
from process_faults import disk_full, overload, rolling_restart, sigkill_mixed, sigterm_under_load
from send_race import send_race

SCENARIOS = {
    "postgres_stop": postgres_stop,
    "postgres_lock": postgres_lock,
    "redis_kill": redis_kill,
    "graph_outage": lambda run_dir, short: graph_outage(run_dir, short, "outage"),
    "graph_hang": lambda run_dir, short: graph_outage(run_dir, short, "hang"),
    "sigterm": sigterm_under_load,
    "rolling_restart": rolling_restart,
    "overload": overload,
    "disk_full": disk_full,
    "sigkill_mixed": sigkill_mixed,
    "send_race": send_race,
}
