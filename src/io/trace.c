/* trace.c - phase timings on stderr when HEALTHCAL_TRACE is set. */
#include "hc_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

void hc_trace_mark(const char *what)
{
    static int enabled = -1;
    static struct timespec last, start;
    static double last_cpu;
    if (enabled < 0) {
        const char *e = getenv("HEALTHCAL_TRACE");
        enabled = e && *e;
        clock_gettime(CLOCK_MONOTONIC, &start);
        last = start;
    }
    if (!enabled)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double d = (double)(now.tv_sec - last.tv_sec) + 1e-9 * (double)(now.tv_nsec - last.tv_nsec);
    double t = (double)(now.tv_sec - start.tv_sec) + 1e-9 * (double)(now.tv_nsec - start.tv_nsec);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double cpu = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    fprintf(stderr, "trace: %-28s %8.3fs wall %8.3fs cpu (at %.3fs; %ld MiB peak)\n",
            what, d, cpu - last_cpu, t, ru.ru_maxrss / 1024);
    last_cpu = cpu;
    last = now;
}
