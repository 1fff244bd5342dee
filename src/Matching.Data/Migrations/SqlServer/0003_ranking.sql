-- Counterpart of Sqlite/0003_ranking.sql: offers made to workers for openings and how they ended (the ranking
-- model's labels), with the recall's relevance at the time of the offer.
CREATE TABLE match_offers (
    id            bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY,
    opening_id    bigint            NOT NULL REFERENCES openings (id),
    worker_id     bigint            NOT NULL REFERENCES workers (id),
    offered_on    date              NOT NULL,
    search_score  float             NULL,
    outcome       nvarchar(20)      NOT NULL,   -- pending | declined | no-show | placed
    placement_id  bigint            NULL REFERENCES placements (id),
    created_at    datetimeoffset(7) NOT NULL
);
CREATE INDEX ix_match_offers_opening ON match_offers (opening_id, id);
CREATE INDEX ix_match_offers_worker ON match_offers (worker_id);
CREATE INDEX ix_placements_opening ON placements (opening_id);
