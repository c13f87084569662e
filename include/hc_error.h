/* hc_error.h - status codes and the error record every fallible call fills (layer: io). */
#ifndef HC_ERROR_H
#define HC_ERROR_H

#include <stddef.h>

/* Status codes double as the CLI's exit codes, one per kind of failure. */
typedef enum {
    HC_OK = 0,
    HC_EUSAGE = 1,   /* bad options or arguments */
    HC_EDATA = 2,    /* bad input data: file, line, column or key named */
    HC_ENUMERIC = 3, /* numerical failure or degenerate statistics */
    HC_EIO = 4,      /* file system or output failure */
    HC_ENOMEM = 5    /* out of memory (exits 4, like other I/O-ish faults) */
} hc_status;

/* Where and why a call failed. `line` and `column` are 1-based, 0 when not
 * applicable; `file` is empty when the fault is not tied to a file. */
typedef struct {
    hc_status status;
    char file[512];
    long line;
    long column;
    char message[1024];
} hc_error;

/* Resets an error record to HC_OK with no message. NULL is a no-op. */
void hc_error_clear(hc_error *err);

/* Fills `err` (which may be NULL) and returns `status`, so that callers can
 * write `return hc_error_set(err, HC_EDATA, path, line, col, "...")`.
 * `file` may be NULL. The message is printf-formatted and truncated to fit. */
hc_status hc_error_set(hc_error *err, hc_status status, const char *file,
                       long line, long column, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Convenience for out-of-memory. */
hc_status hc_error_nomem(hc_error *err);

/* Writes "file:line:column: message" (omitting absent parts) into buf. */
void hc_error_format(const hc_error *err, char *buf, size_t size);

/* A short English description of a status ("bad input data", ...). */
const char *hc_strerror(hc_status status);

/* The process exit code for a status (HC_ENOMEM maps to 4). */
int hc_status_exit_code(hc_status status);

#endif
