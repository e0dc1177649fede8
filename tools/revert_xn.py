#!/usr/bin/env python3
"""The revert checks of XN's protections (docs/storage.md): for each
protection, take it out of the source with a textual edit, build into
build/rv, run the xn-direct suite (or the row's own: xn-persist), print
which tests fail (and whether kcheck complained), and put the source back. Slow (a build
and a boot per row); run by hand: python3 tools/revert_xn.py [ROW...]."""
import glob, subprocess, sys, re, os
os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
P = [
 ("owns must differ by exactly the claim", "aegis/xn.c",
  "	if (nadd != adds || nrem != !adds || (adds ? add[0] : rem[0]) != u->target)\n		return -E_INVAL;\n", ""),
 ("an allocated block must be free", "aegis/xn.c",
  "		if (xn_map[u->target] || disk_in_extent(u->target))\n			return -E_BUSY;\n", ""),
 ("only the owner's blocks (lookup)", "aegis/xn.c",
  "	if (xn_roots[fs].ownerid != curenv->id)\n		return -E_PERM;\n", ""),
 ("rule 1: no write pointing to a tainted block", "aegis/xn.c",
  "				if (c >= 0 && (xn_b[c].state & XN_S_TAINTED))", "				if (c < -1 && (xn_b[c].state & XN_S_TAINTED))"),
 ("no read of a tainted data block", "aegis/xn.c",
  "	if (!wmeta && r.op == XN_READ && !xn_is_meta(e) && (e->state & XN_S_TAINTED))\n		return (u32)-E_PERM;\n", ""),
 ("free only the last pointer", "aegis/xn.c",
  "	if (c->refs != 1 || c->wait >= 0 ||", "	if (0 || c->wait >= 0 ||"),
 ("free no metadata that points to blocks", "aegis/xn.c",
  "(xn_is_meta(c) && xn_owns(c->type, xn_copy_of(c), xn_owns_a) != 0))\n		return -E_BUSY;", "0)\n		return -E_BUSY;"),
 ("rule 2: freed block waits for its parent's write", "aegis/xn.c",
  "	return !p->used || p->dseq >= e->wait_seq ||", "	return 1 || !p->used || p->dseq >= e->wait_seq ||"),
 ("rule 3: unlink waits for the link on disk", "aegis/xn.c",
  "		return c->refs < 2 || c->wait >= 0 ? -E_BUSY : 0;", "		return c->refs < 2 ? -E_BUSY : 0;"),
 ("acl", "aegis/xn.c",
  "	if (!xn_acl(m->type, before, &ch, &cred))", "	if (!xn_acl(m->type, before, &ch, &cred) && 0)"),
 ("size bounds the update", "aegis/xn.c",
  "	if (sz < 0 || u.off + u.len > (u32)sz)", "	if (sz < -1000 && u.off + u.len > (u32)sz)"),
 ("owns of a zero block is empty (registration)", "aegis/xn_udf.c",
  "	if (run(&nt, U_OWNS, w) != 0 || sz < 1 || sz > XN_META)", "	if (sz < 1 || sz > XN_META)"),
 ("dc_check of each UDF", "aegis/xn_udf.c",
  "		if (dc_check(nt.prog[u], n[u], &rules[u]) < 0)", "		if (dc_check(nt.prog[u], n[u], &rules[u]) < -1000)"),
 ("xn_env_gone", "aegis/env.c", "	xn_env_gone(e);\n", ""),
 ("LIM_XN charge", "aegis/xn.c",
  "	int q = limit_charge(curenv, LIM_XN, 1);\n	if (q < 0)\n		return q;\n", "	int q = 0;\n	(void)q;\n	limit_charge(curenv, LIM_XN, 1);\n"),
 ("disk_alloc refuses XN's blocks", "aegis/disk.c",
  "	if (xn_range_used(start, count))\n		return (u32)-E_BUSY;\n", ""),
 ("metadata written from XN's copy", "aegis/xn.c",
  "wmeta ? xn_copy_of(e) : NULL);", "wmeta ? (e->ppn == NOPPN ? xn_copy_of(e) : (u8 *)KADDR(e->ppn * PAGE_SIZE + e->off)) : NULL);"),
 ("a type must be the caller's", "aegis/xn.c",
  "	if (rq.block >= xn_cover() || xn_type_payer(rq.type) != env_slot(curenv))",
  "	if (rq.block >= xn_cover() || xn_type_payer(rq.type) < 0)"),
 ("a target in the same file system", "aegis/xn.c",
  "	if (c->fs != m->fs)\n		return -E_PERM;\n", ""),
 ("a metadata block not linked under itself or its subtree (cycle check)", "aegis/xn.c",
  "	if (u->op == XN_LINK && xn_is_meta(c) && xn_above(*t, p))\n		return -E_INVAL;\n", ""),
 ("at most two pointers to a metadata block", "aegis/xn.c",
  "c->refs >= (xn_is_meta(c) ? 2 : 0xffff)", "c->refs >= 0xffff"),
 ("an unlink waits for its old parent's write", "aegis/xn.c",
  "	if (u.op != XN_NONE && u.op != XN_ALLOC) {      /* waits for p's write */",
  "	if (u.op == XN_FREE || u.op == XN_LINK) {"),
 ("an unlink's old parent counts in the cycle check until written", "aegis/xn.c",
  "		c->unlinked = u.op == XN_UNLINK;\n",
  "		c->unlinked = false;\n		if (u.op == XN_UNLINK)\n			up_drop(c, p);\n"),
 ("no free while an unlink waits", "aegis/xn.c",
  "	if (c->refs != 1 || c->wait >= 0 ||", "	if (c->refs != 1 ||"),
 ("root_free leaves freed blocks to nobody", "aegis/xn.c",
  "	if (xn_roots[r].kept)\n		return (u32)xn_free_kept(r, x);\n	xn_end_fs(r);\n	xn_settle();", "	if (xn_roots[r].kept)\n		return (u32)xn_free_kept(r, x);\n	xn_roots[r].live = false;\n	release(x);\n	xn_settle();"),
 ("xn_io's woff < 4096", "aegis/xn.c",
  "r.off >= PAGE_SIZE ||\n	    r.woff >= PAGE_SIZE)", "r.off >= PAGE_SIZE)"),
 ("a copy is let go of only when clean", "aegis/xn.c",
  "		if (!(o->state & (XN_S_DIRTY | XN_S_TAINTED)) && !o->inflight &&", "		if (!o->inflight &&"),
 ("an entry is let go of only for a plain data block", "aegis/xn.c",
  "	return e->used && !e->orphan && !xn_is_meta(e) && e->refs == 1 && !e->state && e->wait < 0 &&\n	       !e->inflight && !e->listed;",
  "	return e->used && !xn_is_meta(e);"),
 ("no copy but from XN or the disk (-E_NOTCACHED)", "aegis/xn.c",
  "	if (m->meta < 0)\n		return (u32)-E_NOTCACHED;\n",
  "	if (m->meta < 0) {\n		if (m->ppn == NOPPN || xn_copy_get(p) < 0)\n			return (u32)-E_NOTCACHED;\n"
  "		__builtin_memcpy(xn_meta[m->meta], KADDR(m->ppn * PAGE_SIZE + m->off), XN_META);\n	}\n"),
 ("attach needs the secret", "aegis/xn_keep.c",
  "	if (h[0] != xn_roots[r].hash[0] || h[1] != xn_roots[r].hash[1])\n		return (u32)cap_failed();\n", "", "xn-persist"),
 ("a kept file system outlives its owner (detach)", "aegis/xn.c",
  "			if (xn_roots[r].kept)\n				xn_detach(r);", "			if (0 && xn_roots[r].kept)\n				xn_detach(r);", "xn-persist"),
 ("boot refuses a root block free in the map", "aegis/xn_keep.c",
  "xn_map[d.block] || !xna_allocated(d.block) || xna_tainted(d.block))", "xn_map[d.block] || xna_tainted(d.block))", "xn-persist"),
 ("XN's area reserved", "aegis/xn_keep.c",
  "	for (u32 b = 0; b < xna_area(); b++)\n		xn_map[b] = BM_AREA;\n", "", "xn-persist"),
 ("anyone may flush an unowned kept block", "aegis/xn.c",
  "	if (x == -E_PERM && r.op == XN_WRITE && (u = unowned_meta(r.block)) >= 0)",
  "	if (x == -E_PERM && r.op == XN_WRITE && (u = unowned_meta(r.block)) >= 0 && 0)",
  "xn-persist"),
 ("an unowned block is one nobody has attached", "aegis/xn.c",
  "	if (!rt->live || !rt->kept || rt->owner || i < 0", "	if (!rt->live || !rt->kept || i < 0", "xn-persist"),
 ("area changes queued before a write", "aegis/xn.c",
  "		if (r.op == XN_WRITE && xna_flush() < 0)\n			return (u32)-E_AGAIN;\n", "", "xn-persist"),
 ("a kept file system's new block allocated in the map", "aegis/xn.c",
  "	if (xn_roots[fs].kept)\n		xna_mark(block, true, true);", "", "xn-persist"),
 ("a write clears the block's taint in the map", "aegis/xn.c",
  "		if (xna_allocated(e->block))\n			xna_mark(e->block, true, false);", "", "xn-persist"),
 ("boot accepts a metadata block with two pointers (a move)", "aegis/xn_keep.c",
  "(ct != XN_DATA && (xn_b[ci].refs >= 2 ||", "(ct != XN_DATA && (xn_b[ci].refs >= 1 ||", "xn-persist"),
 ("boot walks a moved block's subtree once", "aegis/xn_keep.c",
  "				xn_b[ci].up[1] = (s16)x;\n				continue;",
  "				xn_b[ci].up[1] = (s16)x;\n				stack[(*top)++] = (u16)ci;\n				continue;", "xn-persist"),
 ("boot refuses a cycle of metadata blocks", "aegis/xn_keep.c",
  "(xn_above(i, xn_b[i].up[0]) || xn_above(i, xn_b[i].up[1])))\n				return WHY", "0)\n				return WHY", "xn-persist"),
 ("a template of a root never recorded is forgotten at boot", "aegis/xn_keep.c",
  "			xn_types_forget(r);     /* recorded before a root that never was */\n", "", "xn-crash"),
 ("rule 2, across crashes", "aegis/xn.c",
  "	return !p->used || p->dseq >= e->wait_seq ||", "	return 1 || !p->used || p->dseq >= e->wait_seq ||", "xn-crash"),
 ("area changes queued before a write, across crashes", "aegis/xn.c",
  "		if (r.op == XN_WRITE && xna_flush() < 0)\n			return (u32)-E_AGAIN;\n", "", "xn-crash"),
 ("blocks XN covers that no kept file system holds are tainted at boot", "aegis/xn_keep.c",
  "		disk_taint(b, 1);\n", "", "xn-persist"),
]
only = sys.argv[1:]
for i, (name, f, old, new, *suite) in enumerate(P):
    suite = suite[0] if suite else "xn-direct"
    if only and str(i) not in only:
        continue
    src = open(f).read()
    if src.count(old) != 1:
        print(f"{i} {name}: PATTERN NOT FOUND", flush=True)
        continue
    open(f, "w").write(src.replace(old, new))
    try:
        b = subprocess.run(["make", "-j2", "BUILD=build/rv", "all", "build/rv/host/xnfsck"],
                           capture_output=True, text=True)
        if b.returncode:
            print(f"{i} {name}: BUILD FAILED {b.stderr[-300:]}", flush=True)
            continue
        for old_log in glob.glob("build/rv/test-logs/direct-xn*.log"):
            os.remove(old_log)
        r = subprocess.run([sys.executable, "tools/runtests.py", "--build", "build/rv", "--only", suite],
                           capture_output=True, text=True)
        bad = [m.replace("xntest/", "") for m in re.findall(r"not ok \d+ (.+?)(?: #.*)?$", r.stdout, re.M)
               if m != suite]
        logs = "".join(open(l, errors="replace").read() for l in glob.glob("build/rv/test-logs/direct-xn*.log"))
        if suite == "xn-crash":
            bad = sorted(set(re.sub(r"\d+", "N", b) for b in bad))
        kc = "kcheck" if "[aegis] kcheck:" in logs else ""
        print(f"{i} {name}: fails {', '.join(b for b in bad if b)} {kc}", flush=True)
    finally:
        open(f, "w").write(src)
