-- Withdrawals of a revoked device's ops (server.Storage.Withdraw): when
-- the server accepted each op (NULL for ops stored before this version,
-- which count as accepted at the zero time), the withdrawals, numbered in
-- commit order, and the withdrawn ops, moved out of ops (so Pull never
-- serves them again) with their bytes kept for audit.
ALTER TABLE device_log ADD COLUMN accepted timestamptz;
CREATE TABLE withdrawals (
	seq    bigint PRIMARY KEY,
	device uuid NOT NULL,
	since  timestamptz,
	at     timestamptz NOT NULL,
	reason jsonb NOT NULL);
CREATE TABLE withdrawn_ops (
	server_seq    bigint PRIMARY KEY,
	withdrawal    bigint NOT NULL,
	device        uuid NOT NULL,
	seq           bigint NOT NULL,
	county        text NOT NULL,
	province      text NOT NULL,
	eff           bigint NOT NULL,
	raw           bytea NOT NULL,
	prev_province bigint NOT NULL,
	prev_county   bigint NOT NULL);
CREATE INDEX withdrawn_ops_withdrawal ON withdrawn_ops (withdrawal, seq);
