-- One database per service: a service never reads another service's tables.
CREATE DATABASE wams_consent_ledger;
CREATE DATABASE wams_audit;
CREATE DATABASE wams_gateway;
