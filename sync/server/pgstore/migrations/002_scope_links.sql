-- Scope links of pull pages (protocol.PageOp.ScopePrev): each op names
-- the seq of its device's previous applied op in the province
-- (prev_province) and in its county (prev_county), 0 when none, and
-- scope_heads keeps each device's last applied op per county. Ops already
-- stored get their links filled in from the device's earlier ops.
ALTER TABLE ops ADD COLUMN prev_province bigint, ADD COLUMN prev_county bigint;
UPDATE ops SET prev_province = l.pp, prev_county = l.pc FROM (
	SELECT server_seq,
		coalesce(lag(seq) OVER (PARTITION BY device ORDER BY seq), 0) AS pp,
		coalesce(lag(seq) OVER (PARTITION BY device, county ORDER BY seq), 0) AS pc
	FROM ops) l
WHERE ops.server_seq = l.server_seq;
ALTER TABLE ops ALTER COLUMN prev_province SET NOT NULL, ALTER COLUMN prev_county SET NOT NULL;
CREATE TABLE scope_heads (
	device uuid NOT NULL,
	county text NOT NULL,
	seq    bigint NOT NULL,
	PRIMARY KEY (device, county));
INSERT INTO scope_heads (device, county, seq) SELECT device, county, max(seq) FROM ops GROUP BY device, county;
