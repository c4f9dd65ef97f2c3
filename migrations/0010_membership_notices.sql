-- An event stream lives only as long as its user is a member of the account (API.md Part 2 "Events"): removing a
-- membership tells every server instance at once, through the live channel, so each ends that user's streams of
-- that account. NOTIFY is transactional: nothing is told for a rolled-back removal. A removal of more than 200
-- members at once (an account deleted) says "everyone": each stream then asks Postgres itself.
CREATE FUNCTION account_members_notify_removed() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    removed record;
BEGIN
    FOR removed IN SELECT g.account_id, array_agg(g.user_id) AS users FROM gone g GROUP BY g.account_id LOOP
        PERFORM pg_notify('inbox_live', json_build_object(
            'account_id', removed.account_id,
            'members_removed', CASE WHEN cardinality(removed.users) > 200 THEN to_json(ARRAY['*'])
                                    ELSE to_json(removed.users) END)::text);
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER account_members_removed AFTER DELETE ON account_members
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION account_members_notify_removed();

-- A member's role (API.md Part 2 "Team workflow"): admin or agent.
UPDATE account_members SET role = 'agent' WHERE role NOT IN ('admin', 'agent');
ALTER TABLE account_members ADD CONSTRAINT account_members_role CHECK (role IN ('admin', 'agent'));
