-- Ranking (issue 5): offers made to workers for openings and how they ended. Declined offers and no-shows are
-- negatives for the retention model beside placements that did not last; the recall's relevance at the time of
-- the offer is kept so that the model can be compared with search-only ranking on the same openings.
CREATE TABLE match_offers (
    id            INTEGER PRIMARY KEY,
    opening_id    INTEGER NOT NULL REFERENCES openings (id),
    worker_id     INTEGER NOT NULL REFERENCES workers (id),
    offered_on    TEXT    NOT NULL,
    search_score  REAL    NULL,
    outcome       TEXT    NOT NULL,   -- pending | declined | no-show | placed
    placement_id  INTEGER NULL REFERENCES placements (id),
    created_at    TEXT    NOT NULL
);
CREATE INDEX ix_match_offers_opening ON match_offers (opening_id, id);
CREATE INDEX ix_match_offers_worker ON match_offers (worker_id);
CREATE INDEX ix_placements_opening ON placements (opening_id);
