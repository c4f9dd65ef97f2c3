-- API.md's status order, in one place for SQL: pending < sent < failed < delivered < read.
CREATE FUNCTION message_status_rank(status text) RETURNS integer
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    AS $$ SELECT CASE status WHEN 'pending' THEN 0 WHEN 'sent' THEN 1 WHEN 'failed' THEN 2
                             WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 ELSE -1 END $$;
