/* elf.c: validating and walking ELF32 little-endian MIPS executables. The
 * image is untrusted: every offset and size is checked before use. */
#include "lib.h"

struct elf32_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version, entry, phoff, shoff, flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf32_phdr {
	u32 type, offset, vaddr, paddr, filesz, memsz, flags, align;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define EM_MIPS 8
#define ET_EXEC 2

static const struct elf32_ehdr *ehdr(const void *img) { return img; }

int elf_check(const void *img, size_t len, u32 *entry)
{
	const struct elf32_ehdr *h = ehdr(img);
	if (len < sizeof(*h) || ((uintptr_t)img & 3))
		return -1;
	if (lib_memcmp(h->ident, "\177ELF", 4) != 0 || h->ident[4] != 1 /* 32-bit */ ||
	    h->ident[5] != 1 /* little-endian */ || h->type != ET_EXEC || h->machine != EM_MIPS)
		return -1;
	if (h->phentsize != sizeof(struct elf32_phdr) || h->phnum == 0 || (h->phoff & 3))
		return -1;
	if (h->phoff > len || (size_t)h->phnum * sizeof(struct elf32_phdr) > len - h->phoff)
		return -1;
	*entry = h->entry;
	return h->phnum;
}

int elf_segment(const void *img, size_t len, int i, u32 limit, struct elf_segment *seg)
{
	const struct elf32_ehdr *h = ehdr(img);
	if (i < 0 || i >= h->phnum)
		return -1;
	const struct elf32_phdr *ph =
		(const struct elf32_phdr *)((const u8 *)img + h->phoff) + i;
	if (ph->type != PT_LOAD)
		return 0;
	if (ph->filesz > ph->memsz || ph->offset > len || ph->filesz > len - ph->offset)
		return -1;
	if (ph->vaddr >= limit || ph->memsz > limit - ph->vaddr)
		return -1;
	seg->vaddr = ph->vaddr;
	seg->memsz = ph->memsz;
	seg->offset = ph->offset;
	seg->filesz = ph->filesz;
	seg->write = (ph->flags & PF_W) != 0;
	seg->exec = (ph->flags & PF_X) != 0;
	return 1;
}
