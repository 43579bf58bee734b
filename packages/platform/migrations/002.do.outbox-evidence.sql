-- Evidence end to end (SPEC §7): an audit event stays in its producer's outbox until the audit
-- log has proven that it holds it (an inclusion proof under a signed checkpoint, checked here).
-- Unproven events are published again; one that stays missing raises an alarm.
ALTER TABLE outbox
  ADD COLUMN publish_count     int         NOT NULL DEFAULT 0,   -- how often the relay sent it
  ADD COLUMN proven_at         timestamptz,                       -- inclusion proven (audit topic only)
  ADD COLUMN leaf_index        bigint,                            -- its place in the log
  ADD COLUMN proven_tree_size  bigint,                            -- the checkpoint it was proven under
  ADD COLUMN alarmed_at        timestamptz;                       -- still missing after every retry
CREATE INDEX outbox_unproven ON outbox (id) WHERE topic = 'audit' AND proven_at IS NULL;
