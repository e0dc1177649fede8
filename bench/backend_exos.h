/*
 * backend_exos.h: what the ExOS back end (backend_exos.c) offers the other
 * ExOS-only benchmark files (udp_exos.c).
 */
#ifndef BACKEND_EXOS_H
#define BACKEND_EXOS_H

/* Start a compute-bound competitor (this program, computing for as long as
 * this environment exists): its id, or a negative error. */
int bench_exos_competitor(void);
/* Destroy environment *id (if > 0), wait for it to end, and set *id to -1. */
void bench_exos_end(int *id);

#endif
