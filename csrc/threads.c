/* Thread-count control for tensorlite's C core (CPU features: cpu.c). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>

#include "api/threads.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* The thread count requested with tl_set_num_threads (0: the default). */
static int tl_requested_threads = 0;

/* fork() safety.  GNU libgomp keeps its worker pool across fork() but the
 * child gets none of the threads, so the child's first multi-threaded
 * parallel region waits for them forever.  We note when more than one thread
 * may have been used, and in a child forked after that every kernel runs
 * single-threaded (a 1-thread parallel region is safe). */
static int tl_threads_maybe_started = 0;
static int tl_forked_after_threads = 0;

static void tl_atfork_child(void)
{
    if (__atomic_load_n(&tl_threads_maybe_started, __ATOMIC_RELAXED))
        __atomic_store_n(&tl_forked_after_threads, 1, __ATOMIC_RELAXED);
}

__attribute__((constructor)) static void tl_threads_init(void)
{
    pthread_atfork(NULL, NULL, tl_atfork_child);
}

void tl_set_num_threads(int n)
{
    __atomic_store_n(&tl_requested_threads, n > 0 ? n : 0, __ATOMIC_RELAXED);
}

int tl_get_num_threads(void)
{
    if (__atomic_load_n(&tl_forked_after_threads, __ATOMIC_RELAXED))
        return 1;
    int n = __atomic_load_n(&tl_requested_threads, __ATOMIC_RELAXED);
    if (n <= 0) {
#ifdef _OPENMP
        n = omp_get_max_threads();
#else
        n = 1;
#endif
    }
    if (n < 1)
        n = 1;
    if (n > 1)
        __atomic_store_n(&tl_threads_maybe_started, 1, __ATOMIC_RELAXED);
    return n;
}
