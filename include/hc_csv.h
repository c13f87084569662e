/* hc_csv.h - RFC 4180 CSV streaming (libcsv) and safe CSV cell writing (layer: io). */
#ifndef HC_CSV_H
#define HC_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"

/* One parsed record. Fields are NUL-terminated copies valid only during the
 * callback; `line` is the 1-based line on which the record starts. */
typedef struct {
    char **fields;
    size_t *lens;
    size_t n;
    long line;
} hc_csv_record;

/* Called once per record (the header included). Return HC_OK to go on or
 * a status (with `err` filled) to stop reading. */
typedef hc_status (*hc_csv_record_fn)(void *ctx, const hc_csv_record *rec,
                                      hc_error *err);

typedef struct {
    char delimiter;        /* 0 means ',' */
    size_t max_field;      /* bytes; 0 means 1 MiB. Longer is an error. */
    size_t max_fields;     /* per record; 0 means 4096 */
    int libcsv_only;       /* test and diagnostic switch: non-zero sends
                              every byte through libcsv, without the fast
                              path for blocks with no quote, NUL or byte
                              above 0x7f (csv_plain.c); the results are the
                              same either way, only slower */
} hc_csv_options;

/* Streams the file at `path` ("-" is stdin) through libcsv in 64 KiB
 * blocks, calling `fn` per record (a block without quotes, NUL or bytes
 * above 0x7f is split into fields by the reader itself, with libcsv's
 * results: see libcsv_only above). Handles a UTF-8 byte-order mark, CRLF,
 * quoted fields with delimiters, quotes and newlines; rejects NUL bytes,
 * invalid UTF-8, unterminated quotes and oversize fields with file, line and
 * column. Blank lines are skipped. `opt` may be NULL. */
hc_status hc_csv_read(const char *path, const hc_csv_options *opt,
                      hc_csv_record_fn fn, void *ctx, hc_error *err);

/* The same over a memory buffer (for tests and fuzzing); `name` is used in
 * messages. */
hc_status hc_csv_read_buffer(const char *data, size_t len, const char *name,
                             const hc_csv_options *opt, hc_csv_record_fn fn,
                             void *ctx, hc_error *err);

/* The reader's block size: hc_csv_read reads its input in blocks of this
 * many bytes, and a stream must be told where such blocks end (see
 * hc_csv_stream_feed) to fail exactly as hc_csv_read would. */
#define HC_CSV_BLOCK_SIZE 65536

/* A push reader: the caller feeds bytes in file order and each field goes
 * to a handler as soon as it ends, on the calling thread, straight from
 * libcsv's buffer or (blocks without quotes, NUL or bytes above 0x7f) from
 * the reader's copy of the block. It applies every check of hc_csv_read, with line numbers
 * counted from 1 at its first byte, so that parts of one file can be read
 * by several streams (the table loader reads the two halves of a large
 * file in parallel). */
typedef struct hc_csv_stream hc_csv_stream;

/* What a stream calls. `field` gets each field of a record in order:
 * `index` is its 0-based place in the record, `s` the text (`len` bytes,
 * NUL-terminated, valid only during the call; every byte already passed
 * the NUL and UTF-8 checks) and `line` the line where the record starts.
 * `record` follows the last field with the number of fields; blank lines
 * make no record. A record's fields are never followed by `record` when a
 * parse error ends it (the record is not complete). Any of them may return
 * a status with `err` filled to stop the stream with that error.
 *
 * `row` is optional (NULL: not used). When set, the stream may hand a
 * whole record to it instead of calling `field` for each field and then
 * `record`, which it does for records it holds whole and that passed every
 * check (in practice those of blocks without quotes, NUL or non-ASCII
 * bytes); the fields and their texts are valid only during the call. It
 * must have the effect those calls would have had together. */
typedef struct {
    hc_status (*field)(void *ctx, size_t index, const char *s, size_t len,
                       long line, hc_error *err);
    hc_status (*record)(void *ctx, size_t n_fields, long line, hc_error *err);
    hc_csv_record_fn row;
} hc_csv_field_handler;

/* Allocates a stream named `name` in messages (not copied: it must outlive
 * the stream). `file_start` non-zero means the first bytes fed are the
 * start of a file, where a UTF-8 byte-order mark is skipped; elsewhere the
 * mark is data. `opt` may be NULL; `handler` is copied and `ctx` passed to
 * it. Returns NULL when out of memory. Free with hc_csv_stream_free. */
hc_csv_stream *hc_csv_stream_alloc(const char *name, const hc_csv_options *opt,
                                   int file_start,
                                   const hc_csv_field_handler *handler, void *ctx);

/* Parses the next `len` bytes. Set `block_end` when they end at a multiple
 * of HC_CSV_BLOCK_SIZE bytes from the start of the file, or at the end of
 * the file: only there is a field still growing past the limit reported
 * (as hc_csv_read does after each block). Returns 0, or -1 once the stream
 * has failed (a parse error or a callback error); later bytes are then
 * ignored and hc_csv_stream_finish reports the error. */
int hc_csv_stream_feed(hc_csv_stream *s, const char *data, size_t len,
                       int block_end);

/* True when the stream has not failed and stands between records: the
 * bytes fed so far end a record (or a blank line), not inside a field and
 * in particular not inside a quoted field. */
int hc_csv_stream_between_records(const hc_csv_stream *s);

/* The physical line (1-based, counted from the stream's first byte) that
 * the next byte fed is on; after a line end, the number of line ends fed
 * plus one. A quoted newline counts, CRLF counts once, a lone CR counts. */
long hc_csv_stream_line(const hc_csv_stream *s);

/* Ends the input (`io_error` is an errno value from reading it, or 0):
 * completes a last record without a line end and returns the first error in
 * file order, filling `err`, or HC_OK. Call at most once. */
hc_status hc_csv_stream_finish(hc_csv_stream *s, int io_error, hc_error *err);

/* Frees a stream, finished or not. NULL is a no-op. */
void hc_csv_stream_free(hc_csv_stream *s);

/* Writes one CSV text cell: quoted when it holds the delimiter ',', a
 * quote, CR or LF; prefixed with a single quote when it could start a
 * spreadsheet formula (=, +, -, @, tab, CR), per OWASP's CSV-injection
 * advice. NULL writes an empty cell. */
void hc_csv_write_text(FILE *f, const char *s);

/* Writes a number with up to 17 significant digits (round-trips exactly);
 * NaN or infinity writes an empty cell. */
void hc_csv_write_num(FILE *f, double v);

/* Writes the number m / 10^scale (0 <= scale <= 9), byte for byte the
 * cell hc_csv_write_num writes for the double nearest to it, from the
 * integer: for a table column stored as scaled integers (most of a
 * snapshot export), without the double's search for its digits. */
void hc_csv_write_decimal(FILE *f, long long m, int scale);

/* Writes a number with %.*g precision `digits`; non-finite writes empty. */
void hc_csv_write_num_prec(FILE *f, double v, int digits);

#endif
