/* csv_plain.h - a tokenizer for plain CSV text that calls libcsv's callbacks as libcsv would (private to csv_read.c). */
#ifndef HC_CSV_PLAIN_H
#define HC_CSV_PLAIN_H

#include <stddef.h>

/* True when the delimiter `delim` can be handled by hc_csv_plain_parse:
 * ASCII and neither CR, LF nor a quote (libcsv treats those specially in
 * ways that depend on its state). */
int hc_csv_plain_delim_ok(unsigned char delim);

/* Splits `len` bytes of plain text (no quote, no NUL, no byte above 0x7f)
 * into records and fields exactly as libcsv does with CSV_STRICT |
 * CSV_REPALL_NL starting between records, calling `field` per field and
 * `record` per line end with the same arguments libcsv would pass:
 *
 *   - records are lines ended by CR or LF (each CR and each LF ends one,
 *     so CRLF is two line ends, the second with no field);
 *   - fields are split at `delim` and lose leading and trailing spaces
 *     and tabs (those that are not the delimiter);
 *   - a line of nothing but such spaces makes a `record` call with no
 *     field before it; otherwise every piece between delimiters is a
 *     field, empty ones too.
 *
 * The text must end with CR or LF (libcsv is between records again after
 * it). Each field's text is NUL-terminated in place, as with
 * CSV_APPEND_NULL, so `s` is modified; the pointer passed to `field` points
 * into `s`. Requires hc_csv_plain_delim_ok(delim). */
void hc_csv_plain_parse(char *s, size_t len, unsigned char delim,
                        void (*field)(void *text, size_t len, void *ctx),
                        void (*record)(int term, void *ctx), void *ctx);

#endif
