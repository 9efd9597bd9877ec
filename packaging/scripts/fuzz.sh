#!/usr/bin/env bash
# Runs every fuzz target in the module briefly (its seed corpus, then new
# inputs for the given time). Usage: fuzz.sh DURATION
set -euo pipefail
dur="${1:-4s}"
count=0
for pkg in $(go list ./...); do
	case "$pkg" in */app | */app/*) continue ;; esac
	targets=$(go test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz' || true)
	for t in $targets; do
		echo "fuzz: $pkg $t for $dur"
		go test -run '^$' -fuzz "^${t}\$" -fuzztime "$dur" "$pkg" >/tmp/lantian-fuzz.log 2>&1 || {
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
