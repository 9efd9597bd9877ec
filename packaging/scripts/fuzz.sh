#!/usr/bin/env bash
# Runs every fuzz target in the module briefly (its seed corpus, then new
# inputs). Usage: fuzz.sh BUDGET, where BUDGET is a -fuzztime value.
#
# The budget is a count of executions ("20000x"), not a duration: with a
# duration, Go's fuzz coordinator (before Go 1.27, go.dev/issue/75804)
# can report "context deadline exceeded" as a failure when its deadline
# races a worker on a loaded machine, with no failing input written. A
# count has no deadline to race; -timeout still bounds a target that hangs.
set -euo pipefail
dur="${1:-20000x}"
count=0
for pkg in $(go list ./...); do
	case "$pkg" in */app | */app/*) continue ;; esac
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "fuzz: $pkg $t for $dur"
		go test -run '^$' -fuzz "^${t}\$" -fuzztime "$dur" -timeout 5m "$pkg" >/tmp/lantian-fuzz.log 2>&1 || {
			cat /tmp/lantian-fuzz.log
			echo "fuzz: $t in $pkg failed" >&2
			exit 1
		}
		count=$((count + 1))
	done
done
if [ "$count" -eq 0 ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $count targets ran"
