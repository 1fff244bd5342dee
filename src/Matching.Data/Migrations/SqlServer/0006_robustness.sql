-- Counterpart of Sqlite/0006_robustness.sql: rows a background job could not handle (for admins and /health/ready),
-- and outbox rows set aside after their retries so the rows after them keep flowing.

-- No foreign key: the row recorded may be broken or gone.
CREATE TABLE background_problems (
    kind           nvarchar(40)      NOT NULL,   -- cohort-schedule, cohort-step
    subject_id     bigint            NOT NULL,   -- e.g. the cohort's id
    detail         nvarchar(1000)    NOT NULL,   -- in Chinese, never personal data
    first_seen_at  datetimeoffset(7) NOT NULL,
    last_seen_at   datetimeoffset(7) NOT NULL,
    CONSTRAINT pk_background_problems PRIMARY KEY (kind, subject_id)
);
GO

ALTER TABLE outbox ADD set_aside_at datetimeoffset(7) NULL;
GO
