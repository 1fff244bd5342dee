-- Training records and subsidies (issue 11): the worker's social security card and vital status; designated training
-- institutions and their teachers; who taught a cohort; attendance, completion and assessment per enrolment;
-- certificates gained; certificate subsidy claims with their integrity findings and payment files.

-- 社会保障卡号, kept like the ID number: keyed hash (look-up, one card per worker), encryption, masked text.
ALTER TABLE workers ADD COLUMN social_security_hash BLOB NULL;
ALTER TABLE workers ADD COLUMN social_security_cipher BLOB NULL;
ALTER TABLE workers ADD COLUMN social_security_masked TEXT NULL;
-- living | deceased | emigrated, set by a county office; a deceased or emigrated person's ID number gets no seat or subsidy.
ALTER TABLE workers ADD COLUMN vital_status TEXT NOT NULL DEFAULT 'living';
ALTER TABLE workers ADD COLUMN vital_status_since TEXT NULL;
ALTER TABLE workers ADD COLUMN vital_status_note TEXT NULL;
CREATE UNIQUE INDEX ux_workers_social_security_hash ON workers (social_security_hash) WHERE social_security_hash IS NOT NULL;

-- 定点培训机构: public or private, a school or an enterprise base (linked to the employer whose base it is).
CREATE TABLE training_institutions (
    id             INTEGER PRIMARY KEY,
    name           TEXT    NOT NULL,
    ownership      TEXT    NOT NULL,   -- public | private
    kind           TEXT    NOT NULL,   -- training-school | vocational-school | enterprise-base
    credit_code    TEXT    NOT NULL,
    division_code  TEXT    NOT NULL,
    province_code  TEXT    NOT NULL,
    employer_id    INTEGER NULL REFERENCES employers (id),
    trades         TEXT    NOT NULL,
    active         INTEGER NOT NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    version        INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_training_institutions_credit_code ON training_institutions (credit_code);
CREATE INDEX ix_training_institutions_employer ON training_institutions (employer_id);

-- Teachers, one row per person (ID number hashed and encrypted like workers'), engaged per institution and year.
CREATE TABLE teachers (
    id                INTEGER PRIMARY KEY,
    real_name         TEXT NOT NULL,
    id_number_hash    BLOB NOT NULL,
    id_number_cipher  BLOB NOT NULL,
    id_number_masked  TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_teachers_id_number_hash ON teachers (id_number_hash);

CREATE TABLE teacher_engagements (
    id                INTEGER PRIMARY KEY,
    teacher_id        INTEGER NOT NULL REFERENCES teachers (id),
    institution_id    INTEGER NOT NULL REFERENCES training_institutions (id),
    year              INTEGER NOT NULL,
    employment        TEXT    NOT NULL,   -- full-time | part-time
    qualified_trades  TEXT    NOT NULL,   -- 上岗资格: trades the teacher may teach
    created_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_teacher_engagements ON teacher_engagements (teacher_id, institution_id, year);
CREATE INDEX ix_teacher_engagements_institution ON teacher_engagements (institution_id, year);
CREATE INDEX ix_teacher_engagements_teacher_year ON teacher_engagements (teacher_id, year);

-- The institution that delivers a cohort (none for an enterprise's own base) and the cohort's teachers.
ALTER TABLE cohorts ADD COLUMN institution_id INTEGER NULL REFERENCES training_institutions (id);
CREATE TABLE cohort_teachers (
    cohort_id   INTEGER NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    teacher_id  INTEGER NOT NULL REFERENCES teachers (id),
    PRIMARY KEY (cohort_id, teacher_id)
);
CREATE INDEX ix_cohort_teachers_teacher ON cohort_teachers (teacher_id);

-- 考勤、结业、考核: one row per enrolment that took part; written pending when the cohort completes, then by the base.
CREATE TABLE training_results (
    enrolment_id    INTEGER PRIMARY KEY REFERENCES enrolments (id),
    cohort_id       INTEGER NOT NULL REFERENCES cohorts (id),
    worker_id       INTEGER NOT NULL REFERENCES workers (id),
    days_scheduled  INTEGER NOT NULL,
    days_attended   INTEGER NULL,
    completion      TEXT    NOT NULL,   -- pending | completed | not-completed
    completed_on    TEXT    NULL,
    assessment_passed  INTEGER NULL,
    assessed_on     TEXT    NULL,
    assessing_body  TEXT    NULL,
    updated_at      TEXT    NOT NULL,
    version         INTEGER NOT NULL
);
CREATE INDEX ix_training_results_worker ON training_results (worker_id);
CREATE INDEX ix_training_results_cohort ON training_results (cohort_id);
CREATE INDEX ix_training_results_completed ON training_results (completion, completed_on);

-- 证书: certificates gained, as recorded from the issuing body; a number is recorded once per type.
CREATE TABLE certificates (
    id                INTEGER PRIMARY KEY,
    worker_id         INTEGER NOT NULL REFERENCES workers (id),
    enrolment_id      INTEGER NULL REFERENCES enrolments (id),
    type              TEXT    NOT NULL,
    trade_id          TEXT    NOT NULL,
    level             INTEGER NULL,
    number            TEXT    NOT NULL,
    issuing_body      TEXT    NOT NULL,
    issuing_province  TEXT    NOT NULL,
    issued_on         TEXT    NOT NULL,
    expires_on        TEXT    NULL,
    created_at        TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_certificates_number ON certificates (type, number);
CREATE INDEX ix_certificates_worker ON certificates (worker_id);
CREATE INDEX ix_certificates_level ON certificates (level, issued_on);

-- 证书直补申领: amounts from the catalogue at creation; findings of the last integrity check as JSON.
CREATE TABLE subsidy_claims (
    id                   INTEGER PRIMARY KEY,
    worker_id            INTEGER NOT NULL REFERENCES workers (id),
    enrolment_id         INTEGER NOT NULL REFERENCES enrolments (id),
    cohort_id            INTEGER NOT NULL REFERENCES cohorts (id),
    certificate_id       INTEGER NOT NULL REFERENCES certificates (id),
    county_code          TEXT    NOT NULL,
    certificate_type     TEXT    NOT NULL,
    trade_id             TEXT    NOT NULL,
    level                INTEGER NULL,
    amount               INTEGER NOT NULL,
    living_allowance     INTEGER NOT NULL,
    basis                TEXT    NOT NULL,
    bank_account_hash    BLOB    NOT NULL,
    bank_account_cipher  BLOB    NOT NULL,
    bank_account_masked  TEXT    NOT NULL,
    status               TEXT    NOT NULL,   -- submitted | approved | rejected | paid
    findings_json        TEXT    NOT NULL,
    checked_at           TEXT    NOT NULL,
    claimed_on           TEXT    NOT NULL,
    granted_year         INTEGER NULL,       -- calendar year of the approval, for the yearly limit
    created_by           TEXT    NOT NULL,
    decided_by           TEXT    NULL,
    decided_at           TEXT    NULL,
    decision_note        TEXT    NULL,
    payment_batch_id     INTEGER NULL,
    created_at           TEXT    NOT NULL,
    updated_at           TEXT    NOT NULL,
    version              INTEGER NOT NULL
);
-- One live claim per certificate (a rejected one may be followed by a new claim).
CREATE UNIQUE INDEX ux_subsidy_claims_certificate ON subsidy_claims (certificate_id) WHERE status <> 'rejected';
CREATE INDEX ix_subsidy_claims_worker ON subsidy_claims (worker_id, status);
CREATE INDEX ix_subsidy_claims_county ON subsidy_claims (county_code, status, id);
CREATE INDEX ix_subsidy_claims_cohort_account ON subsidy_claims (cohort_id, bank_account_hash);

-- A payment file (拨付文件) of approved claims, exported once; its claims become paid.
CREATE TABLE subsidy_payment_batches (
    id          INTEGER PRIMARY KEY,
    created_by  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    claims      INTEGER NOT NULL,
    total       INTEGER NOT NULL
);
