package client

import (
	"context"
)

// Sync pushes the device's pending ops, pulls everything new in its scope
// and moves the photos, reporting progress (which may be nil) as it goes.
// It stops at the first failure; what was done before stays done, and the
// next Sync goes on from there. Sync calls are serialized.
func (c *Client) Sync(ctx context.Context, progress func(Progress)) (Result, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var res Result
	var seen ownRefs
	if err := c.push(ctx, &res, &seen, progress); err != nil {
		return res, err
	}
	if err := c.pull(ctx, &res, progress); err != nil {
		return res, err
	}
	if err := c.blobs(ctx, &res, &seen, progress); err != nil {
		return res, err
	}
	return res, nil
}
