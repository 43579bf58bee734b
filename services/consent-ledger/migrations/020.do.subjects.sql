-- POST /v1/subjects/cases: the cases in which a person (their pseudonym) is a subject, by
-- containment on the projection's subjects (state->'subjects' @> '[{"subjectRef": …}]').
CREATE INDEX cases_subjects ON cases USING gin ((state->'subjects') jsonb_path_ops);
