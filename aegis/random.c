/*
 * random.c: unpredictable 32-bit values for capability check fields.
 *
 * A 128-bit key is gathered at boot from what varies between boots on malta:
 * the MC146818 real-time clock (QEMU backs it with the host's clock) and the
 * CP0 Count and Random registers. Values are SipHash-2-4 of a counter under
 * that key, so seeing any number of them tells nothing about the others.
 */
#include "defs.h"

#define RTC_INDEX ((volatile u8 *)0xb8000070)
#define RTC_DATA  ((volatile u8 *)0xb8000071)

static u64 key0, key1, counter;

static inline u64 rotl(u64 x, int b) { return (x << b) | (x >> (64 - b)); }

#define SIPROUND do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); } while (0)

/* SipHash-2-4 of one 64-bit word m under (k0, k1). */
u64 siphash_word(u64 k0, u64 k1, u64 m)
{
	u64 v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	u64 v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	u64 b = 8ull << 56;
	v3 ^= m;
	SIPROUND;
	SIPROUND;
	v0 ^= m;
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

static u8 rtc_read(u8 reg)
{
	*RTC_INDEX = reg;
	return *RTC_DATA;
}

void random_init(void)
{
	u64 e = 0;
	static const u8 regs[] = { 0, 2, 4, 6, 7, 8, 9 };   /* s, m, h, wday, day, month, year */
	for (u32 i = 0; i < sizeof regs; i++)
		e = e << 8 ^ rtc_read(regs[i]) ^ (e >> 56);
	u64 c = (u64)mfc0(C0_COUNT, 0) << 32 | mfc0(1, 0);     /* Count, Random */
	key0 = siphash_word(0x0123456789abcdefull, e, c);
	key1 = siphash_word(e, c, (u64)mfc0(C0_COUNT, 0));
}

/* Each SipHash output is 64 pseudo-random bits: the high half is kept for
 * the next call, so a secret costs half a SipHash (freeing a page draws two). */
u32 rand32(void)
{
	static u32 spare;
	static bool have_spare;
	if (have_spare) {
		have_spare = false;
		return spare;
	}
	u64 r = siphash_word(key0, key1, ++counter);
	spare = (u32)(r >> 32);
	have_spare = true;
	return (u32)r;
}
