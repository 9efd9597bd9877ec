package model

// Register 3: livestock farm ammonia ledgers (registers.md §3).

func livestockSchemas() []func() *Schema { return nil }
