#!/bin/sh
# mkinitramfs.sh: build build/baseline/initramfs.cpio.gz for the Linux baseline.
#
# Usage: mkinitramfs.sh BENCH_BINARY [OUT]
# Contents: /init (tools/baseline/init.sh), /bin/busybox (static, from fetch.sh) with a
# /bin/sh link, /bench (the static benchmark binary), /dev/console and /dev/null nodes,
# and empty /proc /sys /dev /tmp mount points; /lib/modules/{mii,pcnet32}.ko (the PCnet
# driver, loaded by /init on the boots that have NICs) and /www/index.html (the file
# tools/bench_http.py fetches from busybox httpd).
set -eu
BUILD=${BUILD:-build}
HERE=$(dirname "$0")
BIN=${1:?usage: mkinitramfs.sh BENCH_BINARY [OUT]}
OUT=${2:-$BUILD/baseline/initramfs.cpio.gz}
BB=$BUILD/baseline/busybox
[ -x "$BB" ] || { echo "mkinitramfs.sh: $BB missing: run tools/baseline/fetch.sh" >&2; exit 1; }
[ -f "$BIN" ] || { echo "mkinitramfs.sh: $BIN missing" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
python3 "$HERE/mkcpio.py" "$OUT" \
	dir:bin dir:dev dir:proc dir:sys dir:tmp \
	cdev:dev/console=5,1 cdev:dev/null=1,3 \
	"file:bin/busybox=$BB:0755" link:bin/sh=busybox \
	"file:init=$HERE/init.sh:0755" \
	"file:bench=$BIN:0755" \
	dir:lib dir:lib/modules \
	"file:lib/modules/mii.ko=$BUILD/baseline/modules/mii.ko:0644" \
	"file:lib/modules/pcnet32.ko=$BUILD/baseline/modules/pcnet32.ko:0644" \
	dir:www "file:www/index.html=$HERE/../../bench/www/index.html:0644" \
	"file:www/bench.html=$HERE/../../bench/www/index.html:0644"
