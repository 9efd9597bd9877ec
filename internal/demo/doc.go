// Package demo generates realistic, schema-valid demonstration records for
// every register, for the app's --demo mode and for benchmarks. Villages
// and townships are clearly marked as demo ones (演示村1, 演示镇1); photo
// fields hold placeholder SHA-256 ids with no blob behind them.
package demo
