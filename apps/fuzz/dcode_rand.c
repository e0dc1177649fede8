/* dcode_rand.c: the kernel's random dcode programs (aegis/dcode_rand.c), for
 * the ASHs the fuzzer downloads. */
#include "../../aegis/dcode_rand.c"
