-- Held rows (issue 13): an audit record written while the partner is asked, so that its commit is
-- not on the answer's critical path after the partner's answer. The relay leaves a held row alone;
-- the writer replaces it with the final record (releaseHeld), or, should the writer die first, the
-- hold runs out and the relay publishes the record as it stands: it says the most that could have
-- been released. The index serves both, and holds only the few rows in flight.
ALTER TABLE outbox ADD COLUMN held_until timestamptz;
CREATE INDEX outbox_held ON outbox (event_id) WHERE held_until IS NOT NULL;
