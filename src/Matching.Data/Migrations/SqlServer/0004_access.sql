-- Counterpart of Sqlite/0004_access.sql: users with their scopes, and the append-only audit log.

CREATE TABLE users (
    id          bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    name        nvarchar(200)     NOT NULL,
    role        nvarchar(40)      NOT NULL,
    scopes      nvarchar(2000)    NOT NULL,     -- '|520502|520521|', '|520500|', '|12|' or ''
    active      bit               NOT NULL,
    created_at  datetimeoffset(7) NOT NULL,
    updated_at  datetimeoffset(7) NOT NULL,
    version     int               NOT NULL
);
CREATE UNIQUE INDEX ux_users_name ON users (name);

CREATE TABLE audit_log (
    id             bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    at             datetimeoffset(7) NOT NULL,
    user_id        bigint            NULL,
    user_name      nvarchar(200)     NULL,
    role           nvarchar(40)      NULL,
    action         nvarchar(100)     NOT NULL,   -- e.g. worker.create, worker.reveal, worker.read
    resource_type  nvarchar(100)     NOT NULL,
    resource_id    nvarchar(100)     NULL,
    outcome        nvarchar(20)      NOT NULL,   -- success, denied, not-found, invalid, conflict, error
    status_code    int               NOT NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at, id);
CREATE INDEX ix_audit_log_user ON audit_log (user_id, id);
CREATE INDEX ix_audit_log_resource ON audit_log (resource_type, resource_id);
GO

-- The database refuses to change or remove an audit line, whoever asks (INSTEAD OF triggers fire for every login,
-- the owner's included). Production also denies the application login UPDATE, DELETE and ALTER on the table
-- (infra/sqlserver/README.md), so that a TRUNCATE or dropping these triggers needs another login.
CREATE TRIGGER audit_log_no_update ON audit_log INSTEAD OF UPDATE
AS
BEGIN
    SET NOCOUNT ON;
    THROW 50101, 'audit_log is append-only', 1;
END;
GO

CREATE TRIGGER audit_log_no_delete ON audit_log INSTEAD OF DELETE
AS
BEGIN
    SET NOCOUNT ON;
    THROW 50102, 'audit_log is append-only', 1;
END;
GO
