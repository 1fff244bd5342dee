-- Counterpart of Sqlite/0005_dispatch.sql: the enrolment lifecycle, idempotency keys, dispatch rounds (月调度), the
-- notification outbox, stored reports (季小结, 年总结) and the scheduler's own bookkeeping.

ALTER TABLE enrolments ADD source nvarchar(20) NOT NULL CONSTRAINT df_enrolments_source DEFAULT 'manual';
ALTER TABLE enrolments ADD note nvarchar(2000) NULL;
ALTER TABLE enrolments ADD dispatch_round_id bigint NULL;
GO
CREATE INDEX ix_enrolments_cohort_status ON enrolments (cohort_id, status, updated_at, id);
GO

-- The database itself refuses a seat beyond the capacity, whatever the code above it does: the last line of the
-- no-overbooking guarantee, as the two triggers on SQLite. It checks the cohorts of rows that took a seat in this
-- statement (inserted holding one, or updated into holding one). The cohort row is read with an update lock held to
-- the end of the transaction and the seats with a range lock, so two transactions filling the same cohort at once
-- cannot both see a free seat; the stores take the same cohort lock before counting, so they queue rather than
-- reach this check.
CREATE TRIGGER enrolments_capacity ON enrolments AFTER INSERT, UPDATE
AS
BEGIN
    SET NOCOUNT ON;
    IF EXISTS (
        SELECT 1
        FROM (SELECT DISTINCT i.cohort_id
              FROM inserted i LEFT JOIN deleted d ON d.id = i.id
              WHERE i.status IN ('offered', 'accepted')
                AND (d.id IS NULL OR d.status NOT IN ('offered', 'accepted'))) taken
        JOIN cohorts c WITH (UPDLOCK, HOLDLOCK) ON c.id = taken.cohort_id
        WHERE (SELECT COUNT(*) FROM enrolments e WITH (HOLDLOCK)
               WHERE e.cohort_id = taken.cohort_id AND e.status IN ('offered', 'accepted')) > c.capacity)
    BEGIN
        THROW 50201, 'cohort capacity exceeded', 1;
    END;
END;
GO

-- Idempotency-Key: one row per caller and key (see the SQLite script).
CREATE TABLE idempotency_keys (
    user_id          bigint            NOT NULL,
    idempotency_key  nvarchar(255)     NOT NULL,
    fingerprint      nvarchar(100)     NOT NULL,   -- SHA-256 of method, path and body
    state            nvarchar(20)      NOT NULL,   -- in-flight, done
    status_code      int               NULL,
    content_type     nvarchar(200)     NULL,
    location         nvarchar(2000)    NULL,
    etag             nvarchar(200)     NULL,
    body             varbinary(max)    NULL,
    created_at       datetimeoffset(7) NOT NULL,
    completed_at     datetimeoffset(7) NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);

-- A dispatch round: its input scope, mode and figures beside the first-come-first-served baseline of the same run.
CREATE TABLE dispatch_rounds (
    id                           bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    mode                         nvarchar(20)      NOT NULL,   -- optimal, stable
    scope_kind                   nvarchar(20)      NOT NULL,   -- county, prefecture, province
    scope_code                   nvarchar(12)      NOT NULL,
    priority_weight              float             NOT NULL,
    status                       nvarchar(20)      NOT NULL,   -- draft, committed
    proposal_period              nvarchar(20)      NULL,       -- '2026-07' for the monthly proposal job; one per month
    created_by_user_id           bigint            NULL,
    created_by                   nvarchar(200)     NOT NULL,
    created_at                   datetimeoffset(7) NOT NULL,
    committed_by_user_id         bigint            NULL,
    committed_by                 nvarchar(200)     NULL,
    committed_at                 datetimeoffset(7) NULL,
    workers                      int               NOT NULL,
    cohorts                      int               NOT NULL,
    candidate_pairs              bigint            NOT NULL,
    free_seats                   int               NOT NULL,
    seats_filled                 int               NOT NULL,
    expected_retained            float             NOT NULL,
    priority_placed              int               NOT NULL,
    objective                    float             NOT NULL,
    baseline_seats_filled        int               NOT NULL,
    baseline_expected_retained   float             NOT NULL,
    baseline_priority_placed     int               NOT NULL,
    baseline_objective           float             NOT NULL,
    solve_ms                     bigint            NOT NULL,
    offers_created               int               NULL,
    offers_skipped               int               NULL,
    version                      int               NOT NULL
);
-- One proposal per month; rounds made by hand have no period (a filtered index: many NULLs, each period once).
CREATE UNIQUE INDEX ux_dispatch_rounds_proposal ON dispatch_rounds (proposal_period) WHERE proposal_period IS NOT NULL;
CREATE INDEX ix_dispatch_rounds_created ON dispatch_rounds (created_at, id);

CREATE TABLE dispatch_round_cohorts (
    round_id           bigint        NOT NULL REFERENCES dispatch_rounds (id),
    cohort_id          bigint        NOT NULL REFERENCES cohorts (id),
    cohort_name        nvarchar(200) NOT NULL,
    free_seats         int           NOT NULL,
    assigned           int           NOT NULL,
    baseline_assigned  int           NOT NULL,
    PRIMARY KEY (round_id, cohort_id)
);

CREATE TABLE dispatch_assignments (
    round_id               bigint         NOT NULL REFERENCES dispatch_rounds (id),
    worker_id              bigint         NOT NULL REFERENCES workers (id),
    cohort_id              bigint         NOT NULL REFERENCES cohorts (id),
    county_code            nvarchar(12)   NOT NULL,
    retention_probability  float          NOT NULL,
    priority_group         int            NOT NULL,   -- 0 or 1, summed per county
    reasons                nvarchar(2000) NOT NULL,   -- Chinese phrases joined with '；'
    enrolment_id           bigint         NULL,       -- the offer created at commit
    outcome                nvarchar(400)  NULL,       -- at commit: offered, or why it was skipped
    PRIMARY KEY (round_id, worker_id)
);
CREATE INDEX ix_dispatch_assignments_cohort ON dispatch_assignments (round_id, cohort_id);
CREATE INDEX ix_dispatch_assignments_county ON dispatch_assignments (round_id, county_code);

-- Messages to workers (start reminders…), one per kind, cohort and worker.
CREATE TABLE notifications (
    id            bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    kind          nvarchar(40)      NOT NULL,   -- cohort-start-reminder
    cohort_id     bigint            NOT NULL,
    worker_id     bigint            NOT NULL,
    enrolment_id  bigint            NULL,
    message       nvarchar(2000)    NOT NULL,
    created_at    datetimeoffset(7) NOT NULL,
    sent_at       datetimeoffset(7) NULL,
    attempts      int               NOT NULL DEFAULT 0,
    last_error    nvarchar(1000)    NULL
);
CREATE UNIQUE INDEX ux_notifications_once ON notifications (kind, cohort_id, worker_id);
CREATE INDEX ix_notifications_pending ON notifications (sent_at, id);

-- Reports stored for download: quarterly (季小结) and annual (年总结) summaries. One per kind and period.
CREATE TABLE reports (
    id            bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    kind          nvarchar(20)      NOT NULL,   -- quarterly, annual
    period        nvarchar(20)      NOT NULL,   -- 2026-Q2, 2026
    title         nvarchar(200)     NOT NULL,
    file_name     nvarchar(200)     NOT NULL,
    content_type  nvarchar(100)     NOT NULL,
    content       nvarchar(max)     NOT NULL,
    created_at    datetimeoffset(7) NOT NULL
);
CREATE UNIQUE INDEX ux_reports_period ON reports (kind, period);

-- Small named values the scheduler keeps (e.g. how far it has read the outbox for cohort changes).
CREATE TABLE scheduling_state (
    name        nvarchar(100)     NOT NULL PRIMARY KEY,
    value       nvarchar(400)     NOT NULL,
    updated_at  datetimeoffset(7) NOT NULL
);
