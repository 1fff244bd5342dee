-- Issue 12: survey fields of workers, Excel imports as background jobs, staff notifications (in-app inbox and a
-- durable webhook outbox), follow-up reminders, job-loss alerts (防返贫就业预警) and versioned .xlsx reports.

-- 户编号, 户类型 and 当前就业状态 from the labour-force survey (摸排); all optional.
ALTER TABLE workers ADD COLUMN household_number TEXT NULL;
ALTER TABLE workers ADD COLUMN household_type TEXT NULL;
ALTER TABLE workers ADD COLUMN employment_status TEXT NULL;
CREATE INDEX ix_workers_created ON workers (created_at);

-- Why a placement ended when it was ended directly (not by a follow-up).
ALTER TABLE placements ADD COLUMN left_reason TEXT NULL;
CREATE INDEX ix_placements_start ON placements (start_date);
CREATE INDEX ix_follow_ups_open ON placement_follow_ups (followed_up_on, due_date);

-- An uploaded survey sheet and what became of it. The file is kept so the result can be returned as the original
-- sheet with an error column; rejected rows are listed with their row number, column and reason.
CREATE TABLE import_jobs (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL,
    user_name        TEXT    NOT NULL,
    counties         TEXT    NOT NULL,   -- the caller's counties at upload, '|520502|'
    file_name        TEXT    NOT NULL,
    file_content     BLOB    NOT NULL,
    mode             TEXT    NOT NULL,   -- all-or-nothing, valid-rows
    on_existing      TEXT    NOT NULL,   -- update, report
    status           TEXT    NOT NULL,   -- queued, running, succeeded, rejected (all-or-nothing met bad rows), refused (bad file), failed
    message          TEXT    NULL,       -- why the file was refused or the job failed (Chinese)
    sheet_name       TEXT    NULL,
    header_row       INTEGER NULL,
    ignored_columns  TEXT    NULL,
    total_rows       INTEGER NOT NULL DEFAULT 0,
    processed_rows   INTEGER NOT NULL DEFAULT 0,
    created_count    INTEGER NOT NULL DEFAULT 0,
    updated_count    INTEGER NOT NULL DEFAULT 0,
    reported_count   INTEGER NOT NULL DEFAULT 0,
    rejected_count   INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT    NOT NULL,
    started_at       TEXT    NULL,
    finished_at      TEXT    NULL
);
CREATE INDEX ix_import_jobs_status ON import_jobs (status, id);
CREATE INDEX ix_import_jobs_user ON import_jobs (user_id, id);

CREATE TABLE import_rejections (
    job_id       INTEGER NOT NULL REFERENCES import_jobs (id),
    sheet_name   TEXT    NOT NULL,
    row_number   INTEGER NOT NULL,   -- as Excel numbers it
    column_name  TEXT    NOT NULL,   -- the sheet's header, or the field when no column holds it
    reason       TEXT    NOT NULL,
    kind         TEXT    NOT NULL    -- rejected (not written), reported (exists already, left as it was)
);
CREATE INDEX ix_import_rejections_job ON import_rejections (job_id, row_number);

-- In-app inbox, one row per user and message; a message about the same thing is written once per user.
CREATE TABLE inbox_messages (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    kind         TEXT    NOT NULL,   -- follow-up-due, follow-up-overdue, job-loss-alert
    subject_key  TEXT    NOT NULL,   -- e.g. placement:12:6, alert:5
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    link         TEXT    NULL,
    county_code  TEXT    NULL,
    created_at   TEXT    NOT NULL,
    read_at      TEXT    NULL
);
CREATE UNIQUE INDEX ux_inbox_messages_once ON inbox_messages (user_id, kind, subject_key);
CREATE INDEX ix_inbox_messages_user ON inbox_messages (user_id, id);

-- Messages for the HTTP webhook (a provincial SMS or messaging gateway), written in the transaction of what caused
-- them and sent by a sender that retries with back-off; a row stays until delivered, so a restart loses nothing.
CREATE TABLE webhook_outbox (
    id               INTEGER PRIMARY KEY,
    message_key      TEXT    NOT NULL,   -- sent as X-Matching-Message-Id, for the receiver to drop repeats
    kind             TEXT    NOT NULL,
    payload          TEXT    NOT NULL,   -- JSON; no ID numbers or phones
    created_at       TEXT    NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    delivered_at     TEXT    NULL,
    gave_up_at       TEXT    NULL,
    last_error       TEXT    NULL
);
CREATE UNIQUE INDEX ux_webhook_outbox_key ON webhook_outbox (message_key);
CREATE INDEX ix_webhook_outbox_pending ON webhook_outbox (delivered_at, gave_up_at, next_attempt_at);

-- Follow-up reminders sent, once per follow-up and stage (due, overdue).
CREATE TABLE follow_up_reminders (
    placement_id  INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    month         INTEGER NOT NULL,
    stage         TEXT    NOT NULL,
    county_code   TEXT    NOT NULL,
    recipients    INTEGER NOT NULL,
    sent_at       TEXT    NOT NULL,
    PRIMARY KEY (placement_id, month, stage)
);

-- 防返贫就业预警: one alert per triggering event (trigger_key), with the time of the event, of raising and of delivery.
CREATE TABLE job_loss_alerts (
    id                INTEGER PRIMARY KEY,
    worker_id         INTEGER NOT NULL REFERENCES workers (id),
    placement_id      INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    county_code       TEXT    NOT NULL,
    prefecture_code   TEXT    NOT NULL,
    trigger_kind      TEXT    NOT NULL,   -- not-employed, left-early, follow-up-overdue
    trigger_key       TEXT    NOT NULL,
    follow_up_month   INTEGER NULL,
    reason            TEXT    NOT NULL,
    event_at          TEXT    NOT NULL,
    raised_at         TEXT    NOT NULL,
    delivered_at      TEXT    NULL,
    delivery_seconds  REAL    NULL,       -- delivered_at - event_at
    recipients        INTEGER NULL,
    suggestions       TEXT    NULL,       -- JSON: re-match openings from the ranker and open cohorts
    status            TEXT    NOT NULL,   -- open, acknowledged, resolved
    acknowledged_at   TEXT    NULL,
    acknowledged_by   TEXT    NULL,
    resolved_at       TEXT    NULL,
    resolved_by       TEXT    NULL,
    resolution_note   TEXT    NULL,
    version           INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_job_loss_alerts_trigger ON job_loss_alerts (trigger_key);
CREATE INDEX ix_job_loss_alerts_county ON job_loss_alerts (county_code, status, id);
CREATE INDEX ix_job_loss_alerts_delivery ON job_loss_alerts (delivered_at, id);
CREATE INDEX ix_job_loss_alerts_placement ON job_loss_alerts (placement_id, trigger_kind, follow_up_month);

-- Reports: monthly (月调度), quarterly (季小结), annual (年总结), each period kept in versions (the latest is
-- current). Figures are stored per county and metric; a download renders only the caller's counties.
DROP INDEX ux_reports_period;
ALTER TABLE reports ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reports ADD COLUMN period_from TEXT NULL;
ALTER TABLE reports ADD COLUMN period_to TEXT NULL;
ALTER TABLE reports ADD COLUMN created_by TEXT NULL;
CREATE UNIQUE INDEX ux_reports_version ON reports (kind, period, version);

CREATE TABLE report_figures (
    report_id    INTEGER NOT NULL REFERENCES reports (id),
    county_code  TEXT    NOT NULL,
    metric       TEXT    NOT NULL,
    value        INTEGER NOT NULL,
    PRIMARY KEY (report_id, county_code, metric)
);
