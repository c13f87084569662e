/* hc_trace.h - phase timings on stderr when HEALTHCAL_TRACE is set (layer: io). */
#ifndef HC_TRACE_H
#define HC_TRACE_H

/* Prints "trace: <what> <seconds since the previous mark>s" to stderr when
 * the environment variable HEALTHCAL_TRACE is set and non-empty; does
 * nothing otherwise. For finding where a run spends its time (README
 * "Performance"); call from one thread only. */
void hc_trace_mark(const char *what);

#endif
