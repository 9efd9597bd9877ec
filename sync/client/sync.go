package client

import (
	"context"
)

// Sync pushes the device's pending ops, pulls everything new in its scope,
// tells the server of received ops it set aside and moves the photos,
// reporting progress (which may be nil) as it goes.
// It stops at the first failure; what was done before stays done, and the
// next Sync goes on from there. Sync calls are serialized.
func (c *Client) Sync(ctx context.Context, progress func(Progress)) (Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var res Result
	var seen ownRefs
	upToDate, err := c.push(ctx, &res, &seen, progress)
	if err != nil {
		return res, err
	}
	if err := c.pullOrSkip(ctx, upToDate, &res, progress); err != nil {
		return res, err
	}
	if res.serverLost {
		// The server was restored from an earlier backup: send again
		// what it lost.
		if _, err := c.push(ctx, &res, &seen, progress); err != nil {
			return res, err
		}
	}
	if err := c.report(ctx, &res); err != nil {
		return res, err
	}
	if err := c.blobs(ctx, &res, &seen, progress); err != nil {
		return res, err
	}
	return res, nil
}

// pullOrSkip pulls, unless the push's answer said the scope holds nothing
// new but the device's own ops: then it saves the cursor that pull would
// have reached, sparing the round trip.
func (c *Client) pullOrSkip(ctx context.Context, upToDate *uint64, res *Result, progress func(Progress)) error {
	if upToDate != nil {
		cur, err := c.cfg.Store.Cursor()
		if err == nil && *upToDate >= cur {
			if _, err := c.cfg.Store.ApplyPage(ctx, nil, *upToDate); err != nil {
				return storeErr("pull", err)
			}
			return nil
		}
	}
	return c.pull(ctx, res, progress)
}
