-- Transactional outbox (shared by every service that emits events). A row is written in the same
-- transaction as the change it reports; the relay publishes it and only then marks it.
CREATE TABLE outbox (
  id           bigserial PRIMARY KEY,
  topic        text        NOT NULL,
  message_key  text        NOT NULL,
  event_id     text        NOT NULL,
  payload      text        NOT NULL,
  headers      jsonb       NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
