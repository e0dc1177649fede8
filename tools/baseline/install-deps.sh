#!/bin/sh
# install-deps.sh: install the Debian packages the Linux baseline and the report need.
# Quiet and quick when all are present.  Needs root (or sudo) only when something is missing.
#   qemu-system-mips      qemu-system-mipsel (malta)
#   gcc-mipsel-linux-gnu  cross compiler and static glibc for the benchmark binary
#   python3               run.py, mkcpio.py, smoke_check.py, bench_report.py
#   gnuplot-nox           the ratio plots of bench_report.py
#   apt, dpkg             fetch.sh (always present on Debian)
set -eu
need=
command -v qemu-system-mipsel >/dev/null 2>&1 || need="$need qemu-system-mips"
command -v mipsel-linux-gnu-gcc >/dev/null 2>&1 || need="$need gcc-mipsel-linux-gnu"
command -v python3 >/dev/null 2>&1 || need="$need python3"
command -v gnuplot >/dev/null 2>&1 || need="$need gnuplot-nox"
[ -z "$need" ] && exit 0
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
echo "install-deps.sh: installing$need" >&2
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $need
