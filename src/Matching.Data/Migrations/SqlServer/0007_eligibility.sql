-- Counterpart of Sqlite/0007_eligibility.sql: one eligibility rule (issue 10).

-- A worker's trades with their levels, one row each, kept in step with workers.trades_json by the trigger below, so
-- that SQL recall finds the workers of a trade family at a level through an index instead of scanning every worker.
CREATE TABLE worker_trades (
    worker_id  bigint        NOT NULL,
    trade_id   nvarchar(20)  NOT NULL,
    level      int           NOT NULL
);
GO
CREATE INDEX ix_worker_trades_trade_level ON worker_trades (trade_id, level, worker_id);
CREATE INDEX ix_worker_trades_worker ON worker_trades (worker_id);
GO

INSERT INTO worker_trades (worker_id, trade_id, level)
SELECT w.id, t.trade_id, t.level
FROM workers w
CROSS APPLY OPENJSON(CASE WHEN ISJSON(w.trades_json) = 1 THEN w.trades_json ELSE N'[]' END) WITH (trade_id nvarchar(20) '$.tradeId', level int '$.level') t
WHERE t.trade_id IS NOT NULL AND t.level IS NOT NULL;
GO

-- One trigger for the three SQLite ones: the rows of the workers this statement touched are rebuilt from their JSON.
CREATE TRIGGER workers_trades_sync ON workers AFTER INSERT, UPDATE, DELETE
AS
BEGIN
    SET NOCOUNT ON;
    IF NOT EXISTS (SELECT 1 FROM inserted) AND NOT EXISTS (SELECT 1 FROM deleted)
        RETURN;
    IF EXISTS (SELECT 1 FROM deleted) AND EXISTS (SELECT 1 FROM inserted) AND NOT UPDATE(trades_json)
        RETURN;
    DELETE FROM worker_trades WHERE worker_id IN (SELECT id FROM deleted);
    INSERT INTO worker_trades (worker_id, trade_id, level)
    SELECT i.id, t.trade_id, t.level
    FROM inserted i
    CROSS APPLY OPENJSON(CASE WHEN ISJSON(i.trades_json) = 1 THEN i.trades_json ELSE N'[]' END) WITH (trade_id nvarchar(20) '$.tradeId', level int '$.level') t
    WHERE t.trade_id IS NOT NULL AND t.level IS NOT NULL;
END;
GO

-- Active placements are looked up per worker by recall ("not in a job") and the index builder.
CREATE INDEX ix_placements_worker_status ON placements (worker_id, status);
GO

-- Why an action was taken, when the actor must say so: an enrolment that overrides the eligibility rule.
ALTER TABLE audit_log ADD detail nvarchar(2000) NULL;

-- The opening a dispatch assignment was scored against (a cohort may train for several), shown in the review.
ALTER TABLE dispatch_assignments ADD opening_id bigint NULL;

-- An enrolment made although the eligibility rule refused the worker: the clerk's reason (who is in the audit log).
ALTER TABLE enrolments ADD eligibility_override nvarchar(2000) NULL;
GO
