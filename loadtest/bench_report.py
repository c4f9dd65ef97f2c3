#!/usr/bin/env python3
"""The summary of one loadtest/bench.sh run: RUN_DIR SCENARIO GRAPH_LATENCY_MS. Reads the load generator's JSON
reports, the server's /metrics snapshot and the baselines' outputs of RUN_DIR; prints the table and the ratios."""
import json, os, re, sys
run_dir, scenario, graph_latency_ms = sys.argv[1], sys.argv[2], float(sys.argv[3])
def load(name):
    path = os.path.join(run_dir, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None
server, nginx = load("server-" + scenario), load("baseline-nginx")
print("\n==== summary (" + run_dir + ") ====")
for name, endpoint in sorted(server["endpoints"].items()):
    l = endpoint["latency_ms"]
    print(f"server {name:<22} target {endpoint['target_rate']:>9.1f}/s achieved {endpoint['achieved_rate']:>9.1f}/s"
          f"  p50 {l['p50']:.2f} p99 {l['p99']:.2f} p99.9 {l['p999']:.2f} max {l['max']:.2f} ms  status {endpoint['status']}"
          f"  errors {endpoint.get('errors', {})}")
def capped(report):
    # Open loop: a side that achieved (nearly) the offered rate may have had more to give; its figure is a floor.
    target = report["overall"]["target_rate"]
    return target > 0 and report["overall"]["achieved_rate"] >= 0.97 * target
if server["overall"]["target_rate"] == 0:
    print("mode   closed loop: every connection sends its next request when it has an answer; rates are throughput")
if nginx:
    n = nginx["overall"]
    s = server["overall"]
    print(f"nginx  baseline achieved {n['achieved_rate']:.1f}/s p50 {n['latency_ms']['p50']:.2f} p99 {n['latency_ms']['p99']:.2f} ms"
          + ("  (capped by the offered rate)" if capped(nginx) else ""))
    note = ""
    if capped(nginx):
        note = "  (nginx was capped by the offered rate: this ratio is bounded by the load, not by nginx)"
    print(f"ratio  server/nginx throughput = {s['achieved_rate'] / n['achieved_rate']:.2f}{note}")
if capped(server):
    print("note   the server achieved the offered rate: its throughput figure is a floor (use --closed-loop)")
metrics_path = os.path.join(run_dir, "metrics.txt")
if os.path.exists(metrics_path):
    text = open(metrics_path).read()
    statements = sum(float(v) for v in re.findall(r"^inbox_db_statements_total (\S+)$", text, re.M))
    for family in ("media_meta", "media_download", "contact_lookup"):
        by_outcome = re.findall(r'^inbox_graph_requests_total\{endpoint="%s",outcome="([^"]+)"\} (\S+)$' % family, text, re.M)
        if any(float(v) > 0 for _, v in by_outcome):
            print(f"graph {family}: " + ", ".join(f"{o} {int(float(v))}" for o, v in by_outcome))
    requests = sum(float(v) for route, v in re.findall(r'^inbox_http_requests_total\{route="([^"]*)"[^}]*\} (\S+)$', text, re.M)
                   if route not in ("/health", "/metrics", "/webhook/whatsapp"))
    if requests >= 100:  # a webhook-only scenario has none but the per-query baseline's sample
        print(f"db round trips per API request (statements / non-health, non-webhook requests): {statements / requests:.2f}")
    graph_calls = sum(float(v) for v in re.findall(r'^inbox_graph_requests_total\{endpoint="send_text",outcome="success"\} (\S+)$', text, re.M))
    opened = sum(float(v) for v in re.findall(r"^inbox_graph_connections_opened_total (\S+)$", text, re.M))
    if graph_calls:
        print(f"graph: {int(graph_calls)} sends accepted over {int(opened)} connections opened")
    for route in ("send", "send_with_auto_template", "send_template"):
        own = [(le, float(v)) for le, v in re.findall(
            r'^inbox_send_overhead_seconds_bucket\{route="%s",le="([^"]+)"\} (\S+)$' % route, text, re.M)]
        if own and own[-1][1] > 0:
            total = own[-1][1]
            bound = lambda q: next(le for le, count in own if count >= q * total)
            print(f"server-side send overhead, route {route} (inbox_send_overhead_seconds, warm-up included): "
                  f"{int(total)} sends, p50 <= {bound(0.5)} s, p95 <= {bound(0.95)} s, p99 <= {bound(0.99)} s"
                  " (histogram buckets)")
# A media send of a fresh upload makes two Graph calls (the upload to Meta, then the send); the others one.
graph_calls_per_send = {"send_media": 2}
for name, endpoint in sorted(server["endpoints"].items()):
    if name.startswith("send") and endpoint["latency_ms"]["p99"] is not None:
        l = endpoint["latency_ms"]
        graph = graph_calls_per_send.get(name, 1) * graph_latency_ms
        print(f"server's own share of {name} (latency - {graph:.0f} ms of fake Graph): "
              f"p50 {l['p50'] - graph:.2f} p95 {l['p95'] - graph:.2f} p99 {l['p99'] - graph:.2f} ms")
uploads = os.path.join(run_dir, "uploads-throughput.txt")
if os.path.exists(uploads):
    for line in open(uploads):
        if not line.startswith("{"):
            print(line.rstrip())
if os.path.exists(metrics_path):
    lag = re.findall(r'^inbox_webhook_processing_lag_seconds_bucket\{le="([^"]+)"\} (\S+)$', text, re.M)
    if lag and float(lag[-1][1]) > 0:
        total = float(lag[-1][1])
        p99 = next(le for le, count in lag if float(count) >= 0.99 * total)
        print(f"webhook processing lag: {int(total)} events, p99 <= {p99} s (histogram bucket)")
pgbench = os.path.join(run_dir, "pgbench.txt")
if os.path.exists(pgbench):
    tps = re.search(r"tps = ([0-9.]+)", open(pgbench).read())
    print(f"pgbench single-row durable INSERT: {tps.group(1) if tps else '?'} tps")
import glob
latencies = sorted(int(line.split()[2]) / 1000.0 for path in glob.glob(os.path.join(run_dir, "pgbench-latency.*"))
                   if not path.endswith(".txt") for line in open(path) if len(line.split()) > 2)
if latencies:
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"pgbench durable commit at the same rate: {len(latencies)} commits, p50 {pick(0.5):.2f} p95 {pick(0.95):.2f} "
          f"p99 {pick(0.99):.2f} ms")
route = os.path.join(run_dir, "pgbench-route.txt")
if os.path.exists(route):
    text = open(route).read()
    tps = re.search(r"tps = ([0-9.]+)", text)
    latency = re.search(r"latency average = ([0-9.]+) ms", text)
    if tps:
        ratio = server["overall"]["achieved_rate"] / float(tps.group(1))
        print(f"pgbench, the routes' own statements (same parameters, same {server['connections']} clients): "
              f"{float(tps.group(1)):.1f} tps, latency avg {latency.group(1) if latency else '?'} ms; "
              f"ratio server/pgbench = {ratio:.2f}")
if os.path.exists(metrics_path):
    routed = dict(re.findall(r'^inbox_db_read_routing_total\{target="([^"]+)"\} (\S+)$', text, re.M))
    if routed:
        print("list reads routed: " + ", ".join(f"{target} {int(float(n))}" for target, n in sorted(routed.items())))
redis = os.path.join(run_dir, "redis-benchmark.txt")
if os.path.exists(redis):
    print("redis-benchmark: " + open(redis).read().strip().splitlines()[-1].strip())
