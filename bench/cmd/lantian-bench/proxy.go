package main

import (
	"net"
	"sync"
	"sync/atomic"
)

// countingProxy forwards TCP connections from a loopback port to a
// target and counts the bytes each way, as they go over the wire
// (headers, chunk framing and compressed bodies included).
type countingProxy struct {
	ln       net.Listener
	target   string
	up, down atomic.Int64
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]bool
}

func newProxy(target string) (*countingProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// url is the proxy's http:// address.
func (p *countingProxy) url() string { return "http://" + p.ln.Addr().String() }

// take returns the bytes counted since the last take (client to server,
// server to client) and starts counting afresh.
func (p *countingProxy) take() (up, down int64) {
	return p.up.Swap(0), p.down.Swap(0)
}

func (p *countingProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *countingProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *countingProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.track(c, true)
		p.track(s, true)
		p.wg.Add(2)
		go p.pump(s, c, &p.up)
		go p.pump(c, s, &p.down)
	}
}

// pump copies from src to dst, counting, and closes both when src ends.
func (p *countingProxy) pump(dst, src net.Conn, n *atomic.Int64) {
	defer p.wg.Done()
	buf := make([]byte, 64<<10)
	for {
		k, err := src.Read(buf)
		if k > 0 {
			n.Add(int64(k))
			if _, werr := dst.Write(buf[:k]); werr != nil {
				break
			}
		}
		if err != nil { // io.EOF or a closed connection
			break
		}
	}
	dst.Close()
	src.Close()
	p.track(dst, false)
	p.track(src, false)
}
