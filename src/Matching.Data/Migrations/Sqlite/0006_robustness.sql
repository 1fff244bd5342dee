-- Robustness (no single row may stop background work): what a job could not do, recorded for admins and for
-- /health/ready, and outbox rows set aside after their retries so the rows after them keep flowing.

-- A row a background job met and could not handle (e.g. a cohort whose dates cannot be scheduled). The job records
-- it, skips it and goes on; the record goes away when the row is handled again. No foreign key: the row may be
-- broken or gone.
CREATE TABLE background_problems (
    kind           TEXT    NOT NULL,   -- cohort-schedule, cohort-step
    subject_id     INTEGER NOT NULL,   -- e.g. the cohort's id
    detail         TEXT    NOT NULL,   -- in Chinese, never personal data
    first_seen_at  TEXT    NOT NULL,
    last_seen_at   TEXT    NOT NULL,
    PRIMARY KEY (kind, subject_id)
);

-- An outbox row that kept failing on its own after its retries: set aside (shown to admins), no longer blocking.
ALTER TABLE outbox ADD COLUMN set_aside_at TEXT NULL;
