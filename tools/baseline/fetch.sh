#!/bin/sh
# fetch.sh: obtain Debian's mipsel malta kernel and busybox-static for the Linux baseline.
#
# Uses a private apt state (build/baseline/apt/) with its own sources list pointing at the
# same Debian mirror(s) the host uses, with APT::Architecture=mipsel.  Nothing is installed
# on the host and the host's dpkg architecture list is not changed: the packages are only
# downloaded (apt-get download) and unpacked (dpkg-deb -x) under build/baseline/.
#
# Outputs:
#   build/baseline/vmlinuz             kernel for `qemu-system-mipsel -M malta -kernel`
#   build/baseline/busybox             static mipsel busybox
#   build/baseline/kernel-version.txt  "<package> <version>" of the kernel image used
#   build/baseline/busybox-version.txt "<package> <version>" of busybox-static
#   build/baseline/modules/{mii,pcnet32}.ko  the PCnet driver (a module in this kernel)
#                                      and the module it needs, for the network rows
#
# Idempotent and quiet when everything is present.  Set BASELINE_REFRESH=1 to re-resolve the
# kernel package against the archive.  Set BASELINE_MIRROR=URI to override the mirror.
set -eu

BUILD=${BUILD:-build}
OUT="$BUILD/baseline"
APT="$OUT/apt"

die() { echo "fetch.sh: error: $*" >&2; exit 1; }

if [ -s "$OUT/vmlinuz" ] && [ -x "$OUT/busybox" ] && [ -s "$OUT/kernel-version.txt" ] \
   && [ -s "$OUT/modules/pcnet32.ko" ] && [ -z "${BASELINE_REFRESH:-}" ]; then
	exit 0
fi

command -v apt-get >/dev/null || die "apt-get not found (a Debian host is required)"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"

mkdir -p "$APT/lists/partial" "$APT/archives/partial" "$APT/etc/sources.list.d" \
	"$APT/etc/preferences.d" "$APT/debs" "$OUT"
touch "$APT/status"

# Build a one-line-format sources list for mipsel from the host's Debian entries.
SRC="$APT/etc/sources.list"
if [ -n "${BASELINE_MIRROR:-}" ]; then
	echo "deb [arch=mipsel] $BASELINE_MIRROR bookworm main" > "$SRC.new"
else
	python3 - "$SRC.new" <<'PY'
import glob, os, re, sys
out = []
def keep(uri):
    # Debian's own archives only (debian, debian-security), not third-party repos.
    return re.search(r'/debian(-security)?/?$', uri) is not None
def add(uri, suite, comps, signed):
    if not keep(uri):
        return
    opts = 'arch=mipsel' + (' signed-by=' + signed if signed else '')
    line = 'deb [%s] %s %s %s' % (opts, uri, suite, ' '.join(comps))
    if line not in out:
        out.append(line)
files = []
if os.path.exists('/etc/apt/sources.list'):
    files.append('/etc/apt/sources.list')
files += sorted(glob.glob('/etc/apt/sources.list.d/*.list'))
files += sorted(glob.glob('/etc/apt/sources.list.d/*.sources'))
for f in files:
    text = open(f, encoding='utf-8', errors='replace').read()
    if f.endswith('.list'):
        for ln in text.splitlines():
            ln = ln.split('#', 1)[0].strip()
            m = re.match(r'deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.*)', ln)
            if not m:
                continue
            signed = None
            if m.group(1):
                s = re.search(r'signed-by=(\S+)', m.group(1).strip('[] '))
                signed = s.group(1) if s else None
            add(m.group(2), m.group(3), m.group(4).split(), signed)
    else:
        for stanza in re.split(r'\n\s*\n', text):
            fields = {}
            for ln in stanza.splitlines():
                if ln.startswith('#') or ':' not in ln or ln[0].isspace():
                    continue
                k, v = ln.split(':', 1)
                fields[k.strip().lower()] = v.strip()
            if fields.get('enabled', 'yes').lower() == 'no':
                continue
            if 'deb' not in fields.get('types', '').split():
                continue
            for uri in fields.get('uris', '').split():
                for suite in fields.get('suites', '').split():
                    add(uri, suite, fields.get('components', 'main').split(),
                        fields.get('signed-by'))
if not out:
    sys.exit('no Debian archive found in /etc/apt/sources.list{,.d}; set BASELINE_MIRROR')
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
PY
fi
mv "$SRC.new" "$SRC"

aptopts() {
	# Everything apt reads or writes lives under $APT, except the keyrings named in the
	# sources list.
	A=$(cd "$APT" && pwd)
	echo "-q -o APT::Architecture=mipsel -o APT::Architectures::=mipsel \
-o Dir::State=$A -o Dir::State::Lists=$A/lists -o Dir::State::status=$A/status \
-o Dir::Cache=$A -o Dir::Cache::archives=$A/archives \
-o Dir::Cache::pkgcache=$A/pkgcache.bin -o Dir::Cache::srcpkgcache=$A/srcpkgcache.bin \
-o Dir::Etc::SourceList=$A/etc/sources.list -o Dir::Etc::SourceParts=$A/etc/sources.list.d \
-o Dir::Etc::Preferences=$A/etc/preferences -o Dir::Etc::PreferencesParts=$A/etc/preferences.d \
-o Debug::NoLocking=1"
}
OPTS=$(aptopts)

# shellcheck disable=SC2086
apt-get $OPTS --error-on=any update >"$APT/update.log" 2>&1 || {
	grep -E '^(W|E|Err):' "$APT/update.log" >&2 || cat "$APT/update.log" >&2
	die "apt-get update (mipsel, private state in $APT) failed; sources used: $(tr '\n' ';' < "$SRC")"
}

# Resolve linux-image-4kc-malta -> linux-image-6.1.0-NN-4kc-malta.
# shellcheck disable=SC2086
KPKG=$(apt-cache $OPTS depends linux-image-4kc-malta 2>/dev/null \
	| sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-4kc-malta\).*/\1/p' | head -n1)
[ -n "$KPKG" ] || die "cannot resolve linux-image-4kc-malta to a versioned kernel package (mipsel)"

fetch_deb() { # $1 package -> prints path of the .deb
	# A .deb already downloaded for this package name is reused (the kernel's package
	# name carries its ABI; BASELINE_REFRESH=1 downloads again).
	if [ -z "${BASELINE_REFRESH:-}" ] && ls "$APT/debs/$1"_*_mipsel.deb >/dev/null 2>&1; then
		ls "$APT/debs/$1"_*_mipsel.deb | head -n1
		return
	fi
	rm -f "$APT/debs/$1"_*.deb
	# shellcheck disable=SC2086
	(cd "$APT/debs" && apt-get $OPTS download "$1" >"../download-$1.log" 2>&1) || {
		cat "$APT/download-$1.log" >&2
		die "apt-get download $1 (mipsel) failed"
	}
	ls "$APT/debs/$1"_*_mipsel.deb 2>/dev/null | head -n1
}

KDEB=$(fetch_deb "$KPKG")
[ -n "$KDEB" ] || die "no .deb for $KPKG after download"
BDEB=$(fetch_deb busybox-static)
[ -n "$BDEB" ] || die "no .deb for busybox-static after download"

rm -rf "$APT/x-kernel" "$APT/x-busybox"
dpkg-deb -x "$KDEB" "$APT/x-kernel" || die "cannot unpack $KDEB"
dpkg-deb -x "$BDEB" "$APT/x-busybox" || die "cannot unpack $BDEB"

K=$(ls "$APT"/x-kernel/boot/vmlinuz-* 2>/dev/null | head -n1)
[ -n "$K" ] || die "$KDEB contains no /boot/vmlinuz-*"
[ -x "$APT/x-busybox/bin/busybox" ] || die "$BDEB contains no /bin/busybox"

# The network rows' NICs are PCnets, whose driver this kernel has as a module.
mkdir -p "$OUT/modules"
for m in drivers/net/mii.ko drivers/net/ethernet/amd/pcnet32.ko; do
	f=$(ls "$APT"/x-kernel/lib/modules/*/kernel/$m 2>/dev/null | head -n1)
	[ -n "$f" ] || die "$KDEB contains no $m"
	cp "$f" "$OUT/modules/"
done
cp "$K" "$OUT/vmlinuz.new" && mv "$OUT/vmlinuz.new" "$OUT/vmlinuz"
cp "$APT/x-busybox/bin/busybox" "$OUT/busybox.new" && mv "$OUT/busybox.new" "$OUT/busybox"
chmod +x "$OUT/busybox"
echo "$KPKG $(dpkg-deb -f "$KDEB" Version)" > "$OUT/kernel-version.txt"
echo "busybox-static $(dpkg-deb -f "$BDEB" Version)" > "$OUT/busybox-version.txt"
rm -rf "$APT/x-kernel" "$APT/x-busybox"
echo "fetch.sh: $(cat "$OUT/kernel-version.txt"), $(cat "$OUT/busybox-version.txt")"
