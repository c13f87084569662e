/* csv_plain.h - a tokenizer for plain CSV text that finds what libcsv would find (private to csv_read.c). */
#ifndef HC_CSV_PLAIN_H
#define HC_CSV_PLAIN_H

#include <stddef.h>

/* True when the delimiter `delim` can be handled by hc_csv_plain_parse:
 * ASCII and neither CR, LF nor a quote (libcsv treats those specially in
 * ways that depend on its state). */
int hc_csv_plain_delim_ok(unsigned char delim);

/* Receives the fields of one line, or of a part of one: `text[i]` (`len[i]`
 * bytes, NUL-terminated) for i < n, then `term`, the CR or LF that ends the
 * line, or 0 when more fields of the same line follow in the next call. */
typedef void (*hc_csv_plain_fn)(char **text, size_t *len, size_t n, int term, void *ctx);

/* Splits `len` bytes of plain text (no quote, no NUL, no byte above 0x7f)
 * into records and fields exactly as libcsv does with CSV_STRICT |
 * CSV_REPALL_NL | CSV_APPEND_NULL starting between records: each call of
 * `fn` stands for libcsv's field callback on text[0], ..., text[n - 1]
 * followed, when `term` is not 0, by its record callback with `term`.
 * That is:
 *
 *   - records are lines ended by CR or LF (each CR and each LF ends one,
 *     so CRLF is two line ends, the second with no field);
 *   - fields are split at `delim` and lose leading and trailing spaces
 *     and tabs (those that are not the delimiter);
 *   - a line of nothing but such spaces has no field (n == 0); otherwise
 *     every piece between delimiters is a field, empty ones too.
 *
 * The text must end with CR or LF (libcsv is between records again after
 * it). Fields are NUL-terminated in place, so `s` is modified, and
 * `text[i]` points into it. `text` and `len` are the caller's arrays of
 * room for `cap` (>= 1) fields; a line with more fields comes in several
 * calls. Requires hc_csv_plain_delim_ok(delim). */
void hc_csv_plain_parse(char *s, size_t len, unsigned char delim, char **text,
                        size_t *lens, size_t cap, hc_csv_plain_fn fn, void *ctx);

#endif
