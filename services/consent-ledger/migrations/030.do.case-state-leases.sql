-- Case-state leases (issue 13): gateway instances keep case states in memory; the ledger tells
-- them which cases changed and acknowledges a change only once every gateway instance that holds a
-- live lease has confirmed it dropped its copies (or its lease ran out).
--
-- case_changes: one row per committed change of a case's decision state, numbered in commit
-- order (the writer takes a transaction advisory lock before it numbers its row), so "every change
-- up to seq N" is a prefix a gateway can confirm. Holds case ids only, no personal data.
CREATE TABLE case_changes (
  seq        bigint      PRIMARY KEY CHECK (seq >= 1),
  case_id    uuid        NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);

-- One lease per gateway instance: valid until expires_at (the database's clock), and every change
-- up to acked_seq dropped from its memory.
CREATE TABLE case_state_leases (
  instance_id uuid        PRIMARY KEY,
  acked_seq   bigint      NOT NULL CHECK (acked_seq >= 0),
  expires_at  timestamptz NOT NULL
);
