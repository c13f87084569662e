/* csv_split.c - loading a large CSV file as two halves, each parsed and converted on its own thread.
 *
 * The cells and records are csv_load.c's; this file finds the cut, runs the
 * second half on a thread of its own, checks the cut against the first
 * half's parser state and joins the halves into one table.
 */
#include "csv_loader.h"

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
 * Memory: the first half fills rows [0, B) of the result table and the
 * second writes into the same arrays from row B on (a "view" with pools of
 * its own), B being the first half's estimated row count plus a margin.
 * At the end the second half's rows move down to meet the first's, within
 * pages already written: no second table, no copy into fresh pages. A
 * half that outgrows its room goes on in a table of its own (a spill),
 * appended at the end. */

typedef struct {
    loader ld;            /* shares the first half's header mapping */
    hc_table *view;       /* rows [at, ...) of the result's arrays */
    size_t at;
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

/* A table of t's columns whose arrays are rows [at, t->cap_rows) of t's,
 * with pools and missing counts of its own. Its rows are limited to that
 * room; release with view_free. */
static hc_table *view_of(hc_table *t, size_t at)
{
    hc_table *v = hc_loader_table_like(t);
    if (!v)
        return NULL;
    for (size_t c = 0; c < v->n_cols; c++) {
        hc_column *col = &v->cols[c];
        free(col->num);
        free(col->code);
        col->num = t->cols[c].num ? t->cols[c].num + at : NULL;
        col->code = t->cols[c].code ? t->cols[c].code + at : NULL;
    }
    free(v->line);
    v->line = t->line + at;
    v->cap_rows = t->cap_rows - at;
    return v;
}

static void view_free(hc_table *v)
{
    if (!v)
        return;
    for (size_t c = 0; c < v->n_cols; c++)
        v->cols[c].num = NULL, v->cols[c].code = NULL;
    v->line = NULL;
    hc_table_free(v);
}

/* Brings the view's rows (at row `at` of t's arrays) down or up to row
 * t->n_rows, carrying their codes into t's pools (after t's own strings,
 * in the view's order) and their lines forward by `shift`. */
static hc_status join_view(hc_table *t, hc_table *v, size_t at, uint32_t shift)
{
    size_t to = t->n_rows, n = v->n_rows;
    for (size_t c = 0; c < t->n_cols; c++) {
        hc_column *d = &t->cols[c];
        const hc_column *s = &v->cols[c];
        if (d->type == HC_COL_NUM) {
            memmove(d->num + to, d->num + at, n * sizeof *d->num);
        } else if (d->type == HC_COL_DATE) {
            memmove(d->code + to, d->code + at, n * sizeof *d->code);
        } else {
            int32_t *map = hc_strpool_merge(d->pool, s->pool);
            if (!map)
                return HC_ENOMEM;
            /* In place: forward when moving down, backward when up. */
            if (to <= at)
                for (size_t r = 0; r < n; r++) {
                    int32_t x = d->code[at + r];
                    d->code[to + r] = x < 0 ? -1 : map[x];
                }
            else
                for (size_t r = n; r-- > 0;) {
                    int32_t x = d->code[at + r];
                    d->code[to + r] = x < 0 ? -1 : map[x];
                }
            free(map);
        }
        d->n_missing += s->n_missing;
    }
    if (to <= at)
        for (size_t r = 0; r < n; r++)
            t->line[to + r] = t->line[at + r] + shift;
    else
        for (size_t r = n; r-- > 0;)
            t->line[to + r] = t->line[at + r] + shift;
    t->n_rows = to + n;
    return HC_OK;
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
    view_free(sh->view);
    hc_loader_release(&sh->ld);
    free(sh->buf);
}

/* Starts the second half [split, end of file) on a thread, writing into
 * ld->t's arrays from row `at`. Returns 0, or -1 (nothing to release) when
 * it cannot start. */
static int shard_start(shard *sh, const loader *ld, int fd, off_t split, size_t at)
{
    memset(sh, 0, sizeof *sh);
    sh->ld = *ld;
    sh->ld.cache = NULL;
    sh->ld.head = NULL;
    sh->ld.head_len = NULL;
    sh->ld.head_n = sh->ld.head_cap = 0;
    sh->ld.spill = NULL;
    sh->view = sh->ld.t = view_of(ld->t, at);
    sh->at = at;
    if (sh->view) {
        sh->ld.limit = sh->view->cap_rows;
        if (hc_loader_caches(&sh->ld) == HC_OK)
            sh->s = hc_csv_stream_alloc(ld->name, &ld->opt->csv, 0, hc_loader_stream_handler(),
                                        &sh->ld);
    }
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

/* Appends a loader's spill table, if any, to t and frees it. */
static hc_status append_spill(hc_table *t, loader *ld, uint32_t shift)
{
    if (!ld->spill)
        return HC_OK;
    hc_status st = hc_table_append(t, ld->spill, shift);
    hc_table_free(ld->spill);
    ld->spill = NULL;
    return st;
}

/* Puts the halves together in t: t's own rows [0, n1) stay, then the
 * first half's spill, the view's rows, the second half's spill. */
static hc_status join_halves(hc_table *t, loader *ld1, shard *sh, uint32_t shift)
{
    size_t n1 = t->n_rows, k1 = ld1->spill ? ld1->spill->n_rows : 0;
    size_t n2 = sh->view->n_rows;
    if (k1 > 0) {
        /* The first half filled its room (n1 == at): lift the view's rows
         * clear of the spill's, then append the spill below them. */
        if (hc_table_reserve(t, n1 + k1 + n2) != HC_OK)
            return HC_ENOMEM;
        for (size_t c = 0; c < t->n_cols; c++) {
            hc_column *col = &t->cols[c];
            if (col->type == HC_COL_NUM)
                memmove(col->num + n1 + k1, col->num + sh->at, n2 * sizeof *col->num);
            else
                memmove(col->code + n1 + k1, col->code + sh->at, n2 * sizeof *col->code);
        }
        memmove(t->line + n1 + k1, t->line + sh->at, n2 * sizeof *t->line);
        sh->at = n1 + k1;
        if (append_spill(t, ld1, 0) != HC_OK)
            return HC_ENOMEM;
    }
    if (join_view(t, sh->view, sh->at, shift) != HC_OK ||
        append_spill(t, &sh->ld, shift) != HC_OK)
        return HC_ENOMEM;
    /* The view's old rows above the joined table were written: give those
     * pages back. */
    hc_table_shrink(t);
    return HC_OK;
}

/* Loads the regular file open on `fd` (`size` bytes) in two halves. The
 * first half, header included, is read on this thread by a stream that
 * can go on to the end of the file; the second on another thread. */
hc_status hc_loader_load_split(int fd, off_t size, loader *ld, hc_load_report *rep,
                            hc_error *err)
{
    char *buf = malloc(HC_CSV_BLOCK_SIZE);
    hc_csv_stream *s1 = buf ? hc_csv_stream_alloc(ld->name, &ld->opt->csv, 1,
                                                  hc_loader_stream_handler(), ld)
                            : NULL;
    if (!s1) {
        free(buf);
        return hc_error_nomem(err);
    }
    hc_table *t = ld->t;
    ld->limit = SIZE_MAX;
    int io1 = 0;
    /* The header first, line by line from the first block, so that the
     * body (and the split point) starts right after it. */
    ssize_t got0 = read_at(fd, buf, HC_CSV_BLOCK_SIZE, 0);
    size_t off = 0;
    if (got0 < 0)
        io1 = errno ? errno : EIO;
    while (got0 > 0 && !ld->header_done && off < (size_t)got0) {
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
    if (got0 > 0 && ld->header_done && hc_csv_stream_between_records(s1) &&
        pos < size) {
        split = find_split(fd, pos, size, buf);
        if (split <= pos || split >= size)
            split = -1;
    }
    if (split > 0) {
        /* Room for the first half's estimated rows and a margin of 1/128,
         * then for the second's with a margin of 1/8 (pages never written
         * cost nothing). */
        size_t n1 = estimate_rows(fd, pos, split, buf);
        size_t n2 = estimate_rows(fd, split, size, buf);
        size_t at = n1 + n1 / 128 + 1024;
        if (hc_table_reserve(t, at + n2 + n2 / 8 + 1024) != HC_OK ||
            shard_start(&sh, ld, fd, split, at) != 0)
            split = -1;
        else
            ld->limit = at;
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
            if (st == HC_OK) {
                rep->split_at = (long long)split;
                rep->spilled = (ld->spill != NULL) + (sh.ld.spill != NULL);
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
                ld->t = t;
                if (join_halves(t, ld, &sh, (uint32_t)shift) != HC_OK)
                    st = hc_error_nomem(err);
            }
        } else {
            /* A failure, or a quoted field spans the split: the second
             * half's work is void and this stream reads on, free to grow
             * the table again. */
            atomic_store(&sh.cancel, 1);
            pthread_join(sh.thread, NULL);
            ld->limit = SIZE_MAX;
            rep->fell_back = 1;
            if (io1 == 0)
                feed_range(s1, fd, split, -1, buf, NULL, &io1);
            st = hc_csv_stream_finish(s1, io1, err);
            rep->spilled = ld->spill != NULL;
        }
        shard_release(&sh);
    }
    ld->t = t;
    if (st == HC_OK && append_spill(t, ld, 0) != HC_OK)
        st = hc_error_nomem(err);
    hc_csv_stream_free(s1);
    free(buf);
    return st;
}

/* Opens `path` for a split load when it is a regular file of at least the
 * threshold size; returns the descriptor or -1 (load sequentially). Files
 * of 2^33 bytes or more stay sequential: only they can hold the 2^32 - 1
 * rows at which the loader stops, and that check counts rows from the top. */
int hc_loader_open_for_split(const char *path, const hc_load_options *opt, off_t *size)
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

