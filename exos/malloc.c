/*
 * malloc.c: a first-fit allocator over the heap region. The heap grows by
 * whole pages mapped through the page table (vm_map); blocks carry a header
 * with their size and are merged with free neighbours when freed.
 */
#include "exos.h"

struct block { u32 size; u32 free; struct block *next; u32 pad; };   /* 16 bytes */

static struct block *head, *tail;
static u32 heap_top = HEAP_BASE;

static struct block *grow(u32 need)
{
	u32 bytes = (need + sizeof(struct block) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (bytes > HEAP_LIMIT - heap_top || vm_map(heap_top, bytes / PAGE_SIZE, VM_RW) < 0)
		return NULL;
	struct block *b = (struct block *)heap_top;
	heap_top += bytes;
	b->size = bytes - sizeof(struct block);
	b->free = 1;
	b->next = NULL;
	if (tail && tail->free && (u8 *)(tail + 1) + tail->size == (u8 *)b) {
		tail->size += bytes;
		return tail;
	}
	if (tail)
		tail->next = b;
	else
		head = b;
	tail = b;
	return b;
}

void *malloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0 || n > HEAP_LIMIT - HEAP_BASE)
		return NULL;
	struct block *b;
	for (b = head; b; b = b->next)
		if (b->free && b->size >= n)
			break;
	if (!b && !(b = grow(n)))
		return NULL;
	if (b->size >= n + 2 * sizeof(struct block)) {
		struct block *rest = (struct block *)((u8 *)(b + 1) + n);
		rest->size = b->size - n - sizeof(struct block);
		rest->free = 1;
		rest->next = b->next;
		b->next = rest;
		b->size = n;
		if (tail == b)
			tail = rest;
	}
	b->free = 0;
	return b + 1;
}

void free(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)p - 1;
	b->free = 1;
	for (b = head; b; b = b->next)
		while (b->free && b->next && b->next->free &&
		       (u8 *)(b + 1) + b->size == (u8 *)b->next) {
			if (tail == b->next)
				tail = b;
			b->size += sizeof(struct block) + b->next->size;
			b->next = b->next->next;
		}
}
