#!/bin/sh
# modules.sh: the kernel modules the storage rows' Linux boots load, taken from the
# kernel package fetch.sh downloaded (build/baseline/apt/debs/linux-image-*.deb).
#
# Debian's malta kernel has libata and the SCSI disk built in, but the PIIX4's IDE driver
# (ata_piix) and ext4 (which also mounts ext2: CONFIG_EXT4_USE_FOR_EXT2) are modules,
# with ext4's dependencies crc16, mbcache and jbd2 (its `depends=`), and crc32c_generic,
# the "crc32c" that ext4 and jbd2 ask the crypto API for when checksums are on (ext4's
# default metadata_csum).  The kernel package ships no modules.dep (depmod runs at
# install), so the load order is written here, into build/baseline/modules/storage.list,
# which tools/baseline/init.sh follows and mkinitramfs.sh puts in the initramfs.
# Quiet when done for the kernel package there (recorded in storage.deb); the list is
# written last, so its presence means complete.
set -eu
BUILD=${BUILD:-build}
OUT=$BUILD/baseline/modules
MODS="lib/crc16.ko fs/mbcache.ko fs/jbd2/jbd2.ko crypto/crc32c_generic.ko fs/ext4/ext4.ko
drivers/ata/ata_piix.ko"
DEB=$(ls "$BUILD"/baseline/apt/debs/linux-image-*_mipsel.deb 2>/dev/null | head -n1)
[ -n "$DEB" ] || { echo "modules.sh: no kernel package in $BUILD/baseline/apt/debs (run fetch.sh)" >&2; exit 1; }
# Done already for this kernel package (fetch.sh BASELINE_REFRESH=1 may bring another).
[ -s "$OUT/storage.list" ] && [ "$(cat "$OUT/storage.deb" 2>/dev/null)" = "$(basename "$DEB")" ] && exit 0
rm -f "$OUT/storage.list"
TMP=$BUILD/baseline/modules.tmp
rm -rf "$TMP" && mkdir -p "$TMP" "$OUT"
dpkg-deb -x "$DEB" "$TMP"
list=
for m in $MODS; do
	f=$(ls "$TMP"/lib/modules/*/kernel/$m 2>/dev/null | head -n1)
	[ -n "$f" ] || { echo "modules.sh: $DEB has no $m" >&2; exit 1; }
	cp "$f" "$OUT/"
	list="$list$(basename "$m")
"
done
rm -rf "$TMP"
basename "$DEB" > "$OUT/storage.deb"
printf '%s' "$list" > "$OUT/storage.list"
echo "modules.sh: $(echo $list) from $(basename "$DEB")"
