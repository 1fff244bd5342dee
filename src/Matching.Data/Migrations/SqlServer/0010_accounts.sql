-- Counterpart of Sqlite/0010_accounts.sql: password sign-in (Identity PasswordHasher hashes), lockout, delegated
-- administration (账号管理员), who created each account, and the scopes one per row.

ALTER TABLE users ADD
    password_hash     nvarchar(400)     NULL,   -- NULL: no password sign-in (token command or identity provider only)
    security_stamp    nvarchar(100)     NULL,   -- changes with the password: sessions signed in before end
    failed_sign_ins   int               NOT NULL CONSTRAINT df_users_failed_sign_ins DEFAULT 0,
    locked_until      datetimeoffset(7) NULL,
    last_sign_in_at   datetimeoffset(7) NULL,
    manages_accounts  bit               NOT NULL CONSTRAINT df_users_manages_accounts DEFAULT 0,
    created_by        bigint            NULL;
GO

CREATE TABLE user_scopes (
    user_id  bigint        NOT NULL CONSTRAINT fk_user_scopes_user REFERENCES users (id) ON DELETE CASCADE,
    code     nvarchar(40)  NOT NULL,     -- a county code, a prefecture code or an employer id, as in users.scopes
    CONSTRAINT pk_user_scopes PRIMARY KEY (user_id, code)
);
GO

-- The scopes of existing accounts, split out of '|a|b|'.
INSERT INTO user_scopes (user_id, code)
SELECT DISTINCT u.id, s.value
FROM users u CROSS APPLY STRING_SPLIT(u.scopes, '|') s
WHERE u.scopes <> '' AND s.value <> '';
GO
