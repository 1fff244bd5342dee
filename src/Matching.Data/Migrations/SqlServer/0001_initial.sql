-- Foundation schema, the SQL Server counterpart of Sqlite/0001_initial.sql (same tables, columns and keys).
-- Types: dates are date, instants datetimeoffset(7), flags bit, ids bigint IDENTITY; multi-valued codes are stored as
-- '|a|b|' so that 'col LIKE @Pattern' filters the same way on both engines.

CREATE TABLE catalogue_versions (
    catalogue   nvarchar(100)     NOT NULL PRIMARY KEY,
    version     nvarchar(100)     NOT NULL,
    loaded_at   datetimeoffset(7) NOT NULL
);

CREATE TABLE workers (
    id                   bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    real_name            nvarchar(100)     NOT NULL,
    id_number_hash       varbinary(32)     NOT NULL,   -- HMAC-SHA256, for look-up and de-duplication
    id_number_cipher     varbinary(256)    NOT NULL,   -- AES-GCM
    id_number_masked     nvarchar(40)      NOT NULL,   -- 5224**********123X
    gender               int               NOT NULL,   -- 1 male, 2 female
    birth_date           date              NOT NULL,
    phone_hash           varbinary(32)     NOT NULL,
    phone_cipher         varbinary(256)    NOT NULL,
    phone_masked         nvarchar(40)      NOT NULL,
    county_code          nvarchar(12)      NOT NULL,   -- 户籍所在县
    prefecture_code      nvarchar(12)      NOT NULL,
    education            nvarchar(40)      NOT NULL,
    trades_json          nvarchar(max)     NOT NULL,
    trade_ids            nvarchar(2000)    NOT NULL,
    certificates_json    nvarchar(max)     NOT NULL,
    priority_groups      nvarchar(1000)    NOT NULL,
    destinations         nvarchar(2000)    NOT NULL,   -- in order of preference
    expected_wage        int               NOT NULL,
    available_from       date              NOT NULL,
    training_intentions  nvarchar(1000)    NOT NULL,
    notes                nvarchar(4000)    NULL,
    created_at           datetimeoffset(7) NOT NULL,
    updated_at           datetimeoffset(7) NOT NULL,
    version              int               NOT NULL
);
CREATE UNIQUE INDEX ux_workers_id_number_hash ON workers (id_number_hash);
CREATE INDEX ix_workers_county ON workers (county_code, id);
CREATE INDEX ix_workers_prefecture ON workers (prefecture_code, id);
CREATE INDEX ix_workers_phone_hash ON workers (phone_hash);

CREATE TABLE employers (
    id             bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    name           nvarchar(200)     NOT NULL,
    credit_code    nvarchar(18)      NOT NULL,
    city_code      nvarchar(12)      NOT NULL,
    province_code  nvarchar(12)      NOT NULL,
    industries     nvarchar(1000)    NOT NULL,
    contact_name   nvarchar(60)      NULL,
    contact_phone  nvarchar(40)      NULL,
    address        nvarchar(400)     NULL,
    created_at     datetimeoffset(7) NOT NULL,
    updated_at     datetimeoffset(7) NOT NULL,
    version        int               NOT NULL
);
CREATE UNIQUE INDEX ux_employers_credit_code ON employers (credit_code);
CREATE INDEX ix_employers_province ON employers (province_code, id);

CREATE TABLE training_bases (
    id              bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    employer_id     bigint            NOT NULL REFERENCES employers (id),
    name            nvarchar(200)     NOT NULL,
    kind            nvarchar(40)      NOT NULL,
    city_code       nvarchar(12)      NOT NULL,
    province_code   nvarchar(12)      NOT NULL,
    address         nvarchar(400)     NULL,
    trades          nvarchar(2000)    NOT NULL,
    training_types  nvarchar(400)     NOT NULL,
    created_at      datetimeoffset(7) NOT NULL,
    updated_at      datetimeoffset(7) NOT NULL,
    version         int               NOT NULL
);
CREATE INDEX ix_training_bases_employer ON training_bases (employer_id, id);

CREATE TABLE openings (
    id                     bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    base_id                bigint            NOT NULL REFERENCES training_bases (id),
    employer_id            bigint            NOT NULL REFERENCES employers (id),
    title                  nvarchar(200)     NOT NULL,
    trade_id               nvarchar(12)      NOT NULL,
    min_level              int               NOT NULL,
    max_level              int               NOT NULL,
    headcount              int               NOT NULL,
    wage_min               int               NOT NULL,
    wage_max               int               NOT NULL,
    accommodation          bit               NOT NULL,
    meals                  bit               NOT NULL,
    required_certificates  nvarchar(1000)    NOT NULL,
    age_min                int               NOT NULL,
    age_max                int               NOT NULL,
    training_type          nvarchar(40)      NULL,
    requirements           nvarchar(4000)    NULL,
    status                 nvarchar(20)      NOT NULL,
    created_at             datetimeoffset(7) NOT NULL,
    updated_at             datetimeoffset(7) NOT NULL,
    version                int               NOT NULL
);
CREATE INDEX ix_openings_base ON openings (base_id, id);
CREATE INDEX ix_openings_employer ON openings (employer_id, id);
CREATE INDEX ix_openings_trade ON openings (trade_id, id);

CREATE TABLE cohorts (
    id                  bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    base_id             bigint            NOT NULL REFERENCES training_bases (id),
    employer_id         bigint            NOT NULL REFERENCES employers (id),
    name                nvarchar(200)     NOT NULL,
    training_type       nvarchar(40)      NOT NULL,
    trades              nvarchar(2000)    NOT NULL,
    capacity            int               NOT NULL,
    min_size            int               NOT NULL,
    enrolment_deadline  date              NOT NULL,
    start_date          date              NOT NULL,
    end_date            date              NOT NULL,
    status              nvarchar(20)      NOT NULL,
    created_at          datetimeoffset(7) NOT NULL,
    updated_at          datetimeoffset(7) NOT NULL,
    version             int               NOT NULL
);
CREATE INDEX ix_cohorts_base ON cohorts (base_id, id);
CREATE INDEX ix_cohorts_start ON cohorts (status, start_date);

CREATE TABLE cohort_openings (
    cohort_id   bigint NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    opening_id  bigint NOT NULL REFERENCES openings (id),
    PRIMARY KEY (cohort_id, opening_id)
);
CREATE INDEX ix_cohort_openings_opening ON cohort_openings (opening_id);

CREATE TABLE enrolments (
    id          bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    cohort_id   bigint            NOT NULL REFERENCES cohorts (id),
    worker_id   bigint            NOT NULL REFERENCES workers (id),
    status      nvarchar(20)      NOT NULL,
    created_at  datetimeoffset(7) NOT NULL,
    updated_at  datetimeoffset(7) NOT NULL
);
CREATE UNIQUE INDEX ux_enrolments_cohort_worker ON enrolments (cohort_id, worker_id);
CREATE INDEX ix_enrolments_worker ON enrolments (worker_id);

CREATE TABLE placements (
    id            bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    worker_id     bigint            NOT NULL REFERENCES workers (id),
    employer_id   bigint            NOT NULL REFERENCES employers (id),
    opening_id    bigint            NULL REFERENCES openings (id),
    cohort_id     bigint            NULL REFERENCES cohorts (id),
    start_date    date              NOT NULL,
    monthly_wage  int               NOT NULL,
    status        nvarchar(20)      NOT NULL,
    left_on       date              NULL,
    created_at    datetimeoffset(7) NOT NULL,
    updated_at    datetimeoffset(7) NOT NULL,
    version       int               NOT NULL
);
CREATE INDEX ix_placements_worker ON placements (worker_id);
CREATE INDEX ix_placements_employer ON placements (employer_id, id);

-- 跟踪回访 at 1/3/6/12 months after the start.
CREATE TABLE placement_follow_ups (
    placement_id    bigint         NOT NULL REFERENCES placements (id) ON DELETE CASCADE,
    month           int            NOT NULL,
    due_date        date           NOT NULL,
    followed_up_on  date           NULL,
    still_employed  bit            NULL,
    monthly_wage    int            NULL,
    note            nvarchar(2000) NULL,
    PRIMARY KEY (placement_id, month)
);
CREATE INDEX ix_follow_ups_due ON placement_follow_ups (due_date);

-- Changes that must reach the search index, written in the same transaction as the change itself.
CREATE TABLE outbox (
    id               bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    entity           nvarchar(40)      NOT NULL,
    entity_id        bigint            NOT NULL,
    operation        nvarchar(20)      NOT NULL,
    created_at       datetimeoffset(7) NOT NULL,
    attempts         int               NOT NULL DEFAULT 0,
    next_attempt_at  datetimeoffset(7) NULL,
    processed_at     datetimeoffset(7) NULL,
    last_error       nvarchar(2000)    NULL
);
CREATE INDEX ix_outbox_pending ON outbox (processed_at, id);
