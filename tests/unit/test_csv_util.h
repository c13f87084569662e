/* test_csv_util.h - helpers shared by the CSV reading, loading and splitting tests. */
#ifndef HC_TEST_CSV_UTIL_H
#define HC_TEST_CSV_UTIL_H

#include "test_util.h"

#include <unistd.h>

#include "hc_error.h"

/* Asserts an error's status, line, column and a fragment of its message. */
static inline void assert_error(const hc_error *err, hc_status st, long line, long col,
                         const char *fragment)
{
    if (err->status != st || err->line != line || err->column != col ||
        !strstr(err->message, fragment)) {
        fprintf(stderr, "error %d at %ld:%ld '%s'; expected %d at %ld:%ld with '%s'\n",
                (int)err->status, err->line, err->column, err->message, (int)st, line,
                col, fragment);
        fail();
    }
}

/* Writes `len` bytes to a new temporary file; returns its path (static
 * storage, one at a time). */
static inline const char *temp_file(const void *data, size_t len)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/hc-test-csv.XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

#endif
