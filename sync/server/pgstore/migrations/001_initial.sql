-- The first schema: the server seq counter, enrolled devices, one-time
-- enrollment codes, each device's head and log, and the applied ops by
-- server seq. Integers that are uint64 in Go (seqs, server seqs,
-- effective times) are bigint; they stay below 2^63.
CREATE TABLE lantian_counter (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	n  bigint NOT NULL);
INSERT INTO lantian_counter (id, n) VALUES (true, 0);
CREATE TABLE devices (
	id         uuid PRIMARY KEY,
	public_key bytea NOT NULL,
	label      text NOT NULL,
	province   text NOT NULL,
	county     text NOT NULL,
	role       text NOT NULL,
	token_hash bytea NOT NULL UNIQUE,
	enrolled   timestamptz NOT NULL,
	revoked    boolean NOT NULL DEFAULT false);
CREATE TABLE codes (
	hash     bytea PRIMARY KEY,
	province text NOT NULL,
	county   text NOT NULL,
	role     text NOT NULL,
	expires  timestamptz NOT NULL,
	used     boolean NOT NULL DEFAULT false,
	device   uuid);
CREATE TABLE heads (
	device uuid PRIMARY KEY,
	acked  bigint NOT NULL,
	hash   bytea);
CREATE TABLE device_log (
	device       uuid NOT NULL,
	seq          bigint NOT NULL,
	hash         bytea NOT NULL,
	eff          bigint NOT NULL,
	county       text NOT NULL,
	province     text NOT NULL,
	server_seq   bigint,
	refused_code text,
	refusal      jsonb,
	raw          bytea,
	PRIMARY KEY (device, seq));
CREATE TABLE ops (
	server_seq bigint PRIMARY KEY,
	device     uuid NOT NULL,
	seq        bigint NOT NULL,
	county     text NOT NULL,
	province   text NOT NULL,
	eff        bigint NOT NULL,
	raw        bytea NOT NULL);
CREATE INDEX ops_county ON ops (county, server_seq);
CREATE INDEX ops_province ON ops (province, server_seq);
CREATE INDEX ops_device ON ops (device, seq);
