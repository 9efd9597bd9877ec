package pgstore

import "testing"

func TestPoolConfig(t *testing.T) {
	tests := []struct {
		name    string
		url     string
		want    int32
		wantErr bool
	}{
		{"default", "postgres://u@localhost/db", defaultMaxConns, false},
		{"url parameter", "postgres://u@localhost/db?pool_max_conns=3", 3, false},
		{"key=value parameter", "host=localhost dbname=db pool_max_conns=25", 25, false},
		{"other pool parameter keeps the default", "postgres://u@localhost/db?pool_min_conns=1", defaultMaxConns, false},
		{"not a number", "postgres://u@localhost/db?pool_max_conns=zero", 0, true},
		{"zero", "postgres://u@localhost/db?pool_max_conns=0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := poolConfig(tt.url)
			if (err != nil) != tt.wantErr {
				t.Fatalf("got %v; want error %v", err, tt.wantErr)
			}
			if err == nil && cfg.MaxConns != tt.want {
				t.Errorf("max conns: got %d; want %d", cfg.MaxConns, tt.want)
			}
			if err == nil && cfg.ConnConfig.RuntimeParams["pool_max_conns"] != "" {
				t.Errorf("pool_max_conns sent to the server as a setting")
			}
		})
	}
}
