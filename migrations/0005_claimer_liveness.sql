-- Claims tied to the claimer's liveness (webhook events and jobs). Each server instance holds one session-level
-- advisory lock (namespace 1364283729, a key of its own) on a dedicated connection for as long as it lives. A claim
-- records that key; it is alive while the lock is held. A SIGKILLed or crashed instance's sessions end with its
-- process, the lock is released at once, and another instance (or the restarted one) may take the work right away
-- instead of waiting out a lease. `locked_until` stays as a long backstop against a claimer that lives but hangs.
ALTER TABLE webhook_events ADD COLUMN claimed_by integer;
ALTER TABLE jobs ADD COLUMN claimed_by integer;

-- pg_locks, not pg_stat_activity: every role may read it whole, and a lock cannot be mistaken for a reused pid.
-- Advisory locks are per database, like the key space they guard.
CREATE FUNCTION claimer_alive(claimer integer) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND classid = 1364283729::oid AND objid = claimer::oid AND objsubid = 2)
$$;
