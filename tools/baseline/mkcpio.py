#!/usr/bin/env python3
"""mkcpio.py: write a gzip-compressed cpio archive (newc format) for a Linux initramfs.

Usage: mkcpio.py OUT.cpio.gz SPEC...
Each SPEC is one of:
  dir:PATH                    a directory (mode 0755)
  file:PATH=HOSTFILE[:MODE]   a regular file copied from HOSTFILE (MODE octal, default
                              0755 if HOSTFILE is executable, else 0644)
  link:PATH=TARGET            a symbolic link
  cdev:PATH=MAJOR,MINOR       a character device node (mode 0600)
Every entry is owned by root with mtime 0, so the archive depends only on its inputs and
no root privileges are needed to create device nodes.
"""
import gzip
import os
import stat
import sys


def entry(ino, name, mode, data=b'', rdev=(0, 0), nlink=1):
    name_b = name.encode() + b'\0'
    hdr = '070701' + ''.join('%08x' % v for v in (
        ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0))
    out = hdr.encode() + name_b
    out += b'\0' * (-len(out) % 4)
    out += data
    out += b'\0' * (-len(out) % 4)
    return out


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    out = bytearray()
    ino = 1
    for spec in argv[2:]:
        kind, _, rest = spec.partition(':')
        if kind == 'dir':
            out += entry(ino, rest.lstrip('/'), stat.S_IFDIR | 0o755, nlink=2)
        elif kind == 'file':
            path, _, src = rest.partition('=')
            src, _, mode = src.partition(':')
            data = open(src, 'rb').read()
            if mode:
                m = int(mode, 8)
            else:
                m = 0o755 if os.access(src, os.X_OK) else 0o644
            out += entry(ino, path.lstrip('/'), stat.S_IFREG | m, data)
        elif kind == 'link':
            path, _, target = rest.partition('=')
            out += entry(ino, path.lstrip('/'), stat.S_IFLNK | 0o777, target.encode())
        elif kind == 'cdev':
            path, _, dev = rest.partition('=')
            major, minor = (int(x) for x in dev.split(','))
            out += entry(ino, path.lstrip('/'), stat.S_IFCHR | 0o600, rdev=(major, minor))
        else:
            sys.exit('mkcpio.py: bad spec %r' % spec)
        ino += 1
    out += entry(0, 'TRAILER!!!', 0)
    tmp = argv[1] + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(gzip.compress(bytes(out), compresslevel=6, mtime=0))
    os.replace(tmp, argv[1])


if __name__ == '__main__':
    main(sys.argv)
