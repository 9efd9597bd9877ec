package model

// Register 4: dust sources and dust fall (registers.md §4).

func dustSchemas() []func() *Schema { return nil }
