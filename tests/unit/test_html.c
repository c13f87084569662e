/* test_html.c - HTML escaping of data strings and inlining gnuplot SVG safely. */
#include "test_util.h"

#include "hc_error.h"
#include "hc_html.h"

/* ---- helpers ---- */

/* Runs hc_html_escape into memory and returns the text (caller frees). */
static char *escape_stream(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_html_escape(f, s);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void expect_escape(const char *s, const char *want)
{
    char *got = escape_stream(s);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "escape(%s) = [%s], expected [%s]\n", s ? s : "NULL", got, want);
        free(got);
        fail();
    }
    /* The buffer form agrees with the stream form. */
    size_t n = hc_html_escape_buf(NULL, 0, s);
    assert_int_equal(n, strlen(want));
    char *b = malloc(n + 1);
    assert_non_null(b);
    assert_int_equal(hc_html_escape_buf(b, n + 1, s), n);
    assert_string_equal(b, want);
    free(b);
    free(got);
}

/* Inlines `svg`; returns the output (caller frees) and the status. */
static char *inline_svg(const char *svg, const char *prefix, const char *label,
                        hc_status *st, hc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_error_clear(err);
    *st = hc_html_inline_svg(f, svg, strlen(svg), prefix, label, err);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t k = 0, n = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + n, needle))
        k++;
    return k;
}

/* ---- escaping ---- */

/* Expected strings follow the rule in hc_html.h (the five characters of
 * OWASP's XSS cheat sheet rules #1-#2 as named or decimal references).
 * Each expected text also unescapes back to its input with Python's HTML5
 * unescaper (reference: tests/reference/html_escape.py, run as
 * `/usr/bin/python3 tests/reference/html_escape.py`, prints "ok" for every case
 * whose input is valid UTF-8 without control characters). */
static void test_escape_specials(void **state)
{
    (void)state;
    expect_escape("plain segment", "plain segment");
    expect_escape("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;");
    expect_escape("a & b", "a &amp; b");
    expect_escape("\"q\" 'a'", "&quot;q&quot; &#39;a&#39;");
    expect_escape("`touch /tmp/pwned`", "`touch /tmp/pwned`");
    expect_escape("system(\"id\")", "system(&quot;id&quot;)");
    expect_escape("&lt;", "&amp;lt;"); /* already-escaped text is escaped again */
    expect_escape("", "");
    expect_escape(NULL, "");
}

static void test_escape_utf8(void **state)
{
    (void)state;
    /* Well-formed UTF-8 passes through: e-acute (2 bytes), euro (3), an
     * emoji (4 bytes, U+1F600). */
    expect_escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
    /* Malformed sequences become U+FFFD, one per offending byte (RFC 3629):
     * a lone continuation byte, an overlong '/' (C0 AF), a UTF-16
     * surrogate (ED A0 80), a truncated sequence at the end, F5 (beyond
     * U+10FFFF). */
    expect_escape("a\x80z", "a\xEF\xBF\xBDz");
    expect_escape("\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escape("\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escape("ok\xE2\x82", "ok\xEF\xBF\xBD\xEF\xBF\xBD");
    expect_escape("\xF5\x80\x80\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_escape_controls(void **state)
{
    (void)state;
    /* Tab, LF and CR are kept; other C0 controls, DEL and C1 controls
     * (U+0085 is C2 85) are replaced, as HTML forbids them in text. */
    expect_escape("a\tb\nc\rd", "a\tb\nc\rd");
    expect_escape("x\x01y\x1Bz", "x\xEF\xBF\xBDy\xEF\xBF\xBDz");
    expect_escape("del\x7F", "del\xEF\xBF\xBD");
    expect_escape("nel\xC2\x85", "nel\xEF\xBF\xBD");
    /* U+00A0 (C2 A0), just above the C1 range, is kept. */
    expect_escape("nb\xC2\xA0sp", "nb\xC2\xA0sp");
}

static void test_escape_buf_truncation(void **state)
{
    (void)state;
    char b[8];
    /* "a&lt;b" needs 6 bytes + NUL; with 4 bytes only "a" fits (the entity
     * is never cut), and the full length is still returned. */
    memset(b, 'X', sizeof b);
    assert_int_equal(hc_html_escape_buf(b, 4, "a<b"), 6);
    assert_string_equal(b, "a");
    /* A 2-byte character is never split either. */
    assert_int_equal(hc_html_escape_buf(b, 3, "x\xC3\xA9y"), 4);
    assert_string_equal(b, "x");
    assert_int_equal(hc_html_escape_buf(b, sizeof b, "x\xC3\xA9y"), 4);
    assert_string_equal(b, "x\xC3\xA9y");
    /* size 0 writes nothing (b stays as it was). */
    b[0] = 'Q';
    assert_int_equal(hc_html_escape_buf(b, 0, "<>"), 8);
    assert_int_equal(b[0], 'Q');
}

/* ---- SVG inlining ---- */

/* The shape of gnuplot 5.4's svg terminal output (term/svg.trm): prolog,
 * namespaces, a <defs> of point symbols referenced by xlink:href, a
 * pattern referenced by url(#...), and the same id on a plot and on its
 * key entry, which gnuplot writes twice. */
static const char gnuplot_like[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n"
    "<svg \n width=\"800\" height=\"500\"\n viewBox=\"0 0 800 500\"\n"
    " xmlns=\"http://www.w3.org/2000/svg\"\n"
    " xmlns:xlink=\"http://www.w3.org/1999/xlink\"\n>\n\n"
    "<title>Gnuplot</title>\n<desc>Produced by GNUPLOT 5.4 patchlevel 4 </desc>\n\n"
    "<g id=\"gnuplot_canvas\">\n"
    "<defs>\n\t<circle id='gpDot' r='0.5' stroke-width='0.5' stroke='currentColor'/>\n"
    "\t<path id='gpPt0' stroke='currentColor' d='M-1,0 h2 M0,-1 v2'/>\n"
    "\t<use xlink:href='#gpPt0' id='gpPt1' fill='currentColor'/>\n"
    "\t<pattern id='gpPat1' patternUnits='userSpaceOnUse' x='0' y='0' width='8' height='8'>"
    "<path d='M0,0 L8,8' stroke='black'/></pattern>\n"
    "</defs>\n"
    "<!-- a comment -->\n"
    "\t<g id=\"gnuplot_plot_1\" ><title>gnuplot_plot_1</title>\n"
    "\t<path fill = 'url(#gpPat1)' d='M0,0 L1,1'/>\n"
    "\t<use xlink:href='#gpPt1' transform='translate(10,10) scale(3.30)'/>\n"
    "\t<g transform=\"translate(5,5)\"><text>&lt;script>alert(1)&lt;/script> &amp; co</text></g>\n"
    "\t</g>\n"
    "\t<g id=\"gnuplot_plot_1\" ><title>gnuplot_plot_1</title>\n\t</g>\n"
    "</g>\n</svg>\n\n";

static void test_inline_gnuplot_svg(void **state)
{
    (void)state;
    hc_status st;
    hc_error err;
    char *out = inline_svg(gnuplot_like, "p-roc-", "ROC <curve> \"A\"", &st, &err);
    if (st != HC_OK)
        fprintf(stderr, "%s\n", err.message);
    assert_int_equal(st, HC_OK);
    /* prolog, comments and namespace URLs are gone */
    assert_null(strstr(out, "<?xml"));
    assert_null(strstr(out, "<!--"));
    assert_null(strstr(out, "http"));
    assert_null(strstr(out, "xmlns"));
    assert_null(strstr(out, "xlink"));
    assert_true(strncmp(out, "<svg", 4) == 0);
    /* every id and every reference is prefixed */
    assert_non_null(strstr(out, "id=\"p-roc-gnuplot_canvas\""));
    assert_non_null(strstr(out, "id='p-roc-gpPt0'"));
    assert_non_null(strstr(out, "href='#p-roc-gpPt0'"));
    assert_non_null(strstr(out, "href='#p-roc-gpPt1'"));
    assert_non_null(strstr(out, "fill='url(#p-roc-gpPat1)'"));
    assert_int_equal(count(out, "id=\"gnuplot"), 0);
    assert_int_equal(count(out, "id='gp"), 0);
    /* the repeated id is made unique; the first keeps its name */
    assert_int_equal(count(out, "id=\"p-roc-gnuplot_plot_1\""), 1);
    assert_int_equal(count(out, "id=\"p-roc-gnuplot_plot_1.dup1\""), 1);
    /* the label is escaped into the root's aria-label */
    assert_non_null(strstr(out, "role=\"img\" aria-label=\"ROC &lt;curve&gt; &quot;A&quot;\""));
    /* text content (escaped by gnuplot) is kept as it was */
    assert_non_null(strstr(out, "<text>&lt;script>alert(1)&lt;/script> &amp; co</text>"));
    assert_null(strstr(out, "<script"));
    /* the document ends with the root's end tag (trailing space dropped) */
    size_t n = strlen(out);
    assert_true(n >= 6 && strcmp(out + n - 6, "</svg>") == 0);
    free(out);
}

/* Two images with the same ids share a page without collisions. */
static void test_inline_two_prefixes(void **state)
{
    (void)state;
    hc_status st;
    hc_error err;
    char *a = inline_svg(gnuplot_like, "p-a-", NULL, &st, &err);
    assert_int_equal(st, HC_OK);
    char *b = inline_svg(gnuplot_like, "p-b-", NULL, &st, &err);
    assert_int_equal(st, HC_OK);
    assert_null(strstr(a, "aria-label"));
    assert_non_null(strstr(a, "id='p-a-gpPt0'"));
    assert_non_null(strstr(b, "id='p-b-gpPt0'"));
    assert_null(strstr(a, "p-b-"));
    assert_null(strstr(b, "p-a-"));
    free(a);
    free(b);
}

/* Each case is refused with HC_EDATA, and nothing at all is written. */
static void expect_refused(const char *svg, const char *why)
{
    hc_status st;
    hc_error err;
    char *out = inline_svg(svg, "p-", NULL, &st, &err);
    if (st != HC_EDATA || strstr(err.message, why) == NULL) {
        fprintf(stderr, "svg [%s]: status %d, message [%s], expected [%s]\n", svg, (int)st,
                err.message, why);
        free(out);
        fail();
    }
    assert_int_equal(strlen(out), 0);
    free(out);
}

static void test_inline_refuses_active_content(void **state)
{
    (void)state;
    expect_refused("<svg><script>alert(1)</script></svg>", "element 'script'");
    expect_refused("<svg><g onload='alert(1)'/></svg>", "event handler attribute 'onload'");
    expect_refused("<svg><g ONCLICK=\"x\"/></svg>", "event handler attribute");
    expect_refused("<svg><use href='http://evil.example/x.svg#a'/></svg>",
                   "a link that is not a #reference");
    expect_refused("<svg><use xlink:href='data:image/svg+xml,x'/></svg>",
                   "a link that is not a #reference");
    expect_refused("<svg><path fill='url(http://evil.example/p)'/></svg>",
                   "a url() that is not a #reference");
    expect_refused("<svg><path style='fill:URL( \"x.svg#a\")'/></svg>",
                   "a url() that is not a #reference");
    expect_refused("<svg><foreignObject><p>x</p></foreignObject></svg>",
                   "element 'foreignObject'");
    expect_refused("<svg><image href='#a'/></svg>", "element 'image'");
    expect_refused("<svg><style>@import 'x.css';</style></svg>", "element 'style'");
    expect_refused("<svg><a href='#x'><text>x</text></a></svg>", "element 'a'");
    expect_refused("<!DOCTYPE svg [<!ENTITY x 'y'>]><svg/>", "internal subset");
    expect_refused("<svg><![CDATA[<script>]]></svg>", "CDATA");
    expect_refused("<svg><text a:b='1'>x</text></svg>", "namespaced attribute");
}

static void test_inline_refuses_malformed(void **state)
{
    (void)state;
    expect_refused("", "no svg element");
    expect_refused("<?xml version='1.0'?>", "no svg element");
    expect_refused("hello <svg/>", "text before the svg element");
    expect_refused("<g/>", "the root element is not svg");
    expect_refused("<svg><g>", "unclosed elements");
    expect_refused("<svg></g></svg>", "end tag does not match its start tag");
    expect_refused("<svg><g><text>x</g></text></svg>", "end tag does not match");
    expect_refused("<svg><g x=1/></svg>", "unquoted attribute value");
    expect_refused("<svg><g x='1/></svg>", "unterminated");
    expect_refused("<svg><text>a & b</text></svg>", "a bare '&'");
    expect_refused("<svg><g title='a<b'/></svg>", "'<' in an attribute value");
    expect_refused("<svg/><svg/>", "content after the svg element");
    expect_refused("<svg><!-- open", "unterminated comment");
}

static void test_inline_prefix_rules(void **state)
{
    (void)state;
    hc_status st;
    hc_error err;
    char *out = inline_svg("<svg/>", "1p", NULL, &st, &err);
    assert_int_equal(st, HC_EUSAGE);
    free(out);
    out = inline_svg("<svg/>", "p x", NULL, &st, &err);
    assert_int_equal(st, HC_EUSAGE);
    free(out);
    out = inline_svg("<svg/>", "p\"x", NULL, &st, &err);
    assert_int_equal(st, HC_EUSAGE);
    free(out);
    out = inline_svg("<svg/>", "", NULL, &st, &err);
    assert_int_equal(st, HC_EUSAGE);
    free(out);
    out = inline_svg("<svg/>", "ok_1-", NULL, &st, &err);
    assert_int_equal(st, HC_OK);
    assert_string_equal(out, "<svg/>");
    free(out);
}

/* A NUL byte inside the given length is refused (len counts it). */
static void test_inline_nul(void **state)
{
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_html_inline_svg(f, "<svg>\0</svg>", 12, "p", NULL, &err), HC_EDATA);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(len, 0);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_specials),
        cmocka_unit_test(test_escape_utf8),
        cmocka_unit_test(test_escape_controls),
        cmocka_unit_test(test_escape_buf_truncation),
        cmocka_unit_test(test_inline_gnuplot_svg),
        cmocka_unit_test(test_inline_two_prefixes),
        cmocka_unit_test(test_inline_refuses_active_content),
        cmocka_unit_test(test_inline_refuses_malformed),
        cmocka_unit_test(test_inline_prefix_rules),
        cmocka_unit_test(test_inline_nul),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
