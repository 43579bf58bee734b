-- Witness cosignatures of the log's checkpoints (C2SP tlog-cosignature, Ed25519 cosignature/v1),
-- each verified against the witness keys of WITNESS_KEYS before it is stored. One per witness key
-- and checkpoint: a witness that cosigns the same checkpoint again replaces its line with the newer.
-- GET /v1/audit/checkpoint serves the checkpoint's signed note with these lines appended.
CREATE TABLE checkpoint_cosignatures (
  tree_size       bigint      NOT NULL REFERENCES checkpoints (tree_size),
  witness_name    text        NOT NULL,
  key_id          bytea       NOT NULL CHECK (length(key_id) = 4),
  cosigned_at     bigint      NOT NULL CHECK (cosigned_at >= 0),  -- the cosignature's timestamp (POSIX seconds)
  line            text        NOT NULL,                           -- the signature line, without its newline
  received_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tree_size, witness_name, key_id)
);
