// Package firepoint imports the satellite fire points a provincial
// platform hands out as CSV files, assigns them to villages, creates the
// fire_point records that grid staff verify, and tracks the 24-hour
// verification clock (time to verification, overdue points, closing).
package firepoint
