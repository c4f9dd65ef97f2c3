# shellcheck shell=bash
# HAProxy in front of several `whatsapp-inbox serve` instances (issue #15, "many instances as one"). Source this
# file; it defines functions only. Used by `scripts/run.sh --instances N` and by the scale scenario
# (loadtest/scale.py calls it through bash), so both run the same proxy configuration.
#
#   haproxy_write_config PATH BIND_HOST BIND_PORT SERVER...   SERVER = host:port of one instance
#       Environment knobs (optional): HAPROXY_MAXCONN (10000, the server's own MAX_CONNECTIONS, or less when the
#       descriptor limit is lower),
#       HAPROXY_CONNECTIONS_PER_IP (1000, the server's MAX_CONNECTIONS_PER_IP, now enforced here).
#   haproxy_check_config PATH   → haproxy -c, quiet unless the file is wrong

HAPROXY_BIN=${HAPROXY_BIN:-/usr/sbin/haproxy}

haproxy_write_config() {
    local path=$1 bind_host=$2 bind_port=$3
    shift 3
    if (($# == 0)); then
        printf 'haproxy_write_config: at least one server (host:port) is needed\n' >&2
        return 2
    fi
    local maxconn=${HAPROXY_MAXCONN:-} per_ip=${HAPROXY_CONNECTIONS_PER_IP:-1000} server i=0 fds
    if [[ -z $maxconn ]]; then
        # HAProxy needs two descriptors per proxied connection and refuses to start past the hard limit.
        maxconn=10000
        fds=$(ulimit -Hn)
        if [[ $fds =~ ^[0-9]+$ ]] && (((fds - 100) / 2 < maxconn)); then
            maxconn=$(((fds - 100) / 2))
        fi
    fi
    {
        cat <<EOF
# Written by scripts/lib/haproxy.sh: $# whatsapp-inbox instance(s) behind one address.
global
    maxconn $maxconn

defaults
    mode http
    maxconn $maxconn
    # The instances see every connection coming from this proxy; the client's address travels in X-Forwarded-For.
    option forwardfor
    # A request whose connection to an instance failed (it is draining or gone) is sent to another instance.
    option redispatch
    retries 2
    timeout connect 2s
    # The server's own deadlines: 10 s for a request's header, 60 s idle keep-alive. Client and server inactivity
    # stay above the longest ordinary request (media ?wait=10, a send waiting on Graph's timeout).
    timeout http-request 10s
    timeout http-keep-alive 60s
    timeout client 65s
    timeout server 65s
    timeout queue 5s
    timeout check 2s
    timeout client-fin 5s
    timeout server-fin 5s
    # Upgraded connections (WebSocket, CONNECT) become tunnels: an hour of silence is allowed there. A Server-Sent
    # Events stream is an ordinary streamed answer, not a tunnel: the event_streams backend below sets its timeout.
    timeout tunnel 1h

frontend inbox
    bind $bind_host:$bind_port
    # The per-address connection cap the server applies (MAX_CONNECTIONS_PER_IP) sees only this proxy's address,
    # so it is applied here, per real client address, instead.
    stick-table type ip size 100k expire 60s store conn_cur
    tcp-request connection track-sc0 src
    tcp-request connection reject if { sc0_conn_cur gt $per_ip }
    # No instance in the rotation: the API's error shape, not HAProxy's HTML page.
    http-error status 503 content-type "application/json; charset=utf-8" hdr Retry-After 1 string "{\"error\":{\"code\":\"service_unavailable\",\"message\":\"no server instance is available\"}}"
    acl is_event_stream path_reg ^/accounts/[^/]+/events\$
    use_backend event_streams if is_event_stream
    default_backend instances

backend instances
    balance roundrobin
    # /ready is 503 while an instance drains (SIGTERM) or cannot reach Postgres: it leaves the rotation within
    # about a second and comes back after two good checks.
    option httpchk GET /ready
    http-check expect status 200
    default-server check inter 1s fastinter 250ms downinter 1s fall 2 rise 2
EOF
        for server in "$@"; do
            i=$((i + 1))
            printf '    server inbox%d %s\n' "$i" "$server"
        done
        cat <<'EOF'

# Server-Sent Events (/accounts/{id}/events): the same instances, with what a long-lived stream needs.
backend event_streams
    # Streams last for hours: spread them by how many each instance holds, not by turn.
    balance leastconn
    # Forward each event at once. Without it HAProxy sends a piece of an unfinished answer with MSG_MORE and the
    # kernel holds a lone event back for about 200 ms (measured by loadtest/scale.py, part c).
    option http-no-delay
    # Silence between two events may last longer than any ordinary answer (a ": ping" comes every 15 s).
    timeout server 1h
EOF
        i=0
        for server in "$@"; do
            i=$((i + 1))
            # The same instance's health as in the main backend: one check per instance, not two.
            printf '    server inbox%d %s track instances/inbox%d\n' "$i" "$server" "$i"
        done
    } >"$path"
}

haproxy_check_config() {
    local out
    if ! out=$("$HAPROXY_BIN" -c -q -f "$1" 2>&1); then
        printf '%s\n' "$out" >&2
        return 1
    fi
}
