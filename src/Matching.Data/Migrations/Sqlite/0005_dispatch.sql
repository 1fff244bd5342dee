-- Enrolment lifecycle (offer → accept/decline, waitlist, promotion), idempotency keys, dispatch rounds (月调度),
-- the notification outbox, stored reports (季小结, 年总结) and the scheduler's own bookkeeping.

-- Where an enrolment came from: manual (a clerk), dispatch (a committed round), waitlist (promoted), re-offer (its
-- cohort was cancelled). The note says why in Chinese, e.g. which cancelled cohort a re-offer replaces.
ALTER TABLE enrolments ADD COLUMN source TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE enrolments ADD COLUMN note TEXT NULL;
ALTER TABLE enrolments ADD COLUMN dispatch_round_id INTEGER NULL;
CREATE INDEX ix_enrolments_cohort_status ON enrolments (cohort_id, status, updated_at, id);

-- The database itself refuses a seat beyond the capacity, whatever the code above it does: the last line of the
-- no-overbooking guarantee (the stores already count seats inside a write transaction).
CREATE TRIGGER enrolments_capacity_insert BEFORE INSERT ON enrolments
WHEN NEW.status IN ('offered', 'accepted')
 AND (SELECT COUNT(*) FROM enrolments WHERE cohort_id = NEW.cohort_id AND status IN ('offered', 'accepted'))
     >= (SELECT capacity FROM cohorts WHERE id = NEW.cohort_id)
BEGIN
    SELECT RAISE(ABORT, 'cohort capacity exceeded');
END;

CREATE TRIGGER enrolments_capacity_update BEFORE UPDATE OF status ON enrolments
WHEN NEW.status IN ('offered', 'accepted') AND OLD.status NOT IN ('offered', 'accepted')
 AND (SELECT COUNT(*) FROM enrolments WHERE cohort_id = NEW.cohort_id AND status IN ('offered', 'accepted'))
     >= (SELECT capacity FROM cohorts WHERE id = NEW.cohort_id)
BEGIN
    SELECT RAISE(ABORT, 'cohort capacity exceeded');
END;

-- Idempotency-Key (IETF draft-ietf-httpapi-idempotency-key-header): one row per caller and key. A retry with the
-- same request gets the stored response; another request under the same key is refused (422); a request still in
-- flight is refused (409) until it completes or its lease expires.
CREATE TABLE idempotency_keys (
    user_id          INTEGER NOT NULL,
    idempotency_key  TEXT    NOT NULL,
    fingerprint      TEXT    NOT NULL,   -- SHA-256 of method, path and body
    state            TEXT    NOT NULL,   -- in-flight, done
    status_code      INTEGER NULL,
    content_type     TEXT    NULL,
    location         TEXT    NULL,
    etag             TEXT    NULL,
    body             BLOB    NULL,
    created_at       TEXT    NOT NULL,
    completed_at     TEXT    NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at);

-- A dispatch round: its input scope, mode and figures beside the first-come-first-served baseline of the same run.
CREATE TABLE dispatch_rounds (
    id                           INTEGER PRIMARY KEY,
    mode                         TEXT    NOT NULL,   -- optimal, stable
    scope_kind                   TEXT    NOT NULL,   -- county, prefecture, province
    scope_code                   TEXT    NOT NULL,
    priority_weight              REAL    NOT NULL,
    status                       TEXT    NOT NULL,   -- draft, committed
    proposal_period              TEXT    NULL,       -- '2026-07' for the monthly proposal job; one per month
    created_by_user_id           INTEGER NULL,
    created_by                   TEXT    NOT NULL,
    created_at                   TEXT    NOT NULL,
    committed_by_user_id         INTEGER NULL,
    committed_by                 TEXT    NULL,
    committed_at                 TEXT    NULL,
    workers                      INTEGER NOT NULL,
    cohorts                      INTEGER NOT NULL,
    candidate_pairs              INTEGER NOT NULL,
    free_seats                   INTEGER NOT NULL,
    seats_filled                 INTEGER NOT NULL,
    expected_retained            REAL    NOT NULL,
    priority_placed              INTEGER NOT NULL,
    objective                    REAL    NOT NULL,
    baseline_seats_filled        INTEGER NOT NULL,
    baseline_expected_retained   REAL    NOT NULL,
    baseline_priority_placed     INTEGER NOT NULL,
    baseline_objective           REAL    NOT NULL,
    solve_ms                     INTEGER NOT NULL,
    offers_created               INTEGER NULL,
    offers_skipped               INTEGER NULL,
    version                      INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_dispatch_rounds_proposal ON dispatch_rounds (proposal_period) WHERE proposal_period IS NOT NULL;
CREATE INDEX ix_dispatch_rounds_created ON dispatch_rounds (created_at, id);

CREATE TABLE dispatch_round_cohorts (
    round_id           INTEGER NOT NULL REFERENCES dispatch_rounds (id),
    cohort_id          INTEGER NOT NULL REFERENCES cohorts (id),
    cohort_name        TEXT    NOT NULL,
    free_seats         INTEGER NOT NULL,
    assigned           INTEGER NOT NULL,
    baseline_assigned  INTEGER NOT NULL,
    PRIMARY KEY (round_id, cohort_id)
);

CREATE TABLE dispatch_assignments (
    round_id               INTEGER NOT NULL REFERENCES dispatch_rounds (id),
    worker_id              INTEGER NOT NULL REFERENCES workers (id),
    cohort_id              INTEGER NOT NULL REFERENCES cohorts (id),
    county_code            TEXT    NOT NULL,
    retention_probability  REAL    NOT NULL,
    priority_group         INTEGER NOT NULL,
    reasons                TEXT    NOT NULL,   -- Chinese phrases joined with '；'
    enrolment_id           INTEGER NULL,       -- the offer created at commit
    outcome                TEXT    NULL,       -- at commit: offered, or why it was skipped
    PRIMARY KEY (round_id, worker_id)
);
CREATE INDEX ix_dispatch_assignments_cohort ON dispatch_assignments (round_id, cohort_id);
CREATE INDEX ix_dispatch_assignments_county ON dispatch_assignments (round_id, county_code);

-- Messages to workers (start reminders…), written by jobs in their transaction and drained by a sender. One per
-- kind, cohort and worker, so a job that runs twice does not remind twice.
CREATE TABLE notifications (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,   -- cohort-start-reminder
    cohort_id     INTEGER NOT NULL,
    worker_id     INTEGER NOT NULL,
    enrolment_id  INTEGER NULL,
    message       TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    sent_at       TEXT    NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT    NULL
);
CREATE UNIQUE INDEX ux_notifications_once ON notifications (kind, cohort_id, worker_id);
CREATE INDEX ix_notifications_pending ON notifications (sent_at, id);

-- Reports stored for download: quarterly (季小结) and annual (年总结) summaries. One per kind and period.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,   -- quarterly, annual
    period        TEXT    NOT NULL,   -- 2026-Q2, 2026
    title         TEXT    NOT NULL,
    file_name     TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    content       TEXT    NOT NULL,
    created_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_reports_period ON reports (kind, period);

-- Small named values the scheduler keeps (e.g. how far it has read the outbox for cohort changes).
CREATE TABLE scheduling_state (
    name        TEXT NOT NULL PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
