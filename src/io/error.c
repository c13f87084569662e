/* error.c - the error record: filling, formatting, status names. */
#include "hc_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void hc_error_clear(hc_error *err)
{
    if (!err)
        return;
    err->status = HC_OK;
    err->file[0] = '\0';
    err->line = 0;
    err->column = 0;
    err->message[0] = '\0';
}

hc_status hc_error_set(hc_error *err, hc_status status, const char *file,
                       long line, long column, const char *fmt, ...)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

hc_status hc_error_nomem(hc_error *err)
{
    return hc_error_set(err, HC_ENOMEM, NULL, 0, 0, "out of memory");
}

void hc_error_format(const hc_error *err, char *buf, size_t size)
{
    if (!err->file[0])
        snprintf(buf, size, "%s", err->message);
    else if (err->line > 0 && err->column > 0)
        snprintf(buf, size, "%s:%ld:%ld: %s", err->file, err->line,
                 err->column, err->message);
    else if (err->line > 0)
        snprintf(buf, size, "%s:%ld: %s", err->file, err->line, err->message);
    else
        snprintf(buf, size, "%s: %s", err->file, err->message);
}

const char *hc_strerror(hc_status status)
{
    switch (status) {
    case HC_OK: return "success";
    case HC_EUSAGE: return "usage error";
    case HC_EDATA: return "bad input data";
    case HC_ENUMERIC: return "numerical failure";
    case HC_EIO: return "input/output failure";
    case HC_ENOMEM: return "out of memory";
    }
    return "unknown status";
}

int hc_status_exit_code(hc_status status)
{
    return status == HC_ENOMEM ? 4 : (int)status;
}
