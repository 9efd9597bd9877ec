#!/usr/bin/env bash
# Lantian's sync benchmark: N records pushed from a device to a real
# lantian-server on loopback and pulled by a fresh device, against the same
# documents replicated by PouchDB 9 through express-pouchdb 4.2, and against
# the limit (a Badger WriteBatch and a plain HTTP transfer of the same
# bytes). Writes BENCHMARKS.md at the repository root.
#
# Usage: packaging/scripts/bench.sh [N] (default 100000; RUNS=3)
set -euo pipefail

N="${1:-100000}"
RUNS="${RUNS:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

for tool in go node npm; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "bench: $tool is not installed; the benchmark needs Go 1.26+, and node 20+ with npm for its PouchDB peer." >&2
		exit 1
	fi
done
case "$N" in
'' | *[!0-9]*) echo "bench: N must be a number of records, not '$N'" >&2; exit 2 ;;
esac

tmp="$(mktemp -d -t lantian-bench.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

echo "bench: building lantian-server (CGO_ENABLED=0) and the harness"
CGO_ENABLED=0 go build -o "$tmp/lantian-server" ./sync/cmd/lantian-server
CGO_ENABLED=0 go build -o "$tmp/lantian-bench" ./bench/cmd/lantian-bench

if [ ! -d bench/pouchdb/node_modules ]; then
	echo "bench: installing the PouchDB peer from bench/pouchdb/package-lock.json"
	(cd bench/pouchdb && npm ci --ignore-scripts --no-audit --no-fund)
fi

echo "bench: N=$N, $RUNS runs of each system (this takes a few minutes)"
"$tmp/lantian-bench" --n "$N" --runs "$RUNS" --server "$tmp/lantian-server" \
	--pouchdb bench/pouchdb --work "$tmp/work" --out BENCHMARKS.md
echo "bench: wrote BENCHMARKS.md"
