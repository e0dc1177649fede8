/* dpf_rand.c: the kernel's random filters and frames (aegis/dpf_rand.c), for
 * the test dpf_compiled_vs_interp. */
#include "../../aegis/dpf_rand.c"
