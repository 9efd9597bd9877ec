-- The counties of the applied ops that reference each photo, so that a
-- device downloads only the photos of its scope.
CREATE TABLE blob_refs (
	blob   text NOT NULL,
	county text NOT NULL,
	PRIMARY KEY (blob, county));
