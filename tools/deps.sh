#!/usr/bin/env bash
# deps.sh: install the Debian packages the project needs, if any is missing.
# Idempotent and silent when everything is present. Run by `make run`,
# `make test` and `make bench` (through `make deps`).
set -euo pipefail

# command -> package that provides it
declare -A need=(
	[qemu-system-mipsel]=qemu-system-mips
	[mipsel-linux-gnu-gcc]=gcc-mipsel-linux-gnu
	[mkimage]=u-boot-tools
	[gdb-multiarch]=gdb-multiarch
	[cpio]=cpio
	[python3]=python3
	[cc]=gcc
)
missing=()
for cmd in "${!need[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
[ -f /usr/lib/u-boot/maltael/u-boot.bin ] || missing+=(u-boot-qemu)
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || { echo "deps: apt-get update failed" >&2; exit 1; }
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/aegis-deps.log 2>&1; then
	tail -20 /tmp/aegis-deps.log >&2
	echo "deps: apt-get install ${missing[*]} failed (log: /tmp/aegis-deps.log)" >&2
	exit 1
fi
for cmd in "${!need[@]}"; do
	command -v "$cmd" >/dev/null 2>&1 || { echo "deps: '$cmd' still missing after install" >&2; exit 1; }
done
echo "deps: installed ${missing[*]}" >&2
