package model

// Register 2: 秸秆禁烧 grids, patrols and fire points (registers.md §2).

func strawSchemas() []func() *Schema { return nil }
