#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server in a temp dir, runs the given command
# with LANTIAN_PG_URL pointing at it, and stops the server afterwards.
# If LANTIAN_PG_URL is already set, the command runs against that server.
set -euo pipefail

if [ -n "${LANTIAN_PG_URL:-}" ]; then
	exec "$@"
fi

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
	echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
	exit 1
fi

dir=$(mktemp -d /tmp/lantian-pg.XXXXXX)
port=$((20000 + RANDOM % 20000))
runas=()
if [ "$(id -u)" -eq 0 ]; then
	# initdb refuses to run as root.
	chown postgres:postgres "$dir"
	runas=(runuser -u postgres --)
fi
cleanup() {
	"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

"${runas[@]}" "$bindir/initdb" -D "$dir/data" -U lantian --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log"; exit 1; }
"${runas[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null ||
	{ cat "$dir/server.log"; exit 1; }
"${runas[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U lantian lantian_test

export LANTIAN_PG_URL="postgres://lantian@127.0.0.1:$port/lantian_test?sslmode=disable"
echo "with-postgres: PostgreSQL $(basename "$(dirname "$bindir")") on port $port"
"$@"
