-- Accounts that sign in with a password (hashed with ASP.NET Core Identity's PasswordHasher: PBKDF2, salted, with
-- its format version inside the hash), lockout after repeated failures, delegated administration (账号管理员), who
-- created each account, and the scopes one per row so that "every scope of this account lies in my area" is a query.

ALTER TABLE users ADD COLUMN password_hash TEXT NULL;           -- NULL: no password sign-in (token command or identity provider only)
ALTER TABLE users ADD COLUMN security_stamp TEXT NULL;          -- changes with the password: sessions signed in before end
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until TEXT NULL;
ALTER TABLE users ADD COLUMN last_sign_in_at TEXT NULL;
ALTER TABLE users ADD COLUMN manages_accounts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN created_by INTEGER NULL;

CREATE TABLE user_scopes (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code     TEXT NOT NULL,     -- a county code, a prefecture code or an employer id, as in users.scopes
    PRIMARY KEY (user_id, code)
);

-- The scopes of existing accounts, split out of '|a|b|'.
WITH RECURSIVE split (user_id, rest, code) AS (
    SELECT id, substr(scopes, 2), NULL FROM users WHERE scopes <> ''
    UNION ALL
    SELECT user_id, substr(rest, instr(rest, '|') + 1), substr(rest, 1, instr(rest, '|') - 1) FROM split WHERE rest <> ''
)
INSERT INTO user_scopes (user_id, code) SELECT DISTINCT user_id, code FROM split WHERE code IS NOT NULL AND code <> '';
