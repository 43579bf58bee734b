-- The audit service's own store. Events arrive from Kafka (at least once) and are stored exactly
-- once (event_id is unique); the sequencer then gives each stored event its place in the one
-- RFC 6962 Merkle tree (leaf_index) and writes the tree's new perfect-subtree hashes.

CREATE TABLE audit_events (
  seq             bigserial   PRIMARY KEY,             -- store order: Kafka order per partition
  event_id        uuid        NOT NULL UNIQUE,          -- identity hash of the event: redeliveries are dropped
  event           jsonb,                                -- NULL once the retention purge dropped the content
  leaf_hash       bytea       NOT NULL,                 -- SHA-256(0x00 ‖ RFC 8785 JSON of event); kept forever
  kafka_partition int         NOT NULL,
  kafka_offset    bigint      NOT NULL,
  leaf_index      bigint      UNIQUE,                   -- NULL until sequenced
  -- Columns for filtering and scoping, copied from the event; kept after a purge except subject_ref.
  event_type      text        NOT NULL,
  actor_org       text,
  provider        text,
  case_id         text,
  subject_ref     text,
  outcome         text        NOT NULL,
  category        text,
  time            timestamptz NOT NULL,
  stored_by       text        NOT NULL,                 -- the instance that stored it (operations)
  stored_at       timestamptz NOT NULL DEFAULT now(),
  purged_at       timestamptz,
  CHECK ((event IS NULL) = (purged_at IS NOT NULL))
);
CREATE INDEX audit_events_unsequenced ON audit_events (seq) WHERE leaf_index IS NULL;
CREATE INDEX audit_events_actor ON audit_events (actor_org, leaf_index);
CREATE INDEX audit_events_provider ON audit_events (provider, leaf_index);
CREATE INDEX audit_events_case ON audit_events (case_id, leaf_index);
CREATE INDEX audit_events_subject ON audit_events (subject_ref, leaf_index) WHERE subject_ref IS NOT NULL;
CREATE INDEX audit_events_time ON audit_events (time) WHERE purged_at IS NULL;

-- Messages on the audit topic that are not valid audit events: kept (never lost), never in the tree.
-- The raw bytes may hold anything, so they are bytea and never logged.
CREATE TABLE rejected_messages (
  id              bigserial   PRIMARY KEY,
  kafka_topic     text        NOT NULL,
  kafka_partition int         NOT NULL,
  kafka_offset    bigint      NOT NULL,
  message_key     bytea,
  value           bytea,                                -- NULL once purged by retention
  problems        text[]      NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kafka_topic, kafka_partition, kafka_offset)
);

-- Which municipality owns a case, learned from case.opened events (scoping of gemeenten).
CREATE TABLE case_owners (
  case_id         text        PRIMARY KEY,
  org             text        NOT NULL,
  event_id        uuid        NOT NULL
);
CREATE INDEX case_owners_org ON case_owners (org);

-- The hash of every perfect subtree: (level, idx) covers leaves [idx·2^level, (idx+1)·2^level).
-- Append-only; proofs are read from here, never recomputed from all leaves.
CREATE TABLE merkle_nodes (
  level           smallint    NOT NULL,
  idx             bigint      NOT NULL,
  hash            bytea       NOT NULL,
  PRIMARY KEY (level, idx)
);

-- The current tree head; its row lock serialises appends whatever the sequencer election says.
CREATE TABLE tree_head (
  id              smallint    PRIMARY KEY CHECK (id = 1),
  size            bigint      NOT NULL,
  root_hash       bytea       NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now()
);
INSERT INTO tree_head (id, size, root_hash) VALUES (1, 0, sha256(''::bytea));

-- Signed checkpoints (C2SP signed notes), one per tree size, each consistent with the previous.
CREATE TABLE checkpoints (
  tree_size       bigint      PRIMARY KEY,
  root_hash       bytea       NOT NULL,
  signed_note     text        NOT NULL,
  key_name        text        NOT NULL,
  signed_at       timestamptz NOT NULL DEFAULT now()
);
