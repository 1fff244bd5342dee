-- Users and their scopes (the identity provider, or the embedded token command, names a user; the role and the
-- scope come from here), and the append-only audit log.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    scopes      TEXT NOT NULL,     -- '|520502|520521|', '|520500|', '|12|' or ''
    active      INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE UNIQUE INDEX ux_users_name ON users (name);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    user_id        INTEGER NULL,
    user_name      TEXT NULL,
    role           TEXT NULL,
    action         TEXT NOT NULL,     -- e.g. worker.create, worker.reveal, worker.read
    resource_type  TEXT NOT NULL,
    resource_id    TEXT NULL,
    outcome        TEXT NOT NULL,     -- success, denied, not-found, invalid, conflict, error
    status_code    INTEGER NOT NULL
);
CREATE INDEX ix_audit_log_at ON audit_log (at, id);
CREATE INDEX ix_audit_log_user ON audit_log (user_id, id);
CREATE INDEX ix_audit_log_resource ON audit_log (resource_type, resource_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
