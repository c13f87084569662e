/* html_escape.c - HTML escaping of data strings and safe inlining of gnuplot SVG (hc_html.h). */
#include "hc_html.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- escaping ---- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629, table 3-7 of
 * the Unicode standard), with its code point in *cp; 0 when malformed. */
static size_t utf8_len(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        if ((s[1] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x1F) << 6) | (s[1] & 0x3F);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        *cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[1] & 0x3F) << 12) |
              ((uint32_t)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
        return 4;
    }
    return 0;
}

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* The escaped form of the character at s: *out points at the bytes to
 * write (either into s or a static string), *out_len their count; returns
 * how many input bytes were consumed. */
static size_t escape_one(const char *s, const char **out, size_t *out_len)
{
    uint32_t cp;
    size_t n = utf8_len((const unsigned char *)s, &cp);
    if (n == 0) {
        *out = REPLACEMENT;
        *out_len = 3;
        return 1;
    }
    const char *rep = NULL;
    switch (cp) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    case '\t': case '\n': case '\r': break;
    default:
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))
            rep = REPLACEMENT;
    }
    if (rep) {
        *out = rep;
        *out_len = strlen(rep);
    } else {
        *out = s;
        *out_len = n;
    }
    return n;
}

void hc_html_escape(FILE *f, const char *s)
{
    if (!s)
        return;
    while (*s) {
        /* Copy runs of plain ASCII in one call. */
        size_t run = 0;
        while (s[run] && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7F &&
               !strchr("&<>\"'", s[run]))
            run++;
        if (run) {
            fwrite(s, 1, run, f);
            s += run;
            continue;
        }
        const char *out;
        size_t out_len;
        s += escape_one(s, &out, &out_len);
        fwrite(out, 1, out_len, f);
    }
}

size_t hc_html_escape_buf(char *dst, size_t size, const char *s)
{
    size_t total = 0, used = 0;
    int full = 0;
    while (s && *s) {
        const char *out;
        size_t out_len;
        s += escape_one(s, &out, &out_len);
        if (!full && size > 0 && used + out_len < size) {
            memcpy(dst + used, out, out_len);
            used += out_len;
        } else {
            full = 1;
        }
        total += out_len;
    }
    if (size > 0)
        dst[used] = '\0';
    return total;
}

/* ---- SVG inlining ---- */

/* The elements gnuplot's svg terminal writes (gnuplot 5.x term/svg.trm),
 * plus harmless relatives; everything else is refused. */
static const char *const allowed_elements[] = {
    "svg", "g", "defs", "title", "desc", "rect", "circle", "ellipse", "line",
    "path", "polyline", "polygon", "use", "text", "tspan", "symbol", "marker",
    "clipPath", "pattern", "linearGradient", "radialGradient", "stop", "mask",
    "filter", "feFlood", "feComposite", "feOffset", "feGaussianBlur", "feBlend",
    "feMerge", "feMergeNode", "feColorMatrix"};

typedef struct {
    const char *s;
    size_t len;
    size_t pos;
    FILE *out;
    const char *prefix;
    const char *label;
    int seen_root;
    int depth;
    hc_error *err;
    size_t *open;      /* source offsets of the open elements' names */
    size_t cap_open;
    char **ids;        /* ids written so far (gnuplot repeats some) */
    size_t n_ids, cap_ids;
    int nomem;
} svg_scan;

static hc_status refuse(svg_scan *sc, const char *what, const char *detail, size_t dlen)
{
    if (dlen > 60)
        dlen = 60;
    return hc_error_set(sc->err, HC_EDATA, NULL, 0, 0,
                        "SVG not inlined: %s%s%.*s%s at byte %zu", what,
                        dlen ? " '" : "", (int)dlen, detail ? detail : "",
                        dlen ? "'" : "", sc->pos);
}

static int starts_with(const svg_scan *sc, const char *lit)
{
    size_t n = strlen(lit);
    return sc->len - sc->pos >= n && memcmp(sc->s + sc->pos, lit, n) == 0;
}

/* Skips past the terminator `end` (e.g. "-->"); -1 when absent. */
static int skip_past(svg_scan *sc, const char *end)
{
    size_t n = strlen(end);
    for (size_t i = sc->pos; i + n <= sc->len; i++)
        if (memcmp(sc->s + i, end, n) == 0) {
            sc->pos = i + n;
            return 0;
        }
    return -1;
}

static int is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == ':' || c == '.';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int element_allowed(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof allowed_elements / sizeof allowed_elements[0]; i++)
        if (strlen(allowed_elements[i]) == n && memcmp(allowed_elements[i], name, n) == 0)
            return 1;
    return 0;
}

/* Writes an attribute value, prefixing every url(#x); refuses url( that
 * is not a #reference and a '<' (not allowed in XML attribute values). */
static hc_status write_value(svg_scan *sc, const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '<')
            return refuse(sc, "'<' in an attribute value", NULL, 0);
        if (n - i >= 4 && strncasecmp(v + i, "url(", 4) == 0) {
            size_t j = i + 4;
            while (j < n && is_space(v[j]))
                j++;
            char q = 0;
            if (j < n && (v[j] == '\'' || v[j] == '"'))
                q = v[j++];
            if (j >= n || v[j] != '#')
                return refuse(sc, "a url() that is not a #reference", v + i, n - i);
            fputs("url(", sc->out);
            if (q)
                putc(q, sc->out);
            putc('#', sc->out);
            fputs(sc->prefix, sc->out);
            i = j; /* the '#' is written above; go on after it */
            continue;
        }
        putc(v[i], sc->out);
    }
    return HC_OK;
}

/* How often the id v (n bytes) was seen before; records this sighting. */
static size_t id_seen(svg_scan *sc, const char *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < sc->n_ids; i++)
        if (strlen(sc->ids[i]) == n && memcmp(sc->ids[i], v, n) == 0)
            k++;
    if (sc->n_ids == sc->cap_ids) {
        size_t cap = sc->cap_ids ? 2 * sc->cap_ids : 64;
        char **bigger = realloc(sc->ids, cap * sizeof *bigger);
        if (!bigger) {
            sc->nomem = 1;
            return k;
        }
        sc->ids = bigger;
        sc->cap_ids = cap;
    }
    char *copy = strndup(v, n);
    if (!copy) {
        sc->nomem = 1;
        return k;
    }
    sc->ids[sc->n_ids++] = copy;
    return k;
}

/* Parses and writes one start tag (sc->pos at '<'). */
static hc_status start_tag(svg_scan *sc)
{
    const char *s = sc->s;
    size_t p = sc->pos + 1, name0 = p;
    while (p < sc->len && is_name_char(s[p]))
        p++;
    size_t nlen = p - name0;
    if (nlen == 0)
        return refuse(sc, "malformed tag", NULL, 0);
    if (!element_allowed(s + name0, nlen))
        return refuse(sc, "element", s + name0, nlen);
    int root = !sc->seen_root;
    if (root && !(nlen == 3 && memcmp(s + name0, "svg", 3) == 0))
        return refuse(sc, "the root element is not svg", NULL, 0);
    sc->seen_root = 1;
    fputc('<', sc->out);
    fwrite(s + name0, 1, nlen, sc->out);
    for (;;) {
        while (p < sc->len && is_space(s[p]))
            p++;
        if (p >= sc->len)
            return refuse(sc, "unterminated tag", NULL, 0);
        if (s[p] == '>' || (s[p] == '/' && p + 1 < sc->len && s[p + 1] == '>'))
            break;
        size_t a0 = p;
        while (p < sc->len && is_name_char(s[p]))
            p++;
        size_t alen = p - a0;
        if (alen == 0)
            return refuse(sc, "malformed attribute", NULL, 0);
        while (p < sc->len && is_space(s[p]))
            p++;
        if (p >= sc->len || s[p] != '=')
            return refuse(sc, "attribute without a value", s + a0, alen);
        p++;
        while (p < sc->len && is_space(s[p]))
            p++;
        if (p >= sc->len || (s[p] != '"' && s[p] != '\''))
            return refuse(sc, "unquoted attribute value", s + a0, alen);
        char q = s[p++];
        size_t v0 = p;
        while (p < sc->len && s[p] != q)
            p++;
        if (p >= sc->len)
            return refuse(sc, "unterminated attribute value", s + a0, alen);
        size_t vlen = p - v0;
        p++; /* closing quote */
        const char *an = s + a0, *v = s + v0;
        if (alen >= 2 && strncasecmp(an, "on", 2) == 0)
            return refuse(sc, "event handler attribute", an, alen);
        if ((alen == 5 && memcmp(an, "xmlns", 5) == 0) ||
            (alen > 6 && memcmp(an, "xmlns:", 6) == 0))
            continue; /* namespace declarations: implied in HTML */
        int is_href = (alen == 4 && memcmp(an, "href", 4) == 0) ||
                      (alen == 10 && memcmp(an, "xlink:href", 10) == 0);
        int is_id = alen == 2 && memcmp(an, "id", 2) == 0;
        if (memchr(an, ':', alen) && !is_href && !(alen > 4 && memcmp(an, "xml:", 4) == 0))
            return refuse(sc, "namespaced attribute", an, alen);
        fputc(' ', sc->out);
        if (is_href) {
            if (vlen < 2 || v[0] != '#')
                return refuse(sc, "a link that is not a #reference", v, vlen);
            fprintf(sc->out, "href=%c#%s", q, sc->prefix);
            fwrite(v + 1, 1, vlen - 1, sc->out);
            fputc(q, sc->out);
            continue;
        }
        fwrite(an, 1, alen, sc->out);
        fputc('=', sc->out);
        fputc(q, sc->out);
        if (is_id) {
            /* gnuplot writes the same id on a plot and on its key entry; a
             * repeat gets a suffix no gnuplot id has, so ids stay unique
             * (references keep pointing at the first, as browsers do). */
            fputs(sc->prefix, sc->out);
            size_t seen = id_seen(sc, v, vlen);
            hc_status st = write_value(sc, v, vlen);
            if (st != HC_OK)
                return st;
            if (seen)
                fprintf(sc->out, ".dup%zu", seen);
            fputc(q, sc->out);
            continue;
        }
        hc_status st = write_value(sc, v, vlen);
        if (st != HC_OK)
            return st;
        fputc(q, sc->out);
    }
    if (root && sc->label) {
        fputs(" role=\"img\" aria-label=\"", sc->out);
        hc_html_escape(sc->out, sc->label);
        fputc('"', sc->out);
    }
    if (s[p] == '/') {
        fputs("/>", sc->out);
        p += 2;
    } else {
        fputc('>', sc->out);
        p++;
        if ((size_t)sc->depth == sc->cap_open) {
            size_t cap = sc->cap_open ? 2 * sc->cap_open : 32;
            size_t *bigger = realloc(sc->open, cap * sizeof *bigger);
            if (!bigger) {
                sc->nomem = 1;
                return hc_error_nomem(sc->err);
            }
            sc->open = bigger;
            sc->cap_open = cap;
        }
        sc->open[sc->depth++] = name0;
    }
    sc->pos = p;
    return HC_OK;
}

/* Length of the element name at source offset `at`. */
static size_t name_len(const svg_scan *sc, size_t at)
{
    size_t n = 0;
    while (at + n < sc->len && is_name_char(sc->s[at + n]))
        n++;
    return n;
}

static hc_status end_tag(svg_scan *sc)
{
    const char *s = sc->s;
    size_t p = sc->pos + 2, name0 = p;
    while (p < sc->len && is_name_char(s[p]))
        p++;
    size_t nlen = p - name0;
    while (p < sc->len && is_space(s[p]))
        p++;
    if (nlen == 0 || p >= sc->len || s[p] != '>')
        return refuse(sc, "malformed end tag", NULL, 0);
    if (!element_allowed(s + name0, nlen))
        return refuse(sc, "element", s + name0, nlen);
    if (sc->depth == 0)
        return refuse(sc, "end tag without a start tag", s + name0, nlen);
    size_t top = sc->open[sc->depth - 1];
    if (name_len(sc, top) != nlen || memcmp(s + top, s + name0, nlen) != 0)
        return refuse(sc, "end tag does not match its start tag", s + name0, nlen);
    sc->depth--;
    fwrite(s + sc->pos, 1, p + 1 - sc->pos, sc->out);
    sc->pos = p + 1;
    return HC_OK;
}

/* Text between tags: copied; an '&' must start an entity reference. */
static hc_status text(svg_scan *sc)
{
    size_t p = sc->pos;
    while (p < sc->len && sc->s[p] != '<') {
        if (sc->s[p] == '&') {
            size_t q = p + 1;
            while (q < sc->len && q - p < 12 && (is_name_char(sc->s[q]) || sc->s[q] == '#'))
                q++;
            if (q >= sc->len || sc->s[q] != ';' || q == p + 1)
                return refuse(sc, "a bare '&' in text", NULL, 0);
        }
        p++;
    }
    if (sc->seen_root)
        fwrite(sc->s + sc->pos, 1, p - sc->pos, sc->out);
    else
        for (size_t i = sc->pos; i < p; i++)
            if (!is_space(sc->s[i]))
                return refuse(sc, "text before the svg element", NULL, 0);
    sc->pos = p;
    return HC_OK;
}

static hc_status scan(svg_scan *sc)
{
    while (sc->pos < sc->len) {
        hc_status st;
        if (sc->seen_root && sc->depth == 0) {
            /* After the root: only white space, comments and PIs. */
            if (is_space(sc->s[sc->pos])) {
                sc->pos++;
                continue;
            }
            if (starts_with(sc, "<!--")) {
                if (skip_past(sc, "-->") != 0)
                    return refuse(sc, "unterminated comment", NULL, 0);
                continue;
            }
            return refuse(sc, "content after the svg element", NULL, 0);
        }
        if (sc->s[sc->pos] != '<') {
            if ((st = text(sc)) != HC_OK)
                return st;
            continue;
        }
        if (starts_with(sc, "<!--")) {
            if (skip_past(sc, "-->") != 0)
                return refuse(sc, "unterminated comment", NULL, 0);
        } else if (starts_with(sc, "<?")) {
            if (skip_past(sc, "?>") != 0)
                return refuse(sc, "unterminated processing instruction", NULL, 0);
        } else if (starts_with(sc, "<!DOCTYPE") && !sc->seen_root) {
            /* An internal subset could declare entities: refuse it. */
            size_t e = sc->pos;
            while (e < sc->len && sc->s[e] != '>' && sc->s[e] != '[')
                e++;
            if (e >= sc->len || sc->s[e] == '[')
                return refuse(sc, "a DOCTYPE with an internal subset", NULL, 0);
            sc->pos = e + 1;
        } else if (starts_with(sc, "<!")) {
            return refuse(sc, "markup declaration or CDATA section", NULL, 0);
        } else if (starts_with(sc, "</")) {
            if ((st = end_tag(sc)) != HC_OK)
                return st;
        } else if ((st = start_tag(sc)) != HC_OK) {
            return st;
        }
    }
    if (!sc->seen_root)
        return refuse(sc, "no svg element", NULL, 0);
    if (sc->depth != 0)
        return refuse(sc, "unclosed elements at the end", NULL, 0);
    return HC_OK;
}

hc_status hc_html_inline_svg(FILE *f, const char *svg, size_t len,
                             const char *prefix, const char *label,
                             hc_error *err)
{
    if (!prefix || !((prefix[0] >= 'a' && prefix[0] <= 'z') ||
                     (prefix[0] >= 'A' && prefix[0] <= 'Z')))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "SVG id prefix must start with a letter");
    for (const char *c = prefix; *c; c++)
        if (!is_name_char(*c) || *c == ':' || *c == '.')
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "SVG id prefix '%s' may hold only letters, digits, - and _",
                                prefix);
    if (!svg)
        len = 0;
    if (memchr(svg ? svg : "", '\0', len))
        return hc_error_set(err, HC_EDATA, NULL, 0, 0, "SVG not inlined: a NUL byte");
    /* Build in memory so that nothing is written when the image is refused. */
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *mem = open_memstream(&buf, &buf_len);
    if (!mem)
        return hc_error_nomem(err);
    svg_scan sc = {.s = svg, .len = len, .out = mem, .prefix = prefix, .label = label,
                   .err = err};
    hc_status st = scan(&sc);
    if ((fclose(mem) != 0 || sc.nomem) && st == HC_OK)
        st = hc_error_nomem(err);
    for (size_t i = 0; i < sc.n_ids; i++)
        free(sc.ids[i]);
    free(sc.ids);
    free(sc.open);
    if (st == HC_OK)
        fwrite(buf, 1, buf_len, f);
    free(buf);
    return st;
}
