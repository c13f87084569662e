/* hc_html.h - escaping data for HTML and inlining gnuplot SVG into a self-contained page (layer: output).
 *
 * Every string that came from data (segment, column, component, band and
 * config names, account ids, file names) reaches a report page through
 * hc_html_escape, which makes it inert both as element text and inside a
 * quoted attribute value (the five characters & < > " ' are the ones the
 * HTML Living Standard and OWASP's XSS prevention cheat sheet, rule #1 and
 * #2, require to be encoded in those two contexts).
 *
 * Plots are inlined as SVG so that the page needs no other file and makes
 * no request. gnuplot's SVG terminal gives every image the same element ids
 * (gnuplot_canvas, gpPt0, ...) and starts with an <?xml ...?> prolog, so
 * hc_html_inline_svg rewrites each image: prolog, comments and namespace
 * declarations dropped, every id and every reference to one (href='#x',
 * url(#x)) prefixed, and anything that could run code or fetch a resource
 * refused.
 */
#ifndef HC_HTML_H
#define HC_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"

/* Writes `s` to `f` escaped for HTML element text and for attribute values
 * in double or single quotes: & < > " ' become &amp; &lt; &gt; &quot;
 * &#39;. Bytes that are not well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF) and control characters other than
 * tab, line feed and carriage return (C0, DEL and C1, which HTML forbids in
 * text) are written as U+FFFD, the replacement character, so a name with
 * a stray byte still shows where it was damaged. NULL writes nothing.
 * Write errors are left in the stream for the caller to check. */
void hc_html_escape(FILE *f, const char *s);

/* The same into `dst` (size bytes, NUL-terminated when size > 0), like
 * snprintf: returns the length of the whole escaped text (excluding the
 * NUL); when that is >= size the text was cut at a character boundary
 * (never inside an entity or a UTF-8 sequence). NULL gives "". */
size_t hc_html_escape_buf(char *dst, size_t size, const char *s);

/* Writes the SVG document `svg` (len bytes, as gnuplot's svg terminal
 * writes it) to `f` as an <svg> element for inline use in an HTML page:
 *   - everything before the <svg> root (XML declaration, DOCTYPE,
 *     comments, white space) and every comment and processing instruction
 *     is dropped;
 *   - xmlns and xmlns:* attributes are dropped (the HTML parser puts <svg>
 *     in the SVG namespace by itself) and xlink:href is written as href
 *     (SVG 2), so the page holds no namespace URL and is also well-formed
 *     XML;
 *   - every id="x" becomes id="PREFIXx", and every reference to an id,
 *     href="#x" and url(#x) in any attribute, becomes #PREFIXx, so several
 *     images can share one page without their ids colliding;
 *   - `label` (may be NULL) is added to the root as role="img" and an
 *     escaped aria-label.
 * Only the SVG vocabulary gnuplot uses is accepted (svg, g, defs, title,
 * desc, shapes, text, use, symbol, marker, clipPath, pattern, gradients,
 * filters); an element outside it (script, foreignObject, image, style,
 * a, ...), an attribute named on* (an event handler), an href or url()
 * that is not a same-document #reference, a DOCTYPE or CDATA section in the
 * body, or malformed markup is refused with HC_EDATA and a message naming
 * the offending construct, and nothing is written. `prefix` must be a
 * non-empty string of ASCII letters, digits, '-' and '_' starting with a
 * letter (HC_EUSAGE otherwise). */
hc_status hc_html_inline_svg(FILE *f, const char *svg, size_t len,
                             const char *prefix, const char *label,
                             hc_error *err);

#endif
