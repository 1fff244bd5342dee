-- Foundation schema. Multi-valued codes are stored as '|a|b|' so that 'col LIKE @Pattern' filters the same way
-- on SQLite and SQL Server; full structures (trades with levels, certificates) are JSON beside them.

CREATE TABLE catalogue_versions (
    catalogue   TEXT NOT NULL PRIMARY KEY,
    version     TEXT NOT NULL,
    loaded_at   TEXT NOT NULL
);

CREATE TABLE workers (
    id                   INTEGER PRIMARY KEY,
    real_name            TEXT    NOT NULL,
    id_number_hash       BLOB    NOT NULL,   -- HMAC-SHA256, for look-up and de-duplication
    id_number_cipher     BLOB    NOT NULL,   -- AES-GCM
    id_number_masked     TEXT    NOT NULL,   -- 5224**********123X
    gender               INTEGER NOT NULL,   -- 1 male, 2 female
    birth_date           TEXT    NOT NULL,
    phone_hash           BLOB    NOT NULL,
    phone_cipher         BLOB    NOT NULL,
    phone_masked         TEXT    NOT NULL,
    county_code          TEXT    NOT NULL,   -- 户籍所在县
    prefecture_code      TEXT    NOT NULL,
    education            TEXT    NOT NULL,
    trades_json          TEXT    NOT NULL,
    trade_ids            TEXT    NOT NULL,
    certificates_json    TEXT    NOT NULL,
    priority_groups      TEXT    NOT NULL,
    destinations         TEXT    NOT NULL,   -- in order of preference
    expected_wage        INTEGER NOT NULL,
    available_from       TEXT    NOT NULL,
    training_intentions  TEXT    NOT NULL,
    notes                TEXT    NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    version              INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_workers_id_number_hash ON workers (id_number_hash);
CREATE INDEX ix_workers_county ON workers (county_code, id);
CREATE INDEX ix_workers_prefecture ON workers (prefecture_code, id);
CREATE INDEX ix_workers_phone_hash ON workers (phone_hash);

CREATE TABLE employers (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    credit_code    TEXT NOT NULL,
    city_code      TEXT NOT NULL,
    province_code  TEXT NOT NULL,
    industries     TEXT NOT NULL,
    contact_name   TEXT NULL,
    contact_phone  TEXT NULL,
    address        TEXT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_employers_credit_code ON employers (credit_code);
CREATE INDEX ix_employers_province ON employers (province_code, id);

CREATE TABLE training_bases (
    id              INTEGER PRIMARY KEY,
    employer_id     INTEGER NOT NULL REFERENCES employers (id),
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    city_code       TEXT NOT NULL,
    province_code   TEXT NOT NULL,
    address         TEXT NULL,
    trades          TEXT NOT NULL,
    training_types  TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX ix_training_bases_employer ON training_bases (employer_id, id);

CREATE TABLE openings (
    id                     INTEGER PRIMARY KEY,
    base_id                INTEGER NOT NULL REFERENCES training_bases (id),
    employer_id            INTEGER NOT NULL REFERENCES employers (id),
    title                  TEXT NOT NULL,
    trade_id               TEXT NOT NULL,
    min_level              INTEGER NOT NULL,
    max_level              INTEGER NOT NULL,
    headcount              INTEGER NOT NULL,
    wage_min               INTEGER NOT NULL,
    wage_max               INTEGER NOT NULL,
    accommodation          INTEGER NOT NULL,
    meals                  INTEGER NOT NULL,
    required_certificates  TEXT NOT NULL,
    age_min                INTEGER NOT NULL,
    age_max                INTEGER NOT NULL,
    training_type          TEXT NULL,
    requirements           TEXT NULL,
    status                 TEXT NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    version                INTEGER NOT NULL
);
CREATE INDEX ix_openings_base ON openings (base_id, id);
CREATE INDEX ix_openings_employer ON openings (employer_id, id);
CREATE INDEX ix_openings_trade ON openings (trade_id, id);

CREATE TABLE cohorts (
    id                  INTEGER PRIMARY KEY,
    base_id             INTEGER NOT NULL REFERENCES training_bases (id),
    employer_id         INTEGER NOT NULL REFERENCES employers (id),
    name                TEXT NOT NULL,
    training_type       TEXT NOT NULL,
    trades              TEXT NOT NULL,
    capacity            INTEGER NOT NULL,
    min_size            INTEGER NOT NULL,
    enrolment_deadline  TEXT NOT NULL,
    start_date          TEXT NOT NULL,
    end_date            TEXT NOT NULL,
    status              TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    version             INTEGER NOT NULL
);
CREATE INDEX ix_cohorts_base ON cohorts (base_id, id);
CREATE INDEX ix_cohorts_start ON cohorts (status, start_date);

CREATE TABLE cohort_openings (
    cohort_id   INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    opening_id  INTEGER NOT NULL REFERENCES openings (id),
    PRIMARY KEY (cohort_id, opening_id)
);
CREATE INDEX ix_cohort_openings_opening ON cohort_openings (opening_id);

CREATE TABLE enrolments (
    id          INTEGER PRIMARY KEY,
    cohort_id   INTEGER NOT NULL REFERENCES cohorts (id),
    worker_id   INTEGER NOT NULL REFERENCES workers (id),
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_enrolments_cohort_worker ON enrolments (cohort_id, worker_id);
CREATE INDEX ix_enrolments_worker ON enrolments (worker_id);

CREATE TABLE placements (
    id            INTEGER PRIMARY KEY,
    worker_id     INTEGER NOT NULL REFERENCES workers (id),
    employer_id   INTEGER NOT NULL REFERENCES employers (id),
    opening_id    INTEGER NULL REFERENCES openings (id),
    cohort_id     INTEGER NULL REFERENCES cohorts (id),
    start_date    TEXT NOT NULL,
    monthly_wage  INTEGER NOT NULL,
    status        TEXT NOT NULL,
    left_on       TEXT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    version       INTEGER NOT NULL
);
CREATE INDEX ix_placements_worker ON placements (worker_id);
CREATE INDEX ix_placements_employer ON placements (employer_id, id);

-- 跟踪回访 at 1/3/6/12 months after the start.
CREATE TABLE placement_follow_ups (
    placement_id    INTEGER NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    month           INTEGER NOT NULL,
    due_date        TEXT NOT NULL,
    followed_up_on  TEXT NULL,
    still_employed  INTEGER NULL,
    monthly_wage    INTEGER NULL,
    note            TEXT NULL,
    PRIMARY KEY (placement_id, month)
);
CREATE INDEX ix_follow_ups_due ON placement_follow_ups (due_date);

-- Changes that must reach the search index, written in the same transaction as the change itself.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    entity           TEXT NOT NULL,
    entity_id        INTEGER NOT NULL,
    operation        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NULL,
    processed_at     TEXT NULL,
    last_error       TEXT NULL
);
CREATE INDEX ix_outbox_pending ON outbox (processed_at, id);
