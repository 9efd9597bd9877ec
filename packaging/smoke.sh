#!/usr/bin/env bash
# Window smoke test of the desktop app: start it under a virtual X display
# on a demo county in a fresh data folder, wait (bounded) until the window
# is up and its home screen drawn, take a screenshot and fail unless the
# picture has real content. Needs xvfb-run, xwininfo (x11-utils) and ImageMagick.
#
#   packaging/smoke.sh [BINARY]      (default: build ./bin/lantian first)
#
# Environment: SMOKE_TIMEOUT seconds to wait for the window (default 120),
# SMOKE_SHOT path of the screenshot to keep (default: in the temp folder).
set -euo pipefail

BIN=${1:-}
TIMEOUT=${SMOKE_TIMEOUT:-120}
cd "$(dirname "$0")/.."

for tool in xvfb-run xwininfo import convert; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "smoke: $tool is missing (apt-get install xvfb x11-utils imagemagick)" >&2
		exit 2
	fi
done

if [ -z "$BIN" ]; then
	BIN=bin/lantian
	go build -o "$BIN" .
fi
if [ ! -x "$BIN" ]; then
	echo "smoke: $BIN is not an executable" >&2
	exit 2
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SHOT=${SMOKE_SHOT:-$WORK/shot.png}

# The inner script runs inside the virtual display.
cat >"$WORK/inner.sh" <<'INNER'
#!/usr/bin/env bash
set -u
BIN=$1 DATA=$2 SHOT=$3 TIMEOUT=$4 LOG=$5
"$BIN" --demo --data "$DATA" >"$LOG" 2>&1 &
APP=$!
cleanup() { kill "$APP" 2>/dev/null; wait "$APP" 2>/dev/null; }
trap cleanup EXIT
deadline=$((SECONDS + TIMEOUT))
# 1. The window exists.
until xwininfo -root -tree 2>/dev/null | grep -q -e '蓝天台账' -e 'Lantian' -e '\\350\\223\\235'; do
	if ! kill -0 "$APP" 2>/dev/null; then echo "smoke: the app exited before opening its window" >&2; exit 3; fi
	if [ $SECONDS -ge $deadline ]; then echo "smoke: no window after ${TIMEOUT}s" >&2; exit 4; fi
	sleep 0.5
done
# 2. Its content is drawn and stable: demo records are created on first
#    start, then the home screen appears. Wait until two screenshots a
#    second apart are identical and have enough colours.
prev=""
while :; do
	if ! kill -0 "$APP" 2>/dev/null; then echo "smoke: the app exited" >&2; exit 3; fi
	import -window root "$SHOT" 2>/dev/null
	colours=$(convert "$SHOT" -format '%k' info: 2>/dev/null || echo 0)
	sum=$(md5sum <"$SHOT" | cut -c1-32)
	if [ "$colours" -gt 64 ] && [ "$sum" = "$prev" ]; then break; fi
	prev=$sum
	if [ $SECONDS -ge $deadline ]; then break; fi
	sleep 1
done
exit 0
INNER
chmod +x "$WORK/inner.sh"

xvfb-run -a -s "-screen 0 1280x800x24" "$WORK/inner.sh" "$BIN" "$WORK/data" "$SHOT" "$TIMEOUT" "$WORK/app.log" || {
	rc=$?
	echo "smoke: FAILED (code $rc); app log:" >&2
	tail -20 "$WORK/app.log" >&2 || true
	exit 1
}

colours=$(convert "$SHOT" -format '%k' info:)
sd=$(convert "$SHOT" -colorspace gray -format '%[fx:standard_deviation]' info:)
echo "smoke: screenshot $SHOT: $colours colours, grey standard deviation $sd"
if [ "$colours" -le 64 ] || awk "BEGIN{exit !($sd < 0.02)}"; then
	echo "smoke: FAILED: the window looks blank ($colours colours, deviation $sd)" >&2
	tail -20 "$WORK/app.log" >&2 || true
	exit 1
fi
if grep -q 'panic:' "$WORK/app.log"; then
	echo "smoke: FAILED: the app panicked" >&2
	grep -A20 'panic:' "$WORK/app.log" >&2
	exit 1
fi
echo "smoke: ok"
