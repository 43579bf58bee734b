-- The consent ledger: one hash-chained, append-only stream of events per case, and a projection
-- of the current state for fast reads. Both are written in the same transaction.

CREATE TABLE case_events (
  case_id      uuid        NOT NULL,
  seq          integer     NOT NULL CHECK (seq >= 1),
  event_id     uuid        NOT NULL UNIQUE,
  type         text        NOT NULL,
  -- { caseId, seq, eventId, type, data, actor, reason, recordedAt }; NULL once purged.
  content      jsonb       NULL,
  -- SHA-256 (hex) of the RFC 8785 canonical JSON of content; kept after the purge.
  content_hash text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  -- SHA-256 (hex) of prev_hash ‖ content_hash.
  hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
  recorded_at  timestamptz NOT NULL,
  purged_at    timestamptz NULL,
  -- Two writers appending at the same seq collide here: the chain never forks.
  PRIMARY KEY (case_id, seq),
  CHECK ((content IS NULL) = (purged_at IS NOT NULL))
);

-- The database itself keeps the ledger append-only, whatever the application does. The only
-- change allowed is the retention purge: nulling content and setting purged_at, every other column
-- unchanged, in a transaction that declared itself a purge with SET LOCAL wams.purge = 'on'.
CREATE FUNCTION case_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE'
     AND current_setting('wams.purge', true) = 'on'
     AND OLD.content IS NOT NULL AND OLD.purged_at IS NULL
     AND NEW.content IS NULL AND NEW.purged_at IS NOT NULL
     AND NEW.case_id = OLD.case_id AND NEW.seq = OLD.seq AND NEW.event_id = OLD.event_id
     AND NEW.type = OLD.type AND NEW.content_hash = OLD.content_hash AND NEW.prev_hash = OLD.prev_hash
     AND NEW.hash = OLD.hash AND NEW.recorded_at = OLD.recorded_at THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'case_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Only the retention purge may null content (SET LOCAL wams.purge = ''on'').';
END
$$;

CREATE TRIGGER case_events_no_update_delete
  BEFORE UPDATE OR DELETE ON case_events
  FOR EACH ROW EXECUTE FUNCTION case_events_append_only();

CREATE TRIGGER case_events_no_truncate
  BEFORE TRUNCATE ON case_events
  FOR EACH STATEMENT EXECUTE FUNCTION case_events_append_only();

-- The projection: the fold of a case's events, read by primary key (GET, decision-state).
CREATE TABLE cases (
  case_id      uuid        PRIMARY KEY,
  version      integer     NOT NULL CHECK (version >= 1),
  municipality text        NOT NULL,
  phase        text        NOT NULL,
  state        jsonb       NOT NULL,
  closed_at    timestamptz NULL,
  updated_at   timestamptz NOT NULL,
  purged_at    timestamptz NULL
);

-- The purge job looks for closed cases whose personal data are still there.
CREATE INDEX cases_awaiting_purge ON cases (closed_at) WHERE closed_at IS NOT NULL AND purged_at IS NULL;
