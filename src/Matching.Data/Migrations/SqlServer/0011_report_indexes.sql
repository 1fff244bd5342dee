-- Counterpart of Sqlite/0011_report_indexes.sql: the reports' counts by registration date and by enrolment date are
-- answered from covering indexes.

DROP INDEX ix_workers_created ON workers;
GO
CREATE INDEX ix_workers_created ON workers (created_at) INCLUDE (county_code, priority_groups);
CREATE INDEX ix_enrolments_created ON enrolments (created_at) INCLUDE (worker_id);
GO
