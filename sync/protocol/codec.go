package protocol

import (
	"runtime"

	"golang.org/x/sync/errgroup"

	"github.com/lantian-tz/lantian/internal/oplog"
)

// decodeBlock is how many ops of a push a decoding goroutine takes; a
// push of fewer than two blocks is decoded on the caller's goroutine.
const decodeBlock = 64

// The typed codecs below put oplog ops (MarshalBinary/UnmarshalBinary)
// into the frames of frame.go.

// EncodePush returns the push frame of req.
func EncodePush(req PushRequest) ([]byte, error) {
	raws := make([][]byte, len(req.Ops))
	size := 32
	for i := range req.Ops {
		b, err := req.Ops[i].MarshalBinary()
		if err != nil {
			return nil, err
		}
		raws[i] = b
		size += len(b) + 3
	}
	return AppendPushFrame(make([]byte, 0, size), req.Device, raws), nil
}

// DecodePush decodes a push frame. It never panics on malformed input.
func DecodePush(b []byte) (PushRequest, error) {
	req, _, err := DecodePushRaw(b)
	return req, err
}

// DecodePushRaw decodes a push frame and also returns each op's binary
// form as received (aliasing b), so a server can store it unchanged.
func DecodePushRaw(b []byte) (PushRequest, [][]byte, error) {
	req, raws, _, err := DecodePushHashed(b)
	return req, raws, err
}

// DecodePushHashed is DecodePushRaw that also returns each op's hash,
// taken from the bytes received (oplog.Op.UnmarshalBinaryHash). Large
// batches are decoded on all CPUs; the error is the first bad op's.
func DecodePushHashed(b []byte) (PushRequest, [][]byte, []oplog.Hash, error) {
	dev, raws, err := ParsePushFrame(b)
	if err != nil {
		return PushRequest{}, nil, nil, err
	}
	req := PushRequest{Device: dev, Ops: make([]oplog.Op, len(raws))}
	hashes := make([]oplog.Hash, len(raws))
	errs := make([]error, len(raws))
	decode := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			hashes[i], errs[i] = req.Ops[i].UnmarshalBinaryHash(raws[i])
		}
	}
	procs := runtime.GOMAXPROCS(0)
	if procs == 1 || len(raws) < 2*decodeBlock {
		decode(0, len(raws))
	} else {
		var g errgroup.Group
		g.SetLimit(procs)
		for lo := 0; lo < len(raws); lo += decodeBlock {
			g.Go(func() error {
				decode(lo, min(lo+decodeBlock, len(raws)))
				return nil
			})
		}
		g.Wait() // errs holds each op's error
	}
	for i, err := range errs {
		if err != nil {
			return PushRequest{}, nil, nil, ErrBadFrame.With("op "+itoa(i), err)
		}
	}
	return req, raws, hashes, nil
}

// EncodePull returns the page frame of resp: each op's binary form with
// its Eff, ServerSeq and ScopePrev (the page has links when ScopePrev is
// not nil; 0 where it is short).
func EncodePull(resp PullResponse) ([]byte, error) {
	p := PageFrame{Cursor: resp.Cursor, More: resp.More, ServerTime: resp.ServerTime, Keys: resp.Keys, Links: resp.ScopePrev != nil}
	size := 64 + len(resp.Keys)*48
	for i := range resp.Ops {
		o := &resp.Ops[i]
		raw, err := o.MarshalBinary()
		if err != nil {
			return nil, err
		}
		po := PageOp{ServerSeq: o.ServerSeq, Eff: o.Eff, Raw: raw}
		if i < len(resp.ScopePrev) {
			po.ScopePrev = resp.ScopePrev[i]
		}
		p.Ops = append(p.Ops, po)
		size += len(raw) + 24
	}
	return AppendPageFrame(make([]byte, 0, size), p), nil
}

// DecodePull decodes a page frame into ops carrying their stamps. It never
// panics on malformed input.
func DecodePull(b []byte) (PullResponse, error) {
	p, err := ParsePageFrame(b)
	if err != nil {
		return PullResponse{}, err
	}
	resp := PullResponse{Cursor: p.Cursor, More: p.More, ServerTime: p.ServerTime, Keys: p.Keys,
		Ops: make([]oplog.Op, len(p.Ops)), HasWithdrawals: p.HasWithdrawals, Withdrawn: p.Withdrawn, Withdrawals: p.Withdrawals}
	if p.Links {
		resp.ScopePrev = make([]uint64, len(p.Ops))
	}
	for i, po := range p.Ops {
		o := &resp.Ops[i]
		if err := o.UnmarshalBinary(po.Raw); err != nil {
			return PullResponse{}, ErrBadFrame.With("op "+itoa(i), err)
		}
		o.ServerSeq = po.ServerSeq
		o.Eff = po.Eff
		if p.Links {
			resp.ScopePrev[i] = po.ScopePrev
		}
	}
	return resp, nil
}
