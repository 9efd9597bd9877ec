-- Ops that receivers reported setting aside (their own checks refused an
-- op the server served): one row per op and reporter, so a report sent
-- again changes nothing. Stands alone: it reads no other table.
CREATE TABLE op_reports (
	device   uuid NOT NULL,
	seq      bigint NOT NULL,
	reporter uuid NOT NULL,
	code     text NOT NULL,
	reported timestamptz NOT NULL,
	PRIMARY KEY (device, seq, reporter));
