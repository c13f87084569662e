/* csv_split.c - loading a large CSV file as two halves, each parsed and converted on its own thread.
 *
 * A strategy of the loader (csv_split.h): the cells and records are the
 * loader's, reached only through the parts it hands out. This file finds
 * the cut, runs the second half on a thread of its own, checks the cut
 * against the first half's parser state and joins the halves.
 */
#include "csv_split.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Below this a file loads through hc_csv_read alone: splitting has a fixed
 * cost (a second thread and parser, row estimates, the join) that small
 * files do not repay. */
#define SPLIT_MIN_DEFAULT ((size_t)8 << 20)

/* Why two halves can be parsed apart and give the sequential result:
 * libcsv's state between records is its initial state, so a parser
 * started at a line end that is a record boundary sees what the
 * sequential parser sees from there on. Whether the chosen line end is a
 * boundary (and not a newline inside a quoted field) is known only once the
 * first half has been parsed up to it; if it is not, the second half's work
 * is thrown away and the first parser reads on. Line numbers of the second
 * half are shifted by the line count of the first; string codes come out
 * in the sequential order because the second half's pools are merged after
 * the first's, in their own order of first appearance.
 *
 * Memory: each half fills a table of its own (numeric columns may then be
 * stored differently, each in its own narrowest form). The result table,
 * the first half's, has room reserved for the estimated rows of both
 * halves (pages never written cost nothing), so that appending the
 * second half's table copies its rows without moving the first's; the
 * second table's columns are freed one by one as they are copied. */

typedef struct {
    const hc_csv_split_ops *ops;
    void *part;           /* the loader's part for the second half */
    hc_csv_stream *s;
    int fd;
    off_t from;           /* first byte of the half */
    char *buf;
    atomic_int cancel;    /* set when the first half makes this one moot */
    pthread_t thread;
    int io_error;
    hc_status st;
    hc_error err;
} shard;

/* The split threshold: the option, else HEALTHCAL_SPLIT_MIN_BYTES (a
 * decimal byte count, for tests and measurements), else 8 MiB. */
static size_t split_min_bytes(const hc_load_options *opt)
{
    if (opt->split_min_bytes)
        return opt->split_min_bytes;
    const char *e = getenv("HEALTHCAL_SPLIT_MIN_BYTES");
    if (e && *e >= '0' && *e <= '9') {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(e, &end, 10);
        if (*end == '\0' && errno == 0)
            return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    }
    return SPLIT_MIN_DEFAULT;
}

/* Reads up to `len` bytes at `at`, retrying on EINTR; -1 with errno set on
 * failure. */
static ssize_t read_at(int fd, char *buf, size_t len, off_t at)
{
    ssize_t got;
    do
        got = pread(fd, buf, len, at);
    while (got < 0 && errno == EINTR);
    return got;
}

/* Feeds the bytes [from, to) of the file (to < 0: to its end) to `s` in
 * pieces that end where hc_csv_read's 64 KiB blocks end, so that every
 * check falls where it would in a sequential read. Stops early when the
 * stream fails, `cancel` is set, or a read fails (*io_error = errno). */
static void feed_range(hc_csv_stream *s, int fd, off_t from, off_t to, char *buf,
                       atomic_int *cancel, int *io_error)
{
    const off_t block = HC_CSV_BLOCK_SIZE;
    for (off_t pos = from; to < 0 || pos < to;) {
        if (cancel && atomic_load_explicit(cancel, memory_order_relaxed))
            return;
        off_t end = (pos / block + 1) * block;
        if (to >= 0 && to < end)
            end = to;
        size_t want = (size_t)(end - pos);
        ssize_t got = read_at(fd, buf, want, pos);
        if (got < 0) {
            *io_error = errno ? errno : EIO;
            return;
        }
        if (got == 0)
            return; /* end of file */
        pos += got;
        /* A short read of a regular file is its end. */
        int block_end = pos % block == 0 || (size_t)got < want;
        if (hc_csv_stream_feed(s, buf, (size_t)got, block_end) != 0)
            return;
    }
}

/* The byte after the first line feed at or after the middle of [from,
 * size), or -1 when there is none before the end. */
static off_t find_split(int fd, off_t from, off_t size, char *buf)
{
    for (off_t pos = from + (size - from) / 2; pos < size;) {
        ssize_t got = read_at(fd, buf, HC_CSV_BLOCK_SIZE, pos);
        if (got <= 0)
            return -1;
        const char *nl = memchr(buf, '\n', (size_t)got);
        if (nl)
            return pos + (nl - buf) + 1;
        pos += got;
    }
    return -1;
}

/* Rows expected in [from, to): the bytes over the mean line length of 16
 * windows of 4 KiB spread across the range (lines of a sorted file differ
 * from one end to the other), so that the room reserved for the first half
 * is rarely short or much too long. */
static size_t estimate_rows(int fd, off_t from, off_t to, char *buf)
{
    size_t bytes = 0, lines = 0;
    for (int w = 0; w < 16; w++) {
        off_t at = from + (to - from) / 16 * w;
        size_t want = to - at < 4096 ? (size_t)(to - at) : 4096;
        ssize_t got = want ? read_at(fd, buf, want, at) : 0;
        if (got <= 0)
            break;
        bytes += (size_t)got;
        for (const char *p = buf, *e = buf + got;
             (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
            lines++;
    }
    double mean = lines ? (double)bytes / (double)lines : (bytes ? (double)bytes : 64.0);
    return (size_t)((double)(to - from) / mean);
}

static void *shard_main(void *arg)
{
    shard *sh = arg;
    feed_range(sh->s, sh->fd, sh->from, -1, sh->buf, &sh->cancel, &sh->io_error);
    if (!atomic_load(&sh->cancel))
        sh->st = hc_csv_stream_finish(sh->s, sh->io_error, &sh->err);
    return NULL;
}

static void shard_release(shard *sh)
{
    hc_csv_stream_free(sh->s);
    sh->ops->part_free(sh->part);
    free(sh->buf);
}

/* Starts the second half [split, end of file) on a thread, in a new part
 * sharing the header of `first`, its table with room for `rows` rows.
 * Returns 0, or -1 (nothing to release) when it cannot start. */
static int shard_start(shard *sh, const hc_csv_split_ops *ops, void *first, const char *name,
                       const hc_csv_options *csv, int fd, off_t split, size_t rows)
{
    memset(sh, 0, sizeof *sh);
    sh->ops = ops;
    sh->part = ops->part_alloc(first);
    if (sh->part && hc_table_reserve(ops->table(sh->part), rows) == HC_OK)
        sh->s = hc_csv_stream_alloc(name, csv, 0, ops->handler, sh->part);
    sh->buf = malloc(HC_CSV_BLOCK_SIZE);
    sh->fd = fd;
    sh->from = split;
    atomic_init(&sh->cancel, 0);
    if (sh->s && sh->buf) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, shard_main, sh) == 0) {
            sh->thread = thread;
            return 0;
        }
    }
    shard_release(sh);
    return -1;
}

hc_status hc_csv_split_load(int fd, off_t size, const char *name, const hc_csv_options *csv,
                            const hc_csv_split_ops *ops, void *first, hc_load_report *rep,
                            hc_error *err)
{
    char *buf = malloc(HC_CSV_BLOCK_SIZE);
    hc_csv_stream *s1 = buf ? hc_csv_stream_alloc(name, csv, 1, ops->handler, first) : NULL;
    if (!s1) {
        free(buf);
        return hc_error_nomem(err);
    }
    hc_table *t = ops->table(first);
    int io1 = 0;
    /* The header first, line by line from the first block, so that the
     * body (and the split point) starts right after it. */
    ssize_t got0 = read_at(fd, buf, HC_CSV_BLOCK_SIZE, 0);
    size_t off = 0;
    if (got0 < 0)
        io1 = errno ? errno : EIO;
    while (got0 > 0 && !ops->header_done(first) && off < (size_t)got0) {
        const char *nl = memchr(buf + off, '\n', (size_t)got0 - off);
        size_t end = nl ? (size_t)(nl - buf) + 1 : (size_t)got0;
        /* The first block ends at 64 KiB or at the end of the file. */
        int stop = hc_csv_stream_feed(s1, buf + off, end - off, end == (size_t)got0);
        off = end;
        if (stop)
            break;
    }
    off_t pos = (off_t)off, split = -1;
    shard sh;
    size_t room1 = 0, room2 = 0;
    if (got0 > 0 && ops->header_done(first) && hc_csv_stream_between_records(s1) &&
        pos < size) {
        split = find_split(fd, pos, size, buf);
        if (split <= pos || split >= size)
            split = -1;
    }
    if (split > 0) {
        /* Room for the first half's estimated rows and a margin of 1/128,
         * and for the second's with a margin of 1/8, in both tables. */
        size_t n1 = estimate_rows(fd, pos, split, buf);
        size_t n2 = estimate_rows(fd, split, size, buf);
        room1 = n1 + n1 / 128 + 1024;
        room2 = n2 + n2 / 8 + 1024;
        if (hc_table_reserve(t, room1 + room2) != HC_OK ||
            shard_start(&sh, ops, first, name, csv, fd, split, room2) != 0)
            split = -1;
    }
    hc_status st;
    if (split < 0) {
        feed_range(s1, fd, pos, -1, buf, NULL, &io1);
        st = hc_csv_stream_finish(s1, io1, err);
    } else {
        feed_range(s1, fd, pos, split, buf, NULL, &io1);
        if (io1 == 0 && hc_csv_stream_between_records(s1)) {
            long shift = hc_csv_stream_line(s1) - 1;
            st = hc_csv_stream_finish(s1, 0, err);
            if (st != HC_OK)
                atomic_store(&sh.cancel, 1);
            pthread_join(sh.thread, NULL);
            hc_table *t2 = ops->table(sh.part);
            if (st == HC_OK) {
                rep->split_at = (long long)split;
                rep->spilled = (t->n_rows > room1) + (t2->n_rows > room2);
            }
            if (st == HC_OK && sh.st != HC_OK) {
                /* The first half is clean: the second's first error is
                 * the file's. Its lines count from the split. */
                if (sh.err.line > 0)
                    sh.err.line += shift;
                if (err)
                    *err = sh.err;
                st = sh.st;
            } else if (st == HC_OK) {
                if (hc_table_append(t, t2, (uint32_t)shift) != HC_OK)
                    st = hc_error_nomem(err);
                hc_table_shrink(t);
            }
        } else {
            /* A failure, or a quoted field spans the split: the second
             * half's work is void and this stream reads on. */
            atomic_store(&sh.cancel, 1);
            pthread_join(sh.thread, NULL);
            rep->fell_back = 1;
            rep->spilled = t->n_rows > room1;
            if (io1 == 0)
                feed_range(s1, fd, split, -1, buf, NULL, &io1);
            st = hc_csv_stream_finish(s1, io1, err);
        }
        shard_release(&sh);
    }
    hc_csv_stream_free(s1);
    free(buf);
    return st;
}

/* Opens `path` for a split load when it is a regular file of at least the
 * threshold size; returns the descriptor or -1 (load sequentially). Files
 * of 2^33 bytes or more stay sequential: only they can hold the 2^32 - 1
 * rows at which the loader stops, and that check counts rows from the top. */
int hc_csv_split_open(const char *path, const hc_load_options *opt, off_t *size)
{
    if (strcmp(path, "-") == 0)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1; /* hc_csv_read reports it */
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uintmax_t)st.st_size < split_min_bytes(opt) ||
        (uintmax_t)st.st_size >= (uintmax_t)2 * UINT32_MAX) {
        close(fd);
        return -1;
    }
    *size = st.st_size;
    return fd;
}

