#!/usr/bin/env python3
"""The seed scenario's release gate: each endpoint's figures beside the previous product's target and ours.

    loadtest/seed_gate.py RUN_DIR GRAPH_LATENCY_MS

Reads RUN_DIR/server-seed.json (the day's mix), RUN_DIR/server-seed-burst.json (the webhook burst at 2,000/s) and
RUN_DIR/metrics.txt (the server's /metrics after both), prints one table, and exits 1 when any of our targets is
missed, 0 when all are met.
"""
import json
import math
import os
import re
import sys


def metric_sum(text, name, labels=""):
    """Sum of every series of `name` whose label set contains `labels` (e.g. 'outcome="started"')."""
    total = 0.0
    for series_labels, value in re.findall(r"^%s(?:\{([^}]*)\})? (\S+)$" % re.escape(name), text, re.M):
        if labels in (series_labels or ""):
            total += float(value)
    return total


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    run_dir, graph_ms = sys.argv[1], float(sys.argv[2])
    report = json.load(open(os.path.join(run_dir, "server-seed.json")))
    metrics = open(os.path.join(run_dir, "metrics.txt")).read()
    endpoints = report["endpoints"]
    seconds = report.get("duration_s") or 0
    rows = []  # (endpoint, previous target, our target, measured, met)

    def latency(name, q):
        return endpoints[name]["latency_ms"][q]

    def count(name):
        return sum(endpoints[name]["status"].values()) + sum(endpoints[name].get("errors", {}).values())

    def share_5xx(name):
        statuses = endpoints[name]["status"]
        bad = sum(n for code, n in statuses.items() if code.startswith("5")) + sum(endpoints[name].get("errors", {}).values())
        return bad / max(1, count(name))

    def non_2xx_3xx(name):
        statuses = endpoints[name]["status"]
        return sum(n for code, n in statuses.items() if code[0] not in "23") + sum(endpoints[name].get("errors", {}).values())

    p99 = latency("media_stored", "p99")
    rows.append(("GET /messages/media/{id} (stored)", "P95 < 500 ms", "P99 < 5 ms",
                 f"P99 {p99:.2f} ms, {non_2xx_3xx('media_stored')} non-2xx/3xx", p99 < 5 and non_2xx_3xx("media_stored") == 0))
    bound = 2 * graph_ms + 30
    p95 = latency("media_first_fetch", "p95")
    statuses = endpoints["media_first_fetch"]["status"]
    rows.append(("GET /messages/media/{id} (first fetch)", "P95 < 500 ms", f"P95 <= 2 Graph calls + 30 ms ({bound:.0f} ms)",
                 f"P95 {p95:.1f} ms, statuses {statuses}", p95 <= bound and non_2xx_3xx("media_first_fetch") == 0))
    bound = graph_ms + 5
    for name, route in (("send_inside_window", "POST /messages/send"),
                        ("send_auto_template", "POST /messages/send-with-auto-template (outside the window)")):
        p99 = latency(name, "p99")
        rows.append((route, "P95 < 1 s", f"P99 <= 1 Graph call + 5 ms ({bound:.0f} ms)",
                     f"P99 {p99:.1f} ms, statuses {endpoints[name]['status']}",
                     p99 <= bound and non_2xx_3xx(name) == 0))
    p99 = latency("contact_info", "p99")
    share = share_5xx("contact_info")
    rows.append(("GET /contacts/{id}/whatsapp-info (lookup failing 100 %)", "< 5 % 5xx", "0 % 5xx, P99 < 5 ms",
                 f"{100 * share:.2f} % 5xx, P99 {p99:.2f} ms", share == 0 and p99 < 5))
    scans = metric_sum(metrics, "inbox_check_media_scans_total")
    calls = count("check_media")
    checked = len([line for line in open(os.path.join(run_dir, "checked_conversation_ids.txt")) if line.strip()])
    window_s = seconds + (report.get("warmup_s") or 0)
    allowed = checked * max(1, math.ceil(window_s / 300))
    rows.append(("POST /messages/check-media/{id}", "< 300 scans/day", "<= 1 scan per conversation per 5 min",
                 f"{int(scans)} scans for {calls} calls on {checked} conversations in {window_s:.0f} s (allowed {allowed})",
                 scans <= allowed and non_2xx_3xx("check_media") == 0))
    burst = json.load(open(os.path.join(run_dir, "server-seed-burst.json")))["endpoints"]
    day_rate = endpoints["webhook_message"]["achieved_rate"] + endpoints["webhook_status"]["achieved_rate"]
    day_p99 = max(latency("webhook_message", "p99"), latency("webhook_status", "p99"))
    rows.append(("POST /webhook/whatsapp (during the day)", "P95 < 100 ms", "(reported)",
                 f"P99 {day_p99:.2f} ms at {day_rate:.0f}/s, "
                 f"{non_2xx_3xx('webhook_message') + non_2xx_3xx('webhook_status')} non-2xx", None))
    burst_rate = sum(e["achieved_rate"] for e in burst.values())
    burst_target = sum(e["target_rate"] for e in burst.values())
    burst_p99 = max(e["latency_ms"]["p99"] for e in burst.values())
    burst_bad = sum(n for e in burst.values() for code, n in e["status"].items() if code[0] not in "23") + \
        sum(n for e in burst.values() for n in e.get("errors", {}).values())
    rows.append(("POST /webhook/whatsapp (burst)", "P95 < 100 ms", "P99 < 20 ms at 2,000/s",
                 f"P99 {burst_p99:.2f} ms at {burst_rate:.0f}/s (offered {burst_target:.0f}/s), {burst_bad} non-2xx",
                 burst_p99 < 20 and burst_target >= 2000 and burst_rate >= 0.97 * burst_target and burst_bad == 0))
    for name, route in (("conversations", "GET /accounts/{id}/conversations"),
                        ("messages", "GET /conversations/{id}/messages")):
        l = endpoints[name]["latency_ms"]
        rows.append((route, "-", "(no target; reported)", f"P50 {l['p50']:.2f} P99 {l['p99']:.2f} ms at "
                     f"{endpoints[name]['achieved_rate']:.0f}/s, {non_2xx_3xx(name)} non-2xx", None))

    print("\n==== seed scenario gate (" + run_dir + ") ====")
    print(f"{'endpoint':<58} {'previous target':<17} {'our target':<38} {'measured':<70} verdict")
    missed = 0
    for endpoint, previous, ours, measured, met in rows:
        verdict = "-" if met is None else ("met" if met else "MISSED")
        missed += met is False
        print(f"{endpoint:<58} {previous:<17} {ours:<38} {measured:<70} {verdict}")
    print(f"gate: {'all targets met' if not missed else str(missed) + ' target(s) missed'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
