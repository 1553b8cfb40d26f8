/* Thread-count control shared by all C kernels (CPU features: api/cpu.h).
 * Plain C declarations only: this file is parsed by cffi's cdef(). */

/* Set the number of threads the C kernels may use (n >= 1). n <= 0 restores
 * the default (omp_get_max_threads(), i.e. OMP_NUM_THREADS or the core count). */
void tl_set_num_threads(int n);

/* Current thread count for the C kernels (always >= 1).  Kernels must take
 * their thread count from here (num_threads clause).  In a process forked
 * after more than one thread may have been used, this returns 1: GNU
 * OpenMP cannot run multi-threaded regions in such a child (it hangs). */
int tl_get_num_threads(void);
