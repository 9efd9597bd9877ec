#!/usr/bin/env bash
# Installs the Debian packages a Lantian build or test needs, only when they
# are missing. Usage: deps.sh build|test|package
set -euo pipefail

build_pkgs=(gcc pkg-config libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev
	libxi-dev libxxf86vm-dev libgl1-mesa-dev)
test_pkgs=(xvfb imagemagick x11-utils postgresql nginx-light)
package_pkgs=(gcc-mingw-w64-x86-64 xz-utils)

want=("${build_pkgs[@]}")
case "${1:-build}" in
build) ;;
test) want+=("${test_pkgs[@]}") ;;
package) want+=("${package_pkgs[@]}") ;;
*) echo "deps.sh: unknown set '$1' (build, test or package)" >&2; exit 2 ;;
esac

if ! command -v go >/dev/null 2>&1; then
	echo "deps: Go is not installed. Lantian needs Go 1.26 or newer: install it to /usr/local/go and put /usr/local/go/bin on PATH." >&2
	exit 1
fi

missing=()
for p in "${want[@]}"; do
	# Any of Debian's nginx packages serves the nginx tests.
	if [ "$p" = nginx-light ] && [ -x /usr/sbin/nginx ]; then
		continue
	fi
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "deps: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: not root; run as root or install them with: sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${missing[*]}"
