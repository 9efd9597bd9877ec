package main

import "github.com/lantian-tz/lantian/internal/faultproxy"

// newProxy starts a TCP proxy on a loopback port that forwards to target
// and counts the bytes each way as they go over the wire (headers, chunk
// framing and compressed bodies included): a faultproxy.Proxy with no
// faults armed that keeps no copy of the requests. TakeBytes returns the
// bytes since the last take (client to server, server to client) and
// starts counting afresh.
func newProxy(target string) (*faultproxy.Proxy, error) {
	p, err := faultproxy.New(target, nil)
	if err != nil {
		return nil, err
	}
	p.CaptureRequests(false)
	return p, nil
}
