package server

import (
	"net/http/httptest"
	"testing"
)

func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies(" 10.0.0.0/8, 127.0.0.1 ,::1,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{proxies: proxies}
	tests := []struct {
		name   string
		remote string
		xff    []string // X-Forwarded-For header lines
		want   string
	}{
		{"no proxy, no header", "203.0.113.7:5123", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5123", []string{"198.51.100.1"}, "203.0.113.7"},
		{"untrusted peer forging a trusted address", "203.0.113.7:5123", []string{"10.0.0.1"}, "203.0.113.7"},
		{"trusted proxy, one client", "127.0.0.1:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"trusted proxy without the header", "127.0.0.1:40000", nil, "127.0.0.1"},
		{"trusted proxy, empty header", "127.0.0.1:40000", []string{""}, "127.0.0.1"},
		{"client's forged entries left of its address", "127.0.0.1:40000", []string{"1.2.3.4, 5.6.7.8, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "127.0.0.1:40000", []string{"198.51.100.1, 10.1.2.3, 10.9.9.9"}, "198.51.100.1"},
		{"header over several lines", "127.0.0.1:40000", []string{"1.2.3.4, 198.51.100.1", "10.1.2.3"}, "198.51.100.1"},
		{"every entry trusted: the left-most", "127.0.0.1:40000", []string{"10.1.2.3, 10.9.9.9"}, "10.1.2.3"},
		{"garbage right of the client: the last trusted hop", "127.0.0.1:40000", []string{"198.51.100.1, junk, 10.1.2.3"}, "10.1.2.3"},
		{"garbage only: the proxy", "127.0.0.1:40000", []string{"unknown"}, "127.0.0.1"},
		{"entry with a port", "127.0.0.1:40000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"IPv6 client through IPv6 proxy", "[::1]:40000", []string{"2001:db8::5"}, "2001:db8::5"},
		{"IPv6 client with port", "[fd00::2]:40000", []string{"[2001:db8::5]:443"}, "2001:db8::5"},
		{"IPv4-mapped trusted peer", "[::ffff:10.0.0.5]:40000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"IPv4-mapped client", "127.0.0.1:40000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
		{"untrusted IPv6 peer", "[2001:db8::9]:40000", []string{"198.51.100.1"}, "2001:db8::9"},
		{"just outside a trusted prefix", "11.0.0.1:40000", []string{"198.51.100.1"}, "11.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/healthz", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientAddr(r); got != tt.want {
				t.Errorf("clientAddr(%s, %q) = %s; want %s", tt.remote, tt.xff, got, tt.want)
			}
		})
	}
	t.Run("no trusted proxies", func(t *testing.T) {
		r := httptest.NewRequest("GET", "/healthz", nil)
		r.RemoteAddr = "127.0.0.1:40000"
		r.Header.Set("X-Forwarded-For", "198.51.100.1")
		if got := (&Server{}).clientAddr(r); got != "127.0.0.1" {
			t.Errorf("got %s; want the peer 127.0.0.1", got)
		}
	})
}

func TestParseTrustedProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "nginx", "10.0.0.1:80"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q): got nil error; want one", bad)
		}
	}
	ps, err := ParseTrustedProxies("")
	if err != nil || len(ps) != 0 {
		t.Errorf("empty list: got %v, %v; want none", ps, err)
	}
	ps, err = ParseTrustedProxies("10.1.2.3/8,::ffff:127.0.0.1")
	if err != nil || len(ps) != 2 || ps[0].String() != "10.0.0.0/8" || ps[1].String() != "127.0.0.1/32" {
		t.Errorf("got %v, %v; want [10.0.0.0/8 127.0.0.1/32]", ps, err)
	}
}
