package faultproxy

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
)

// SplitRequests splits a captured request stream into the complete HTTP
// requests it holds, each re-serialised with its body; an incomplete
// trailing request is left out.
func SplitRequests(stream []byte) [][]byte {
	var out [][]byte
	r := bufio.NewReader(bytes.NewReader(stream))
	for {
		req, err := http.ReadRequest(r)
		if err != nil {
			return out
		}
		raw, err := httputil.DumpRequest(req, true)
		req.Body.Close()
		if err != nil {
			return out
		}
		out = append(out, raw)
	}
}

// FindRequest returns the last complete captured request whose request
// line or headers contain match.
func (p *Proxy) FindRequest(match string) ([]byte, bool) {
	caps := p.Captures()
	for i := len(caps) - 1; i >= 0; i-- {
		reqs := SplitRequests(caps[i])
		for j := len(reqs) - 1; j >= 0; j-- {
			head, _, _ := bytes.Cut(reqs[j], []byte("\r\n\r\n"))
			if strings.Contains(string(head), match) {
				return reqs[j], true
			}
		}
	}
	return nil, false
}

// Replay sends one raw HTTP request straight to the target (not through
// the faults) and returns the status code and body of the answer.
func (p *Proxy) Replay(ctx context.Context, raw []byte) (int, []byte, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", p.target)
	if err != nil {
		return 0, nil, fmt.Errorf("faultproxy: replay dial: %w", err)
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	if _, err := c.Write(raw); err != nil {
		return 0, nil, fmt.Errorf("faultproxy: replay write: %w", err)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return 0, nil, fmt.Errorf("faultproxy: replay parse: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		return 0, nil, errors.Join(fmt.Errorf("faultproxy: replay read: %w", err), ctx.Err())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("faultproxy: replay body: %w", err)
	}
	return resp.StatusCode, body, nil
}
