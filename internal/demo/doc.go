// Package demo generates realistic, schema-valid demonstration records for
// every register, for the app's --demo mode and for benchmarks. Townships
// and villages are real ones of the county, by code (assets/places.tsv.gz;
// a county without places gets demo ones clearly marked as such, 演示镇1,
// 演示村1); photo fields hold placeholder SHA-256 ids with no blob behind
// them.
package demo
