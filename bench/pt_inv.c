/*
 * pt_inv.c: linked only into the ExOS program bench_inv, the benchmark with ExOS's
 * inverted page table instead of its two-level one (ptalt.c's `_inv` rows run there).
 */
#include "exos.h"
#include "pt.h"

const struct pt_ops *exos_page_table = &pt_inverted;
