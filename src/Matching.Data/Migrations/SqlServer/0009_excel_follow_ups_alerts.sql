-- Counterpart of Sqlite/0009_excel_follow_ups_alerts.sql: survey fields of workers, Excel imports as background jobs,
-- staff notifications (in-app inbox and a durable webhook outbox), follow-up reminders, job-loss alerts (防返贫就业预警)
-- and versioned .xlsx reports.

-- 户编号, 户类型 and 当前就业状态 from the labour-force survey (摸排); all optional.
ALTER TABLE workers ADD household_number nvarchar(30) NULL;
ALTER TABLE workers ADD household_type nvarchar(40) NULL;
ALTER TABLE workers ADD employment_status nvarchar(40) NULL;
-- Why a placement ended when it was ended directly (not by a follow-up).
ALTER TABLE placements ADD left_reason nvarchar(200) NULL;
GO
CREATE INDEX ix_workers_created ON workers (created_at);
CREATE INDEX ix_placements_start ON placements (start_date);
CREATE INDEX ix_follow_ups_open ON placement_follow_ups (followed_up_on, due_date);

-- An uploaded survey sheet and what became of it. The file is kept so the result can be returned as the original
-- sheet with an error column; rejected rows are listed with their row number, column and reason.
CREATE TABLE import_jobs (
    id               bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    user_id          bigint            NOT NULL,
    user_name        nvarchar(200)     NOT NULL,
    counties         nvarchar(2000)    NOT NULL,   -- the caller's counties at upload, '|520502|'
    file_name        nvarchar(400)     NOT NULL,
    file_content     varbinary(max)    NOT NULL,
    mode             nvarchar(20)      NOT NULL,   -- all-or-nothing, valid-rows
    on_existing      nvarchar(20)      NOT NULL,   -- update, report
    status           nvarchar(20)      NOT NULL,   -- queued, running, succeeded, rejected (all-or-nothing met bad rows), refused (bad file), failed
    message          nvarchar(2000)    NULL,       -- why the file was refused or the job failed (Chinese)
    sheet_name       nvarchar(200)     NULL,
    header_row       int               NULL,
    ignored_columns  nvarchar(max)     NULL,
    total_rows       int               NOT NULL DEFAULT 0,
    processed_rows   int               NOT NULL DEFAULT 0,
    created_count    int               NOT NULL DEFAULT 0,
    updated_count    int               NOT NULL DEFAULT 0,
    reported_count   int               NOT NULL DEFAULT 0,
    rejected_count   int               NOT NULL DEFAULT 0,
    created_at       datetimeoffset(7) NOT NULL,
    started_at       datetimeoffset(7) NULL,
    finished_at      datetimeoffset(7) NULL
);
CREATE INDEX ix_import_jobs_status ON import_jobs (status, id);
CREATE INDEX ix_import_jobs_user ON import_jobs (user_id, id);

CREATE TABLE import_rejections (
    job_id       bigint         NOT NULL REFERENCES import_jobs (id),
    sheet_name   nvarchar(200)  NOT NULL,
    row_number   int            NOT NULL,   -- as Excel numbers it
    column_name  nvarchar(200)  NOT NULL,   -- the sheet's header, or the field when no column holds it
    reason       nvarchar(1000) NOT NULL,
    kind         nvarchar(20)   NOT NULL    -- rejected (not written), reported (exists already, left as it was)
);
CREATE INDEX ix_import_rejections_job ON import_rejections (job_id, row_number);

-- In-app inbox, one row per user and message; a message about the same thing is written once per user.
CREATE TABLE inbox_messages (
    id           bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    user_id      bigint            NOT NULL REFERENCES users (id),
    kind         nvarchar(40)      NOT NULL,   -- follow-up-due, follow-up-overdue, job-loss-alert
    subject_key  nvarchar(200)     NOT NULL,   -- e.g. placement:12:6, alert:5
    title        nvarchar(400)     NOT NULL,
    body         nvarchar(4000)    NOT NULL,
    link         nvarchar(400)     NULL,
    county_code  nvarchar(12)      NULL,
    created_at   datetimeoffset(7) NOT NULL,
    read_at      datetimeoffset(7) NULL
);
CREATE UNIQUE INDEX ux_inbox_messages_once ON inbox_messages (user_id, kind, subject_key);
CREATE INDEX ix_inbox_messages_user ON inbox_messages (user_id, id);

-- Messages for the HTTP webhook (a provincial SMS or messaging gateway), written in the transaction of what caused
-- them and sent by a sender that retries with back-off; a row stays until delivered, so a restart loses nothing.
CREATE TABLE webhook_outbox (
    id               bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    message_key      nvarchar(200)     NOT NULL,   -- sent as X-Matching-Message-Id, for the receiver to drop repeats
    kind             nvarchar(40)      NOT NULL,
    payload          nvarchar(max)     NOT NULL,   -- JSON; no ID numbers or phones
    created_at       datetimeoffset(7) NOT NULL,
    attempts         int               NOT NULL DEFAULT 0,
    next_attempt_at  datetimeoffset(7) NOT NULL,
    delivered_at     datetimeoffset(7) NULL,
    gave_up_at       datetimeoffset(7) NULL,
    last_error       nvarchar(1000)    NULL
);
CREATE UNIQUE INDEX ux_webhook_outbox_key ON webhook_outbox (message_key);
CREATE INDEX ix_webhook_outbox_pending ON webhook_outbox (delivered_at, gave_up_at, next_attempt_at);

-- Follow-up reminders sent, once per follow-up and stage (due, overdue).
CREATE TABLE follow_up_reminders (
    placement_id  bigint            NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    month         int               NOT NULL,
    stage         nvarchar(20)      NOT NULL,
    county_code   nvarchar(12)      NOT NULL,
    recipients    int               NOT NULL,
    sent_at       datetimeoffset(7) NOT NULL,
    PRIMARY KEY (placement_id, month, stage)
);

-- 防返贫就业预警: one alert per triggering event (trigger_key), with the time of the event, of raising and of delivery.
CREATE TABLE job_loss_alerts (
    id                bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    worker_id         bigint            NOT NULL REFERENCES workers (id),
    placement_id      bigint            NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    county_code       nvarchar(12)      NOT NULL,
    prefecture_code   nvarchar(12)      NOT NULL,
    trigger_kind      nvarchar(40)      NOT NULL,   -- not-employed, left-early, follow-up-overdue
    trigger_key       nvarchar(200)     NOT NULL,
    follow_up_month   int               NULL,
    reason            nvarchar(400)     NOT NULL,
    event_at          datetimeoffset(7) NOT NULL,
    raised_at         datetimeoffset(7) NOT NULL,
    delivered_at      datetimeoffset(7) NULL,
    delivery_seconds  float             NULL,       -- delivered_at - event_at
    recipients        int               NULL,
    suggestions       nvarchar(max)     NULL,       -- JSON: re-match openings from the ranker and open cohorts
    status            nvarchar(20)      NOT NULL,   -- open, acknowledged, resolved
    acknowledged_at   datetimeoffset(7) NULL,
    acknowledged_by   nvarchar(200)     NULL,
    resolved_at       datetimeoffset(7) NULL,
    resolved_by       nvarchar(200)     NULL,
    resolution_note   nvarchar(2000)    NULL,
    version           int               NOT NULL
);
CREATE UNIQUE INDEX ux_job_loss_alerts_trigger ON job_loss_alerts (trigger_key);
CREATE INDEX ix_job_loss_alerts_county ON job_loss_alerts (county_code, status, id);
CREATE INDEX ix_job_loss_alerts_delivery ON job_loss_alerts (delivered_at, id);
CREATE INDEX ix_job_loss_alerts_placement ON job_loss_alerts (placement_id, trigger_kind, follow_up_month);

-- Reports: monthly (月调度), quarterly (季小结), annual (年总结), each period kept in versions (the latest is
-- current). Figures are stored per county and metric; a download renders only the caller's counties.
DROP INDEX ux_reports_period ON reports;
ALTER TABLE reports ADD version int NOT NULL CONSTRAINT df_reports_version DEFAULT 1;
ALTER TABLE reports ADD period_from date NULL;
ALTER TABLE reports ADD period_to date NULL;
ALTER TABLE reports ADD created_by nvarchar(200) NULL;
GO
CREATE UNIQUE INDEX ux_reports_version ON reports (kind, period, version);

CREATE TABLE report_figures (
    report_id    bigint        NOT NULL REFERENCES reports (id),
    county_code  nvarchar(12)  NOT NULL,
    metric       nvarchar(60)  NOT NULL,
    value        bigint        NOT NULL,
    PRIMARY KEY (report_id, county_code, metric)
);
