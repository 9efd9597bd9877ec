-- Each record's home: the register and county its first applied op
-- names, which the record keeps for life (model.KeepsRecord); Append
-- refuses an op that names others. The homes of the records of ops
-- already stored are filled in from the ops' binary form by this
-- migration's Go step (backfillRecords), the first op by server seq
-- giving each its home.
CREATE TABLE records (
	id       uuid PRIMARY KEY,
	register text NOT NULL,
	county   text NOT NULL);
