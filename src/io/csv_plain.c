/* csv_plain.c - splitting plain CSV text (no quotes) into fields eight bytes at a time, with libcsv's results.
 *
 * libcsv reads a byte at a time through a state machine, which is most of
 * the cost of loading a large file. Without quotes there is little for the
 * machine to do: a record is a line and its fields are the pieces between
 * delimiters. This file finds the delimiters and line ends eight bytes at
 * a time and hands over what libcsv's csv_parse would pass to its
 * callbacks (libcsv 3.0.3, libcsv.c: states ROW_NOT_BEGUN, FIELD_NOT_BEGUN
 * and FIELD_BEGUN with quoted == 0), so the reader cannot tell which of
 * the two parsed a block.
 */
#include "csv_plain.h"

#include <stdint.h>
#include <string.h>

#define ONES UINT64_C(0x0101010101010101)
#define LOWS UINT64_C(0x7f7f7f7f7f7f7f7f)
#define HIGHS UINT64_C(0x8080808080808080)

int hc_csv_plain_delim_ok(unsigned char delim)
{
    return delim < 0x80 && delim != '\r' && delim != '\n' && delim != '"';
}

/* The eight bytes at s as a word whose lowest byte is s[0]. */
static inline uint64_t load_le(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

/* Bit j set when byte j of x equals one of the three bytes whose copies
 * fill d, cr and lf. Exact (no false hits from borrows) because every
 * byte is below 0x80: then y + 0x7f has its top bit clear only for y == 0
 * and never carries into the next byte. The multiplication gathers the
 * eight top bits into the top byte: bit 8j times 2^(7k + 7) lands on bit
 * 56 + j for k = 7 - j, and no two products share a bit, so nothing
 * carries. */
static inline unsigned stops(uint64_t x, uint64_t d, uint64_t cr, uint64_t lf)
{
    uint64_t a = x ^ d, b = x ^ cr, c = x ^ lf;
    uint64_t hits = ~((a + LOWS) & (b + LOWS) & (c + LOWS)) & HIGHS;
    return (unsigned)(((hits >> 7) * UINT64_C(0x0102040810204080)) >> 56);
}

/* Bit j set when s[j] is a delimiter, CR or LF, for 64 bytes. One mask
 * per 64 bytes rather than per word: the loop over a mask's bits then
 * ends (and its exit is mispredicted) once per 64 bytes. */
static inline uint64_t stops64(const char *s, uint64_t d, uint64_t cr, uint64_t lf)
{
    uint64_t m = 0;
    for (int q = 0; q < 8; q++)
        m |= (uint64_t)stops(load_le(s + 8 * q), d, cr, lf) << (8 * q);
    return m;
}

/* The loop of hc_csv_plain_parse; `trim` is 0 when the text holds no
 * space or tab to trim, which spares the two trimming loops per field (a
 * fifth of the time on machine-written files). Inlined twice, once with
 * each constant. */
static inline void split_lines(char *s, size_t len, unsigned char delim, int trim,
                               char **text, size_t *lens, size_t cap, hc_csv_plain_fn fn,
                               void *ctx)
{
    const uint64_t d = delim * ONES, cr = '\r' * ONES, lf = '\n' * ONES;
    /* libcsv's spaces are space and tab, unless one is the delimiter. */
    const char sp1 = delim == ' ' ? '\t' : ' ';
    const char sp2 = delim == '\t' ? ' ' : '\t';
    size_t start = 0;    /* where the current field began */
    size_t n = 0;        /* fields of the line not yet handed over */
    int row_begun = 0;   /* a delimiter was seen on this line */
    for (size_t w = 0; w < len; w += 64) {
        uint64_t m;
        if (len - w >= 64) {
            m = stops64(s + w, d, cr, lf);
        } else {
            /* The last bytes: hits in the padding are masked off. */
            char tail[64] = {0};
            memcpy(tail, s + w, len - w);
            m = stops64(tail, d, cr, lf) & ((UINT64_C(1) << (len - w)) - 1);
        }
        while (m) {
            size_t i = w + (size_t)__builtin_ctzll(m);
            m &= m - 1;
            int c = (unsigned char)s[i];
            /* libcsv skips spaces before a field and drops those after
             * it (it counts them in `spaces` and cuts them at
             * SUBMIT_FIELD). */
            size_t a = start, b = i;
            while (trim && a < b && (s[a] == sp1 || s[a] == sp2))
                a++;
            while (trim && b > a && (s[b - 1] == sp1 || s[b - 1] == sp2))
                b--;
            start = i + 1;
            if (c == delim) {
                s[b] = '\0';
                text[n] = s + a;
                lens[n++] = b - a;
                row_begun = 1;
                if (n == cap) {
                    fn(text, lens, n, 0, ctx);
                    n = 0;
                }
                continue;
            }
            /* A line end: in ROW_NOT_BEGUN (nothing but spaces since the
             * last line end) libcsv reports the empty row alone; otherwise
             * it ends the last field, empty or not, then the row. */
            if (row_begun || b > a) {
                s[b] = '\0';
                text[n] = s + a;
                lens[n++] = b - a;
            }
            fn(text, lens, n, c, ctx);
            n = 0;
            row_begun = 0;
        }
    }
}

void hc_csv_plain_parse(char *s, size_t len, unsigned char delim, char **text,
                        size_t *lens, size_t cap, hc_csv_plain_fn fn, void *ctx)
{
    int trim = (delim != ' ' && memchr(s, ' ', len)) || (delim != '\t' && memchr(s, '\t', len));
    if (trim)
        split_lines(s, len, delim, 1, text, lens, cap, fn, ctx);
    else
        split_lines(s, len, delim, 0, text, lens, cap, fn, ctx);
}
