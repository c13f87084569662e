/* gnuplot_escape.c - turning data strings into inert gnuplot string literals. */
#include "hc_plot.h"

#include <stdint.h>
#include <string.h>

/* Why single quotes: gnuplot substitutes `command` output into the command
 * line and expands @macros everywhere except inside single-quoted strings,
 * and double-quoted strings also interpret backslash escapes (gnuplot 5.4
 * manual, "Substitution and Command line macros" and "Strings").
 *
 * Why no doubled quotes: the manual says '' stands for a quote inside a
 * single-quoted string, but gnuplot 5.4's scanner (scanner.c, rule 6) only
 * recognises '' when it follows an ordinary character: 'x''''y' and '''x'
 * split into several tokens and the command fails. So a quote from data is
 * never put inside a literal; the text is cut at each quote and the pieces
 * are joined with the constant string "'" (gnuplot's . operator), e.g.
 * O'Brien becomes 'O' . "'" . 'Brien'. Each literal then holds no quote at
 * all, and removing line breaks leaves nothing that can end it early. */

/* Decodes one UTF-8 character at s[0..len); returns its length in bytes and
 * the code point, or 0 for an invalid sequence (overlong forms, surrogates
 * and values above U+10FFFF are invalid, per RFC 3629). */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07u; min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* A bounded writer: counts every byte, stores those that fit. */
typedef struct {
    char *dst;
    size_t size;
    size_t len;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (w->len + 1 < w->size)
            w->dst[w->len] = s[i];
        w->len++;
    }
}

static void put_c(writer *w, char c)
{
    put(w, &c, 1);
}

static size_t finish(writer *w)
{
    if (w->size == 0)
        return w->len;
    if (w->len < w->size)
        w->dst[w->len] = '\0';
    else
        w->dst[0] = '\0'; /* never leave a literal without its closing quote */
    return w->len;
}

/* The closing of one literal, the constant quote and the opening of the
 * next: the text ' . "'" . ' */
static const char QUOTE_JOIN[] = "' . \"'\" . '";

/* Writes one quote character of the text. */
static void put_quote(writer *w)
{
    put(w, QUOTE_JOIN, sizeof QUOTE_JOIN - 1);
}

static size_t quote_path(writer *w, const char *s)
{
    put_c(w, '\'');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p < 0x20 || *p == 0x7F) {
            if (w->size)
                w->dst[0] = '\0';
            return (size_t)-1;
        }
        if (*p == '\'')
            put_quote(w);
        else
            put_c(w, (char)*p);
    }
    put_c(w, '\'');
    return finish(w);
}

size_t hc_gnuplot_quote(char *dst, size_t size, const char *s, unsigned flags)
{
    writer w = {dst, size, 0};
    if (!s)
        s = "";
    if (flags & HC_GP_PATH)
        return quote_path(&w, s);

    put_c(&w, '\'');
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s);
    size_t chars = 0;
    /* The last two characters shown, to break up "]]>" (which would end an
     * XML CDATA section and is not allowed in SVG text as gnuplot writes it). */
    char prev1 = 0, prev2 = 0;
    while (left > 0) {
        if ((flags & HC_GP_SHORT) && chars == HC_GP_LABEL_MAX) {
            put(&w, "...", 3);
            break;
        }
        uint32_t cp;
        size_t n = utf8_decode(p, left, &cp);
        char shown;
        if (n == 0) {
            n = 1;
            put_c(&w, '?');
            shown = '?';
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
            put_c(&w, ' ');
            shown = ' ';
        } else if (cp == 0xFFFE || cp == 0xFFFF) {
            put_c(&w, '?');
            shown = '?';
        } else if (cp == '\'') {
            put_quote(&w);
            shown = '\'';
        } else if (cp == '>' && prev1 == ']' && prev2 == ']') {
            put(&w, " >", 2);
            shown = '>';
        } else if ((flags & HC_GP_ENHANCED) && cp < 0x80 &&
                   strchr("^_@&{}~\\", (int)cp)) {
            put_c(&w, '\\');
            put_c(&w, (char)cp);
            shown = (char)cp;
        } else {
            put(&w, (const char *)p, n);
            shown = n == 1 ? (char)cp : 'x';
        }
        prev2 = prev1;
        prev1 = shown;
        p += n;
        left -= n;
        chars++;
    }
    put_c(&w, '\'');
    return finish(&w);
}
