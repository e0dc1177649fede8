/* types.h: fixed-width integer types for the kernel and the library OS.
 * Only the compiler's freestanding headers are used, so the same code also
 * builds natively for the host-side unit tests. */
#ifndef AEGIS_TYPES_H
#define AEGIS_TYPES_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif
