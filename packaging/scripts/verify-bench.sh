#!/usr/bin/env bash
# verify-bench.sh [OPS]: builds a server data directory on disk
# holding OPS signed ops (default 1000000) of 100 vouched devices in 10
# counties (BenchmarkVerifyServerDisk in sync/server, which also times
# verify in-process), then times "lantian-server verify --data DIR" with
# and without --each-signature under /usr/bin/time -v: wall time, ops/s
# and peak RSS. Not part of make test. Needs about 1 GB of disk per
# million ops under ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH=$PATH:/usr/local/go/bin
ops=${1:-1000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lantian-verify.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir -p bin
CGO_ENABLED=0 go build -o bin/lantian-server ./sync/cmd/lantian-server
echo "verify-bench: building $ops ops in $dir/data (load: $(cat /proc/loadavg))"
LANTIAN_VERIFY_OPS=$ops LANTIAN_VERIFY_DIR=$dir/data \
	go test -run '^$' -bench 'VerifyServerDisk/ops=.*/each=false' -benchtime 1x -count 1 -timeout 120m -v ./sync/server/
for mode in "" --each-signature; do
	echo "verify-bench: lantian-server verify --data DIR $mode (load: $(cat /proc/loadavg))"
	/usr/bin/time -v bin/lantian-server verify --data "$dir/data" $mode 2>"$dir/time.txt"
	grep -E 'Elapsed \(wall|Maximum resident|User time|System time' "$dir/time.txt"
done
echo "verify-bench: load at the end: $(cat /proc/loadavg)"
