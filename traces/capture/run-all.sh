#!/bin/bash
# Remake all of the project's real sample data with one command (root, Debian 12, about 3 min):
#
#   traces/capture/run-all.sh [-o TRACESDIR] [-w WORKDIR]
#
# The QEMU recordings go to TRACESDIR/recordings/<scenario>/ (capture.sh all), the netns TCP bulk
# pcaps to TRACESDIR/pcap/ (netns-bulk.sh), and the result is checked (check-recordings.sh).
# TRACESDIR defaults to traces/ of this checkout, i.e. the committed files are replaced.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TR=$(cd "$HERE/.." && pwd)
WARGS=()
while getopts "o:w:h" opt; do
  case $opt in
    o) TR=$OPTARG ;;
    w) WARGS=(-w "$OPTARG") ;;
    *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
mkdir -p "$TR/recordings" "$TR/pcap"
"$HERE/capture.sh" -o "$TR/recordings" "${WARGS[@]}" all
"$HERE/netns-bulk.sh" -o "$TR/pcap"
"$HERE/check-recordings.sh" "$TR/recordings" | tail -n 1
