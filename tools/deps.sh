#!/bin/sh
# Install the Debian packages vnicsim needs, when missing.
# As root: apt-get installs them. Otherwise: print the exact command and fail.
# Keep this list the single source of truth (README refers to it).
PKGS="build-essential libpcap-dev libjansson-dev zlib1g-dev gnuplot-nox pkg-config clang tcpdump parallel libclang-rt-14-dev python3 jq"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null || {
        echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
else
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: run: sudo apt-get install -y$missing" >&2
    exit 1
fi
