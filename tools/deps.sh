#!/usr/bin/env bash
# deps.sh: install the Debian packages the project needs, if any is missing.
#
#   tools/deps.sh            what `make run` and `make test` need (group "base")
#   tools/deps.sh bench      that, plus what `make bench` adds (the report's plots)
#   tools/deps.sh gdb        that, plus gdb-multiarch for `make qemu-gdb`
#   tools/deps.sh --list     print every package, its group and why it is needed
#
# Packages are named, not commands: each is checked with dpkg-query, so one
# that provides no command (C library headers, firmware) is never missed.
# Silent when all are present. A missing package is installed with apt-get
# (as root, or through sudo); a failure names each package, why it is needed,
# and the last lines of apt's log, and exits 1.
#
# Not listed: apt and dpkg (Essential on every Debian system; the baseline's
# fetch.sh uses them to download Linux and busybox for mipsel without
# installing them) and the packages of Debian's minimal system (bash, gzip,
# coreutils).
set -euo pipefail

# group package why
PACKAGES="
base make                   the build (Makefile)
base gcc                    host C compiler: host unit tests (with ASan), tools
base libc6-dev              host C library headers for the host unit tests
base python3                boot driver, test runner, generators, benchmark report
base cpio                   the initrd archive of the ExOS programs
base gcc-mipsel-linux-gnu   cross compiler and binutils for the kernel, ExOS and benchmarks
base libc6-dev-mipsel-cross mipsel C headers (stdint.h) and static glibc for the Linux benchmark binary
base qemu-system-mips       qemu-system-mipsel, the malta board
base u-boot-qemu            the board's firmware (/usr/lib/u-boot/maltael/u-boot.bin)
base u-boot-tools           mkimage: the kernel and initrd images U-Boot boots
base curl                   the host's HTTP client fetching a page from ExOS's httpd (make test, net-host)
base e2fsprogs              mke2fs: the ext2/ext4 disk images of Linux's storage rows (make test's smoke run, make bench)
bench gnuplot-nox           the plots of the benchmark report (docs/results.md)
gdb gdb-multiarch           a gdb with a MIPS target, for make qemu-gdb
"

die() { echo "deps: $*" >&2; exit 1; }

if [ "${1:-}" = "--list" ]; then
	echo "$PACKAGES" | awk 'NF { why=$3; for (i = 4; i <= NF; i++) why = why " " $i;
		printf "%-24s %-6s %s\n", $2, $1, why }'
	exit 0
fi

groups=" base "
for g in "$@"; do
	case "$g" in
	base|bench|gdb) groups="$groups$g " ;;
	*) die "unknown group '$g' (base, bench, gdb, or --list)" ;;
	esac
done

# installed PACKAGE: true when dpkg has it fully installed ("install ok installed").
installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}
# why PACKAGE: the reason column of the table.
why() {
	echo "$PACKAGES" | awk -v p="$1" '$2 == p { why=$3; for (i = 4; i <= NF; i++) why = why " " $i; print why }'
}

command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this project installs its tools from Debian packages (Debian bookworm expected)"

missing=()
while read -r group pkg _; do
	[ -n "${pkg:-}" ] || continue
	case "$groups" in *" $group "*) ;; *) continue ;; esac
	installed "$pkg" || missing+=("$pkg")
done <<<"$PACKAGES"
[ ${#missing[@]} -eq 0 ] && exit 0

explain() {
	for p in "${missing[@]}"; do echo "  $p: $(why "$p")" >&2; done
}
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null 2>&1; then
		explain
		die "these packages are missing and installing them needs root (or sudo): apt-get install ${missing[*]}"
	fi
	sudo=sudo
fi
log=$(mktemp /tmp/aegis-deps.XXXXXX.log)
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get update -q >"$log" 2>&1; then
	tail -15 "$log" >&2
	explain
	die "apt-get update failed, so these packages cannot be installed (log: $log)"
fi
if ! $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$log" 2>&1; then
	tail -20 "$log" >&2
	explain
	die "apt-get install ${missing[*]} failed (log: $log)"
fi
still=()
for p in "${missing[@]}"; do installed "$p" || still+=("$p"); done
if [ ${#still[@]} -gt 0 ]; then
	missing=("${still[@]}")
	explain
	die "still not installed after apt-get install: ${still[*]} (log: $log)"
fi
rm -f "$log"
echo "deps: installed ${missing[*]}" >&2
