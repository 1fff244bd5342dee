-- Counterpart of Sqlite/0008_training_records_and_subsidies.sql: the worker's social security card and vital status;
-- designated training institutions and their teachers; who taught a cohort; attendance, completion and assessment per
-- enrolment; certificates gained; certificate subsidy claims with their integrity findings and payment files.

-- 社会保障卡号, kept like the ID number: keyed hash (look-up, one card per worker), encryption, masked text.
ALTER TABLE workers ADD social_security_hash varbinary(32) NULL;
ALTER TABLE workers ADD social_security_cipher varbinary(256) NULL;
ALTER TABLE workers ADD social_security_masked nvarchar(40) NULL;
-- living | deceased | emigrated, set by a county office.
ALTER TABLE workers ADD vital_status nvarchar(20) NOT NULL CONSTRAINT df_workers_vital_status DEFAULT 'living';
ALTER TABLE workers ADD vital_status_since date NULL;
ALTER TABLE workers ADD vital_status_note nvarchar(400) NULL;
GO
CREATE UNIQUE INDEX ux_workers_social_security_hash ON workers (social_security_hash) WHERE social_security_hash IS NOT NULL;
GO

-- 定点培训机构: public or private, a school or an enterprise base (linked to the employer whose base it is).
CREATE TABLE training_institutions (
    id             bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    name           nvarchar(200)     NOT NULL,
    ownership      nvarchar(20)      NOT NULL,   -- public | private
    kind           nvarchar(40)      NOT NULL,   -- training-school | vocational-school | enterprise-base
    credit_code    nvarchar(18)      NOT NULL,
    division_code  nvarchar(12)      NOT NULL,
    province_code  nvarchar(12)      NOT NULL,
    employer_id    bigint            NULL REFERENCES employers (id),
    trades         nvarchar(2000)    NOT NULL,
    active         bit               NOT NULL,
    created_at     datetimeoffset(7) NOT NULL,
    updated_at     datetimeoffset(7) NOT NULL,
    version        int               NOT NULL
);
CREATE UNIQUE INDEX ux_training_institutions_credit_code ON training_institutions (credit_code);
CREATE INDEX ix_training_institutions_employer ON training_institutions (employer_id);

-- Teachers, one row per person (ID number hashed and encrypted like workers'), engaged per institution and year.
CREATE TABLE teachers (
    id                bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    real_name         nvarchar(100)     NOT NULL,
    id_number_hash    varbinary(32)     NOT NULL,
    id_number_cipher  varbinary(256)    NOT NULL,
    id_number_masked  nvarchar(40)      NOT NULL,
    created_at        datetimeoffset(7) NOT NULL
);
CREATE UNIQUE INDEX ux_teachers_id_number_hash ON teachers (id_number_hash);

CREATE TABLE teacher_engagements (
    id                bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    teacher_id        bigint            NOT NULL REFERENCES teachers (id),
    institution_id    bigint            NOT NULL REFERENCES training_institutions (id),
    year              int               NOT NULL,
    employment        nvarchar(20)      NOT NULL,   -- full-time | part-time
    qualified_trades  nvarchar(2000)    NOT NULL,   -- 上岗资格: trades the teacher may teach
    created_at        datetimeoffset(7) NOT NULL
);
CREATE UNIQUE INDEX ux_teacher_engagements ON teacher_engagements (teacher_id, institution_id, year);
CREATE INDEX ix_teacher_engagements_institution ON teacher_engagements (institution_id, year);
CREATE INDEX ix_teacher_engagements_teacher_year ON teacher_engagements (teacher_id, year);
GO

-- The institution that delivers a cohort (none for an enterprise's own base) and the cohort's teachers.
ALTER TABLE cohorts ADD institution_id bigint NULL CONSTRAINT fk_cohorts_institution REFERENCES training_institutions (id);
GO
CREATE TABLE cohort_teachers (
    cohort_id   bigint NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    teacher_id  bigint NOT NULL REFERENCES teachers (id),
    PRIMARY KEY (cohort_id, teacher_id)
);
CREATE INDEX ix_cohort_teachers_teacher ON cohort_teachers (teacher_id);

-- 考勤、结业、考核: one row per enrolment that took part; written pending when the cohort completes, then by the base.
CREATE TABLE training_results (
    enrolment_id       bigint            NOT NULL PRIMARY KEY REFERENCES enrolments (id),
    cohort_id          bigint            NOT NULL REFERENCES cohorts (id),
    worker_id          bigint            NOT NULL REFERENCES workers (id),
    days_scheduled     int               NOT NULL,
    days_attended      int               NULL,
    completion         nvarchar(20)      NOT NULL,   -- pending | completed | not-completed
    completed_on       date              NULL,
    assessment_passed  bit               NULL,
    assessed_on        date              NULL,
    assessing_body     nvarchar(200)     NULL,
    updated_at         datetimeoffset(7) NOT NULL,
    version            int               NOT NULL
);
CREATE INDEX ix_training_results_worker ON training_results (worker_id);
CREATE INDEX ix_training_results_cohort ON training_results (cohort_id);
CREATE INDEX ix_training_results_completed ON training_results (completion, completed_on);

-- 证书: certificates gained, as recorded from the issuing body; a number is recorded once per type.
CREATE TABLE certificates (
    id                bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    worker_id         bigint            NOT NULL REFERENCES workers (id),
    enrolment_id      bigint            NULL REFERENCES enrolments (id),
    type              nvarchar(40)      NOT NULL,
    trade_id          nvarchar(12)      NOT NULL,
    level             int               NULL,
    number            nvarchar(60)      NOT NULL,
    issuing_body      nvarchar(200)     NOT NULL,
    issuing_province  nvarchar(12)      NOT NULL,
    issued_on         date              NOT NULL,
    expires_on        date              NULL,
    created_at        datetimeoffset(7) NOT NULL
);
CREATE UNIQUE INDEX ux_certificates_number ON certificates (type, number);
CREATE INDEX ix_certificates_worker ON certificates (worker_id);
CREATE INDEX ix_certificates_level ON certificates (level, issued_on);

-- 证书直补申领: amounts from the catalogue at creation; findings of the last integrity check as JSON.
CREATE TABLE subsidy_claims (
    id                   bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    worker_id            bigint            NOT NULL REFERENCES workers (id),
    enrolment_id         bigint            NOT NULL REFERENCES enrolments (id),
    cohort_id            bigint            NOT NULL REFERENCES cohorts (id),
    certificate_id       bigint            NOT NULL REFERENCES certificates (id),
    county_code          nvarchar(12)      NOT NULL,
    certificate_type     nvarchar(40)      NOT NULL,
    trade_id             nvarchar(12)      NOT NULL,
    level                int               NULL,
    amount               int               NOT NULL,
    living_allowance     int               NOT NULL,
    basis                nvarchar(1000)    NOT NULL,
    bank_account_hash    varbinary(32)     NOT NULL,
    bank_account_cipher  varbinary(256)    NOT NULL,
    bank_account_masked  nvarchar(40)      NOT NULL,
    status               nvarchar(20)      NOT NULL,   -- submitted | approved | rejected | paid
    findings_json        nvarchar(max)     NOT NULL,
    checked_at           datetimeoffset(7) NOT NULL,
    claimed_on           date              NOT NULL,
    granted_year         int               NULL,       -- calendar year of the approval, for the yearly limit
    created_by           nvarchar(200)     NOT NULL,
    decided_by           nvarchar(200)     NULL,
    decided_at           datetimeoffset(7) NULL,
    decision_note        nvarchar(1000)    NULL,
    payment_batch_id     bigint            NULL,
    created_at           datetimeoffset(7) NOT NULL,
    updated_at           datetimeoffset(7) NOT NULL,
    version              int               NOT NULL
);
-- One live claim per certificate (a rejected one may be followed by a new claim).
CREATE UNIQUE INDEX ux_subsidy_claims_certificate ON subsidy_claims (certificate_id) WHERE status <> 'rejected';
CREATE INDEX ix_subsidy_claims_worker ON subsidy_claims (worker_id, status);
CREATE INDEX ix_subsidy_claims_county ON subsidy_claims (county_code, status, id);
CREATE INDEX ix_subsidy_claims_cohort_account ON subsidy_claims (cohort_id, bank_account_hash);

-- A payment file (拨付文件) of approved claims, exported once; its claims become paid.
CREATE TABLE subsidy_payment_batches (
    id          bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    created_by  nvarchar(200)     NOT NULL,
    created_at  datetimeoffset(7) NOT NULL,
    claims      int               NOT NULL,
    total       int               NOT NULL
);
GO
