/*
 * gmap_filter.h: the pair filter's hash, for C and assembler alike, so the
 * three places that compute it (vm.c gmap_bit, upcall.S refill_miss,
 * fastcall.S fast_tlbwr) cannot drift apart.
 *
 * Per ASID a 2^GMAP_FILTER_LOG2-bit filter over the pairs (VPN2s) that may
 * hold one of the environment's guaranteed mappings. Pair v's bit is bit
 * v mod 32 of word ((v >> 5) ^ (v >> 14)) mod 512: 16,384 bits cover
 * 128 MiB of pairs one to one, and the xor folds the four bits above into
 * the word, so that regions in different 128 MiB of the user space land on
 * different words (vm.c says why that matters).
 */
#ifndef AEGIS_GMAP_FILTER_H
#define AEGIS_GMAP_FILTER_H

#define GMAP_FILTER_LOG2 14     /* bits per ASID: 512 words of 32 */
#define GMAP_WORD_MASK 511      /* (1 << GMAP_FILTER_LOG2 >> 5) - 1 */

#ifdef __ASSEMBLER__
/* GMAP_WORD_OFFSET off, v5, tmp: off = the byte offset of pair v's word in
 * its filter, given v5 = v >> 5 (a register; may be off itself); tmp is
 * clobbered. Four instructions, no load. Both callers have v >> 5 at hand
 * (refill_miss computes it in a branch's delay slot). */
.macro GMAP_WORD_OFFSET off, v5, tmp
	srl	\tmp, \v5, GMAP_FILTER_LOG2 - 5	/* tmp = v >> 14 */
	xor	\off, \v5, \tmp
	andi	\off, \off, GMAP_WORD_MASK
	sll	\off, \off, 2
.endm
#else
/* The bit of pair v (a VPN2) in its environment's filter. */
static inline unsigned gmap_filter_bit(unsigned v)
{
	return (((v >> 5) ^ (v >> GMAP_FILTER_LOG2)) & GMAP_WORD_MASK) << 5 | (v & 31);
}
_Static_assert(GMAP_WORD_MASK + 1 == 1 << GMAP_FILTER_LOG2 >> 5, "word mask fits the filter");
#endif
#endif
