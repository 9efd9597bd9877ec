#!/usr/bin/env bash
# Builds release packages into dist/: the Linux .tar.xz with `fyne package`
# and the Windows .exe cross-compiled with MinGW-w64.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p dist
FYNE_TOOLS=fyne.io/tools/cmd/fyne@v1.7.4
if ! command -v fyne >/dev/null 2>&1 || ! fyne version 2>/dev/null | grep -q 'v1.7.4'; then
	echo "package: installing the fyne command ($FYNE_TOOLS)"
	go install "$FYNE_TOOLS"
fi
FYNE="$(go env GOPATH)/bin/fyne"

echo "package: Linux (fyne package -os linux)"
"$FYNE" package -os linux -release
mv -f ./*.tar.xz dist/

echo "package: Windows (cross-compiled with x86_64-w64-mingw32-gcc)"
CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc \
	go build -trimpath -ldflags "-s -w -H=windowsgui" -o dist/lantian.exe .

echo "package: server (CGO_ENABLED=0, linux/amd64)"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o dist/lantian-server ./sync/cmd/lantian-server
ls -l dist
