/*
 * abi.h: what Aegis promises user code. Shared by the kernel and ExOS.
 *
 * System calls: v0 = number, a0..a3 = arguments, `syscall`. Every call
 * returns to the caller's $ra (not to the instruction after `syscall`), so a
 * stub is two instructions: `li v0, N; syscall`. The result is in v0: >= 0
 * on success, a negative E_* code on error. k0/k1 are the kernel's: every
 * exception clobbers them (to zero after a system call, never to a kernel
 * address); all other registers are preserved except v0 (and v1 for calls
 * with a second result).
 * Numbers and stubs are generated from aegis/syscalls.tbl.
 */
#ifndef AEGIS_ABI_H
#define AEGIS_ABI_H

/* Error codes, returned negated. */
#define E_INVAL   1   /* an argument is out of range or malformed */
#define E_NOSYS   2   /* no such system call */
#define E_FAULT   3   /* a user pointer does not name mapped user memory */
#define E_NOMEM   4   /* out of physical pages or kernel slots */
#define E_PERM    5   /* the caller lacks the right */
#define E_BADCAP  6   /* the capability presented is not valid for that object */
#define E_BUSY    7   /* the object is taken */
#define E_NOENT   8   /* no such object (environment, file in the initrd) */
#define E_QUOTA   9   /* over the budget the environment's parent gave it */
#define E_AGAIN   10  /* woken for something else (wk_sleep: a kernel notification); try again */
#define E_IO      11  /* the device reported an error */
#define E_NOTCACHED 12 /* XN keeps no copy of that metadata block now: read it (xn_io XN_READ), then try again */

/*
 * Capabilities for physical pages (see docs/capabilities.md). A capability is
 * two words: a name, CAP_NAME(ppn, rights), and a 32-bit check field, a
 * secret the kernel chose at random for that page and those rights.
 * Presenting both authorises a use; the words can be copied to any other
 * environment. Rights: CAP_R (map readable) or CAP_RW (map writable too).
 * These two are a page's roots; cap_new derives capabilities below them (and
 * below each other) that the one above can revoke: their names have
 * CAP_TREE set and the rights in the low two bits, like a root's.
 */
#define CAP_R   1
#define CAP_W   2
#define CAP_RW  3
#define CAP_TREE 4  /* in a name: a derived capability (cap_new), not a page's root */
#define CAP_NAME(ppn, rights) ((unsigned)(ppn) << 4 | (rights))
#define CAP_PPN(name)    ((unsigned)(name) >> 4)
#define CAP_RIGHTS(name) ((unsigned)(name) & 0xf)
#define PAGE_ANY 0xffffffffu       /* page_alloc: any free page */

/* Flags in the low 12 bits of the va argument of tlbwr and gmap_add. */
#define VA_W         0x1   /* map writable (needs a CAP_RW capability) */
#define VA_NOACCESS  0x2   /* tlbwr: install an invalid entry (no capability needed) */

/* One entry of tlbwr_vec: exactly the three arguments of a tlbwr call. */
#ifndef __ASSEMBLER__
struct tlbwr_req {
	unsigned va_flags, capname, capcheck;
};
#endif
#define TLBWR_VEC_MAX 128  /* entries per tlbwr_vec call (bounds time in the kernel) */

/*
 * Upcalls. When an exception is forwarded, Aegis stores the faulting PC and
 * the caller's a0, a1, a2 in the environment's save area (struct upcall_save,
 * at the address given to set_upcalls; it must lie in a writable guaranteed
 * mapping), then enters the handler in user mode with
 *   a0 = EPC, a1 = BadVAddr, a2 = Cause; every other register as it was.
 * TLB misses and invalid-page hits (TLBL, TLBS) and writes to clean pages
 * (Mod) go to the TLB entry point, every other exception (AdEL, AdES, Bp,
 * RI, CpU, Ov, Tr, FPE) to the exception entry point. The handler resumes
 * the program itself.
 */
#ifndef __ASSEMBLER__
struct upcall_save { unsigned epc, a0, a1, a2; };
#endif
#define UPCALL_SAVE_EPC 0
#define UPCALL_SAVE_A0  4
#define UPCALL_SAVE_A1  8
#define UPCALL_SAVE_A2  12

/* Exit statuses env_reap reports besides the program's own. */
#define EXIT_DESTROYED (-2)         /* destroyed by env_destroy */
#define EXIT_ABORTED   (-3)         /* overran its slice too often */
#define EXIT_DEBUG     (-4)         /* entered EJTAG debug mode (sdbbp) */
#define EXIT_EXCEPTION(code) (-1000 - (code))   /* an exception it could not handle */

/* Revocation upcalls (set_revocation): a2 says which, a1 how many. */
#define REVOKE_REQUEST     0x5245564bu   /* give back a1 pages (page_unref) */
#define REVOKE_REPOSSESSED 0x5245504fu   /* a1 pages were taken: read repossessed() */
#define REVOKE_SLICES_REQ  0x52455653u   /* give back a1 slice positions (slice_free) */
#define REVOKE_SLICES_TAKEN 0x52455654u  /* a1 slice positions were taken */

/*
 * Budgets (env_limit, env_usage; see docs/security.md). Each page, slice
 * position and child environment an environment takes is charged to it and
 * to every ancestor; taking one past any of their limits fails with
 * -E_QUOTA. A parent sets its children's limits. A new child may hold one
 * slice position and have 16 environments below it; its pages are bounded
 * only by its ancestors' limits until its parent sets one.
 */
#define LIM_PAGES   0   /* physical pages it allocated (page_alloc) */
#define LIM_SLICES  1   /* slice positions it owns */
#define LIM_ENVS    2   /* environments below it (children, theirs, ...) */
#define LIM_FILTERS 3   /* packet filters it installed (net_dpf_add), in all tables */
#define LIM_EXTENTS 4   /* disk extents it allocated (disk_alloc) */
#define LIM_ASHS    5   /* ASHs it downloaded (ash_add) */
#define LIM_XN      6   /* XN entries it holds: templates and blocks of its file systems */
#define NLIMITS     7
#define LIMIT_NONE  0xffffffffu

/*
 * Wakeup predicates (wk_sleep; aegis/wakeup.c, docs/wakeup.md). A predicate is
 * a dcode program (aegis/dcode.h) of at most WK_MAXINSNS instructions. Its
 * windows 0..npages-1 are the pages named by the capabilities in pages[]
 * (read-only, PAGE_SIZE bytes each); window WK_PUBLIC_WIN is the kernel's
 * public page (struct kinfo, below); window WK_KINFO_WIN is struct wk_kinfo,
 * filled by the kernel before each evaluation. Nonzero result: wake up.
 */
#define WK_MAXINSNS  64
#define WK_MAXPAGES  2
#define WK_PUBLIC_WIN 2
#define WK_KINFO_WIN 3
#define WK_KINFO_NOW   0   /* offsets in struct wk_kinfo */
#define WK_KINFO_ENVID 4
#ifndef __ASSEMBLER__
struct wk_page { unsigned capname, capcheck; };
struct wk_kinfo {
	unsigned now;      /* CP0 Count at this evaluation (160 MHz on the board) */
	unsigned envid;    /* the sleeper's own id */
};
#endif

/*
 * The network (aegis/nic.c, docs/network.md). NICs are numbered 0..n-1 in
 * PCI order (net_info answers -E_INVAL past the last). A receive buffer or a
 * frame to send is a byte range of a page named by capability, passed packed
 * as off << 16 | len. A frame delivered into a posted buffer [off, off+len)
 * is written at off + NET_RX_HDR, and then the word at off is set to
 * NET_RX_DONE | nic << 16 | frame length (the frame without its FCS); the
 * buffer is then no longer posted (net_post), or goes back to the end of
 * the poster's ring to be used again once its owner has cleared
 * NET_RX_DONE in that word (net_post_ring). Filters are dcode programs (dcode.h) of
 * at most NET_FILTER_MAXINSNS instructions reading window 0, the frame
 * (read-only, its length); a nonzero result claims the frame.
 */
#define NET_MAXNIC     4
#define NET_MAXPOST    16     /* posted receive buffers per environment per NIC */
#define NET_FILTER_MAXINSNS 64
#define NET_FRAME_MIN  14     /* an Ethernet header */
#define NET_FRAME_MAX  1514   /* without the FCS */
#define NET_RX_HDR     4      /* the completion word before a received frame */
#define NET_RX_MIN     64     /* the smallest receive buffer, header included */
#define NET_RX_DONE    0x80000000u
#define NET_RX_LEN(w)  ((w) & 0xffffu)
#define NET_RX_NIC(w)  (((w) >> 16) & 0xffu)
#define NET_OFFLEN(off, len) ((unsigned)(off) << 16 | (unsigned)(len))
#ifndef __ASSEMBLER__
struct net_info {
	unsigned char mac[6];   /* the station address (from the NIC's APROM) */
	unsigned short nnic;    /* how many NICs the kernel drives */
	unsigned rx_frames;     /* frames delivered into an environment's buffer */
	unsigned rx_unclaimed;  /* frames no filter accepted: dropped */
	unsigned rx_nobuf;      /* claimed, but the owner had no usable buffer posted: dropped */
	unsigned rx_errors;     /* frames the NIC marked bad (or longer than NET_FRAME_MAX) */
	unsigned rx_missed;     /* times the NIC reported missed frames (its receive ring was full) */
	unsigned tx_frames;     /* frames handed to the NIC */
	unsigned tx_errors;     /* frames the NIC reported it could not send */
	unsigned interrupts;    /* CPU interrupts (IP2) in which this NIC had something to report */
	unsigned tx_refused;    /* frames refused: their source address was not this NIC's */
};
#endif

/*
 * The disk (aegis/disk.c, docs/storage.md): the PIIX4 IDE primary master,
 * in blocks of DISK_BLOCK bytes numbered from 0. Blocks are named and
 * protected by extent capabilities: disk_alloc hands out a range of free
 * blocks [start, start + count) with a read-write capability (name, check);
 * disk_derive gives its read-only one. An extent's name is
 * gen << 16 | index << 4 | DISK_XCAP | rights. A request (struct disk_req,
 * disk_rw) moves count blocks between the disk and bytes [off, off + count *
 * DISK_BLOCK) of a page the caller holds; when it is over, the word at woff
 * of the completion page is set to DISK_DONE | status (0, or an E_* code).
 */
#define DISK_BLOCK     512
#define DISK_MAXREQ    8      /* blocks per request: one 4 KiB page */
#define DISK_QUEUE     8      /* requests queued at once (all environments) */
#define DISK_MAXEXT    64     /* live extents */
#define DISK_R         1
#define DISK_RW        3
#define DISK_XCAP      8      /* in every extent name: never a page capability's */
#define DISK_READ      1
#define DISK_WRITE     2
#define DISK_DONE      0x80000000u
#define DISK_STATUS(w) (-(int)((w) & 0xffffu))
#ifndef __ASSEMBLER__
struct disk_info {
	unsigned nblocks;       /* blocks on the disk */
	unsigned extents;       /* live extents */
	unsigned free;          /* blocks in no extent */
	unsigned requests;      /* requests finished */
	unsigned blocks_read, blocks_written;
	unsigned interrupts;    /* IRQ 14s that found the controller ready */
	unsigned polls;         /* services from the idle loop or a busy-wait */
	unsigned errors;        /* requests the drive failed */
	unsigned dma;           /* requests moved by bus-master DMA (0: the kernel uses PIO) */
	unsigned kticks;        /* Count ticks the kernel spent driving the drive (queueing,
	                           starting, stepping, finishing requests; not the trap's entry) */
	unsigned refused;       /* requests refused (-E_AGAIN) for the requester's fair share */
	unsigned queued;        /* requests queued now (on the drive or waiting) */
	char model[41];         /* IDENTIFY's model string, NUL-terminated */
};
struct disk_req {
	unsigned op;            /* DISK_READ or DISK_WRITE */
	unsigned xname, xcheck; /* the extent (DISK_RW for a write) */
	unsigned block, count;  /* blocks [block, block + count), 1..DISK_MAXREQ, in the extent */
	unsigned pname, pcheck; /* the page (CAP_RW for a read), held by the caller */
	unsigned off;           /* a multiple of DISK_BLOCK, off + count * DISK_BLOCK <= PAGE_SIZE */
	unsigned wname, wcheck; /* the completion word's page (CAP_RW), held by the caller */
	unsigned woff;          /* a multiple of 4 */
};
#endif

/*
 * XN (aegis/xn.c, docs/storage.md): disk blocks multiplexed among library
 * file systems the kernel does not understand. A file system registers a
 * template per metadata type (xn_type_add): three dcode programs (dcode.h)
 * of at most XN_UDF_MAXINSNS instructions each, its untrusted deterministic
 * functions:
 *   owns: window 0 = the metadata block (XN_META bytes, read-only), window 1
 *         = the output (XN_MAXOWNS pairs of words: block, type; writable);
 *         returns how many pairs it wrote: the blocks the metadata points to;
 *   acl:  window 0 = the block before the change, window 1 = struct
 *         xn_change, window 2 = struct xn_cred (all read-only); nonzero:
 *         the change may be made;
 *   size: window 0 = the block; returns how many of its bytes are metadata
 *         (1..XN_META): an update may change only those.
 * A type is XN_DATA (a data block: no template) or the id xn_type_add gave.
 * A file system's root (xn_root) is a metadata block with a name; every
 * other block is reached from a root through metadata. Blocks are allocated,
 * freed, linked and unlinked only by metadata updates (xn_update) that the
 * kernel checks with owns before and after. XN caches metadata copies: a
 * call that needs one it let go of answers -E_NOTCACHED (read the block
 * with xn_io XN_READ, which refills it, and try again). On a disk formatted
 * for XN (tools/xn_mkfs.py) a file system kept with xn_root_keep outlives
 * its owner and the boot; xn_root_attach with its secret takes it back.
 */
#define XN_META        DISK_BLOCK   /* a metadata block: one disk block */
#define XN_UDF_MAXINSNS 64
#define XN_MAXOWNS     32     /* pairs owns may report */
#define XN_MAXTYPES    16     /* templates */
#define XN_MAXROOTS    8      /* file systems */
#define XN_MAXBLOCKS   8192   /* entries of the registry (xn_bc): every metadata block,
                                 and data blocks in a state (tainted, freeing, queued,
                                 linked) or recently moved through a page */
#define XN_MAXMETA     256    /* metadata copies XN caches (clean ones are let go of) */
#define XN_MAXDISK     (1u << 18)  /* blocks XN covers: the first 128 MiB of the disk */
#define XN_NAMELEN     16     /* a root's name, NUL-padded */
#define XN_DATA        0      /* the type of a data block */
#define XN_NONE        0      /* xn_update ops: bytes change, no pointer does */
#define XN_ALLOC       1      /* a pointer to a free block appears: it becomes the FS's */
#define XN_FREE        2      /* the only pointer to a block goes: it is freed */
#define XN_LINK        3      /* another pointer to a data block appears */
#define XN_UNLINK      4      /* one of several pointers to a data block goes */
#define XN_READ        DISK_READ
#define XN_WRITE       DISK_WRITE
#define XN_READ_DISK   3        /* a metadata block's bytes on disk, not XN's copy */
/* Registry states (struct xn_entry.state, a bit set). */
#define XN_S_TAINTED   1      /* allocated, not yet written: nothing may point to it on disk */
#define XN_S_DIRTY     2      /* metadata changed since last written */
#define XN_S_INFLIGHT  4      /* a request on it is queued */
#define XN_S_ROOT      8      /* a file system's root */
#define XN_S_FREEING   16     /* freed: reusable once its parent is on disk without it */
#ifndef __ASSEMBLER__
struct xn_tmpl {
	const void *owns; unsigned nowns;    /* struct dc_insn[n] */
	const void *acl;  unsigned nacl;
	const void *size; unsigned nsize;
};
struct xn_rootreq {
	char name[XN_NAMELEN];  /* NUL-padded, not empty */
	unsigned block;         /* a free block */
	unsigned type;          /* a template of the caller's */
};
struct xn_upd {
	unsigned block;         /* the metadata block changed */
	unsigned op;            /* XN_NONE .. XN_UNLINK */
	unsigned target, type;  /* the block the op is about, and its type (XN_ALLOC) */
	unsigned off, len;      /* bytes [off, off + len) of the block are replaced, */
	const void *bytes;      /* by these */
	unsigned cred;          /* passed to acl (struct xn_cred) */
};
struct xn_change {              /* acl's window 1 */
	unsigned op, target, type, off, len;
	unsigned char bytes[XN_META];
};
struct xn_cred { unsigned envid, cred; };   /* acl's window 2 */
struct xn_io {
	unsigned op;            /* XN_READ, XN_WRITE or XN_READ_DISK */
	unsigned block;         /* a block of the caller's file system */
	unsigned pname, pcheck; /* a data block: the page (CAP_RW to read), held; metadata: a page to read into / 0, 0 to write */
	unsigned off;           /* a multiple of DISK_BLOCK inside the page */
	unsigned wname, wcheck; /* the completion word's page, as in disk_req */
	unsigned woff;
};
struct xn_entry {               /* xn_bc: one entry of the registry */
	unsigned block;         /* 0xffffffff: an empty entry */
	unsigned type, refs, state;
	unsigned owner;         /* the environment whose file system holds it */
	unsigned ppn, off;      /* the page it was last moved through, 0xffffffff: none */
};
struct xn_attach {              /* xn_root_attach (99): a kept file system */
	char name[XN_NAMELEN];  /* NUL-padded, not empty */
	unsigned secret[4];     /* the secret given to xn_root_keep (98) */
};
struct xn_stat {                /* xn_stat (96): XN's tables, for library OSes and tests */
	unsigned blocks;        /* blocks XN holds (the free map's allocated ones) */
	unsigned entries;       /* registry entries in use (of XN_MAXBLOCKS) */
	unsigned copies;        /* metadata copies cached (of XN_MAXMETA) */
	unsigned dirty;         /* of which changed since last written */
	unsigned entry_evictions, copy_evictions, refills;  /* since boot */
	unsigned roots;         /* live file systems */
	unsigned area;          /* blocks of XN's own area at the disk's start (0: none) */
	unsigned refused;       /* 1: the area was refused at boot (XN does not use the disk) */
};
#endif

/*
 * Dynamic packet filters (aegis/dpf.c, docs/network.md). A filter is a
 * conjunction of atoms: an atom accepts a frame when the frame has the
 * width (1, 2 or 4) bytes at the atom's offset and, read in network order
 * and masked, they equal val. An atom with DPF_IND counts its offset from
 * the filter's base, (frame[ind_off] & ind_mask) << ind_shift (one byte:
 * enough for IPv4's IHL: ind_off 14, mask 0x0f, shift 2, base = the IP
 * header's length; atom offsets then count from 14 on, i.e. off = 14 + the
 * offset inside the transport header). A filter accepts a frame when all
 * its atoms do. Filters of one table may not overlap (-E_BUSY).
 * Table DPF_NONIC is attached to no NIC: net_demux can time it.
 */
#define DPF_MAXATOMS 8
#define DPF_IND      1        /* atom flag: offset counted from the filter's base */
#define DPF_MAXFILT  512      /* filters per table */
#define DPF_NONIC    NET_MAXNIC  /* the table attached to no NIC */
#define DPF_DEMUX_COMPILED 0  /* net_demux modes: the compiled merged tree, */
#define DPF_DEMUX_TREE     1  /* the same tree's dcode program interpreted, */
#define DPF_DEMUX_LINEAR   2  /* every filter matched one by one */
#define DPF_DEMUX_MAXREPS   1024   /* net_demux: classifications per call, */
#define DPF_DEMUX_MAXLINEAR 16384  /* and reps * (filters + 1) one by one, */
#define DPF_DEMUX_MAXINTERP 100    /* and reps with the tree interpreted (its
                                      path may be 2,560 dcode instructions) */
#ifndef __ASSEMBLER__
struct dpf_atom {
	unsigned short off;     /* byte offset (from the base if DPF_IND) */
	unsigned char width;    /* 1, 2 or 4 */
	unsigned char flags;    /* DPF_IND or 0 */
	unsigned mask;          /* nonzero, fits in width bytes */
	unsigned val;           /* val & ~mask == 0 */
};
struct dpf_filter {
	unsigned char natoms;   /* 1..DPF_MAXATOMS */
	unsigned char ind_shift;/* 0..7 */
	unsigned short ind_off; /* the indirection's byte; all three 0 if no atom is DPF_IND */
	unsigned char ind_mask; /* nonzero if some atom is DPF_IND */
	unsigned char pad[3];   /* 0 */
	struct dpf_atom atoms[DPF_MAXATOMS];   /* atoms[natoms..] are not read */
};
#endif

/*
 * Application-specific safe handlers (ASHs; aegis/ash.c, docs/network.md).
 * An ASH is a dcode program (aegis/dcode.h) downloaded for one of the
 * caller's DPF filters on a NIC; the kernel runs it, compiled, on every
 * frame that filter accepts, as the frame arrives. Its windows:
 * ASH_WIN_FRAME the frame (read-only, its length), ASH_WIN_REGION a byte
 * range of a page of the owner's (read-write; length 0 if none was named),
 * ASH_WIN_REPLY the ASH's reply buffer (read-write, ASH_REPLY_MAX bytes of
 * kernel memory of its own, zero when downloaded, kept between frames),
 * ASH_WIN_INFO struct ash_info (read-only). At most ASH_MAXINSNS
 * instructions, of which at most ASH_MAXBLOCKS DC_COPY/DC_CSUM. Its result:
 * ASH_DELIVER to pass the frame on to the owner's posted buffers (else it is
 * consumed), | n to send the reply buffer's first n bytes (NET_FRAME_MIN..
 * NET_FRAME_MAX; 0: no reply) on the same NIC at once (but at most
 * ASH_REPLY_BURST, from all ASHs, while no environment makes progress, so
 * that handlers answering each other cannot keep the processor in the
 * kernel for ever: the next is dropped). A fault, a result
 * with other bits or a bad n, or a region page the owner no longer holds
 * aborts the run (ash_stat.aborts, last_abort; the owner's net_notify word is
 * incremented) and the frame is delivered as if there were no ASH.
 */
#define ASH_MAX        16     /* ASHs in the kernel, all environments */
#define ASH_MAXINSNS   128
#define ASH_MAXBLOCKS  2
#define ASH_REPLY_MAX  NET_FRAME_MAX
#define ASH_REPLY_BURST 64   /* replies sent while no environment makes progress */
#define ASH_WIN_FRAME  0
#define ASH_WIN_REGION 1
#define ASH_WIN_REPLY  2
#define ASH_WIN_INFO   3
#define ASH_INFO_LEN   0      /* offsets in struct ash_info */
#define ASH_INFO_NIC   4
#define ASH_INFO_RUNS  8
#define ASH_DELIVER    0x10000u
#define ASH_REPLY_LEN(r) ((r) & 0xffffu)
#define ASH_ABORT_FAULT  1    /* a load or store outside its windows */
#define ASH_ABORT_RESULT 2    /* a result with unknown bits or a bad reply length */
#define ASH_ABORT_REGION 3    /* the region's page is no longer the owner's */
#ifndef __ASSEMBLER__
struct ash_desc {
	const void *prog;       /* the program: n struct dc_insn */
	unsigned n;             /* 1..ASH_MAXINSNS */
	unsigned capname, capcheck;  /* the region's page (read-write, held); both 0: none */
	unsigned off_len;       /* off << 16 | len, inside the page (len >= 1) */
};
struct ash_info {
	unsigned len;           /* the frame's length */
	unsigned nic;           /* the NIC it arrived on */
	unsigned runs;          /* frames this ASH ran on before this one */
	unsigned pad;
};
struct ash_stat {
	unsigned nic, filter;   /* what it is attached to */
	unsigned runs;          /* frames it ran on */
	unsigned consumed;      /* of those, kept from the posted buffers */
	unsigned replies;       /* reply frames sent */
	unsigned reply_drops;   /* replies dropped: no room in the transmit ring, or
				   ASH_REPLY_BURST sent while nobody made progress */
	unsigned aborts;        /* runs aborted (the frame then went on as if no ASH) */
	unsigned last_abort;    /* ASH_ABORT_* of the latest, 0 if none */
};
#endif

/*
 * Software regions (sr_*; aegis/region.c, docs/regions.md): kernel memory
 * shared through capabilities for byte ranges [lo, hi) with rights SR_R,
 * SR_W; offsets and ranges are passed packed as off << 16 | len and
 * lo << 16 | hi.
 */
#define SR_R        1
#define SR_W        2
#define SR_MAX_SIZE 1024

/*
 * The kernel's public page (exposed kernel information; aegis/kinfo.c,
 * docs/kinfo.md): kernel tables a library OS may read instead of asking.
 * The kernel maps it read-only at KINFO_VA in every environment by itself (a
 * load there never reaches the library OS; a store is a fault), and it is
 * window WK_PUBLIC_WIN of every wakeup predicate. Only the kernel writes it.
 */
#define KINFO_VA       0x7fff0000u  /* just above the initial stack */
#define KINFO_VERSION  1
#define KINFO_NENV     64           /* env[] has a slot per ASID - 1 */
#define KINFO_ENV_OFF  272          /* offset of env[0] */
#define KINFO_ENV_SIZE 16           /* and the size of each */
#ifndef __ASSEMBLER__
struct kinfo_env {
	unsigned id;          /* the environment in this slot, 0 = none */
	unsigned parent;      /* its parent's id, 0 = none */
	unsigned pages;       /* pages charged to it and its descendants (env_usage) */
	unsigned slices;      /* slice positions charged to it and its descendants */
};
struct kinfo {
	unsigned version;             /* KINFO_VERSION */
	unsigned pages_total;         /* physical pages the kernel manages */
	unsigned pages_free;          /* of those, free now */
	unsigned slice_pos;           /* the slice position whose time runs */
	unsigned slice_owner[64];     /* env id owning each position, 0 = free */
	struct kinfo_env env[KINFO_NENV];
	unsigned idle_waits;          /* times the idle loop waited for an interrupt */
};
#endif

/* User address space. */
#define USER_TOP     0x80000000u   /* first address user code may not map */
#define USER_TEXT    0x00400000u   /* where ExOS programs are linked */
#define USTACK_TOP   0x7fff0000u   /* the initial stack grows down from here */
#define USTACK_PAGES 8

#endif
