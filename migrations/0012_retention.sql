-- Retention (issue #25): finished rows are pruned in small batches (services::Retention). These partial indexes
-- let each batch find its oldest rows without scanning the live ones, and stay small: they hold only what is
-- finished.
CREATE INDEX webhook_events_finished ON webhook_events (received_at) WHERE status IN ('processed', 'ignored');
CREATE INDEX webhook_events_failed ON webhook_events (received_at) WHERE status = 'failed';
CREATE INDEX parked_statuses_by_age ON parked_statuses (received_at);
CREATE INDEX jobs_finished ON jobs (updated_at) WHERE status IN ('done', 'failed');
