-- One eligibility rule (issue 10).

-- A worker's trades with their levels, one row each, kept in step with workers.trades_json by the triggers below, so
-- that SQL recall finds the workers of a trade family at a level through an index instead of scanning every worker.
-- A row whose JSON is unreadable (never written by the service) gets no trade rows rather than failing its write.
CREATE TABLE worker_trades (
    worker_id  INTEGER NOT NULL,
    trade_id   TEXT    NOT NULL,
    level      INTEGER NOT NULL
);
CREATE INDEX ix_worker_trades_trade_level ON worker_trades (trade_id, level, worker_id);
CREATE INDEX ix_worker_trades_worker ON worker_trades (worker_id);

INSERT INTO worker_trades (worker_id, trade_id, level)
SELECT w.id, json_extract(t.value, '$.tradeId'), json_extract(t.value, '$.level')
FROM workers w, json_each(CASE WHEN json_valid(w.trades_json) THEN w.trades_json ELSE '[]' END) t
WHERE t.type = 'object' AND json_extract(t.value, '$.tradeId') IS NOT NULL AND json_extract(t.value, '$.level') IS NOT NULL;

CREATE TRIGGER workers_trades_insert AFTER INSERT ON workers
BEGIN
    INSERT INTO worker_trades (worker_id, trade_id, level)
    SELECT NEW.id, json_extract(t.value, '$.tradeId'), json_extract(t.value, '$.level') FROM json_each(CASE WHEN json_valid(NEW.trades_json) THEN NEW.trades_json ELSE '[]' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.tradeId') IS NOT NULL AND json_extract(t.value, '$.level') IS NOT NULL;
END;

CREATE TRIGGER workers_trades_update AFTER UPDATE OF trades_json ON workers
BEGIN
    DELETE FROM worker_trades WHERE worker_id = OLD.id;
    INSERT INTO worker_trades (worker_id, trade_id, level)
    SELECT NEW.id, json_extract(t.value, '$.tradeId'), json_extract(t.value, '$.level') FROM json_each(CASE WHEN json_valid(NEW.trades_json) THEN NEW.trades_json ELSE '[]' END) t
    WHERE t.type = 'object' AND json_extract(t.value, '$.tradeId') IS NOT NULL AND json_extract(t.value, '$.level') IS NOT NULL;
END;

CREATE TRIGGER workers_trades_delete AFTER DELETE ON workers
BEGIN
    DELETE FROM worker_trades WHERE worker_id = OLD.id;
END;

-- Active placements are looked up per worker by recall ("not in a job") and the index builder.
CREATE INDEX ix_placements_worker_status ON placements (worker_id, status);

-- Why an action was taken, when the actor must say so: an enrolment that overrides the eligibility rule records who
-- (the row's user) and why (this text).
ALTER TABLE audit_log ADD COLUMN detail TEXT NULL;

-- The opening a dispatch assignment was scored against (a cohort may train for several), shown in the review.
ALTER TABLE dispatch_assignments ADD COLUMN opening_id INTEGER NULL;

-- An enrolment made although the eligibility rule refused the worker: the clerk's reason (who is in the audit log).
-- A waitlist promotion honours it instead of refusing the worker again.
ALTER TABLE enrolments ADD COLUMN eligibility_override TEXT NULL;
