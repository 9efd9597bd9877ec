package server

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
)

// ParseTrustedProxies parses a comma-separated list of addresses and
// CIDR prefixes ("10.0.0.0/8,127.0.0.1,::1") into prefixes for
// Config.TrustedProxies. An empty list trusts no proxy.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for f := range strings.SplitSeq(list, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			ps = append(ps, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: neither an address nor a CIDR prefix", f)
		}
		a = a.Unmap()
		ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
	}
	return ps, nil
}

// trusted reports whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientAddr is the address of the client that sent r, the one the
// enrollment limit counts and the logs name. It is the direct peer,
// unless the peer is a trusted proxy (Config.TrustedProxies): then it is
// the right-most address of X-Forwarded-For that is not a trusted proxy
// itself, each proxy having appended the address it received from. The
// entries left of it are whatever the client sent and are never
// believed, so a client cannot choose its address by forging the header;
// a peer that is not trusted has its header ignored. When every entry is
// a trusted proxy, or one is not an address (no trusted proxy writes
// that), the last trusted address reached stands.
func (s *Server) clientAddr(r *http.Request) string {
	peer, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr // not from a TCP listener (tests, unix sockets)
	}
	addr := peer.Addr().Unmap()
	if !s.trusted(addr) {
		return addr.String()
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, ok := parseHop(h)
		if !ok {
			break
		}
		addr = a
		if !s.trusted(a) {
			break
		}
	}
	return addr.String()
}

// parseHop parses one X-Forwarded-For entry: an address, or one with a
// port ("192.0.2.1:5000", "[2001:db8::1]:5000").
func parseHop(h string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}

type clientKey struct{}

// client is the client address of a request that passed through
// instrument (see clientAddr).
func client(r *http.Request) string {
	c, _ := r.Context().Value(clientKey{}).(string)
	return c
}

// withClient returns r with its client address in its context.
func (s *Server) withClient(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), clientKey{}, s.clientAddr(r)))
}
