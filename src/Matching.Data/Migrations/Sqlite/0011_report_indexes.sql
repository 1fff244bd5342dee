-- Indexes the reports' counts run on (年总结 over a million workers in seconds): registrations of a period are counted
-- from the index alone (county and priority group beside the date), and a period's enrolments are found by date
-- instead of by scanning every worker.

DROP INDEX ix_workers_created;
CREATE INDEX ix_workers_created ON workers (created_at, county_code, priority_groups);
CREATE INDEX ix_enrolments_created ON enrolments (created_at, worker_id);
