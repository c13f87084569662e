/* report_html_cells.c - the pieces of index.html: escaped text, table cells and headings, sections, and the plots inlined as SVG figures. */
#include "report_html.h"
#include "hc_date.h"
#include "hc_format.h"
#include "hc_html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_rh_esc(FILE *f, const char *s)
{
    hc_html_escape(f, s);
}

void hc_rh_td_num(FILE *f, const char *fmt, double v)
{
    fputs("<td class=\"n\">", f);
    if (isfinite(v))
        fprintf(f, fmt, v);
    else
        fputs("&#8211;", f);
    fputs("</td>", f);
}

void hc_rh_td_count(FILE *f, size_t v)
{
    fprintf(f, "<td class=\"n\">%zu</td>", v);
}

void hc_rh_td_pct(FILE *f, double v)
{
    char b[512];
    fprintf(f, "<td class=\"n\">%s</td>", hc_format_percent(v, 1, b, sizeof b) ? b : "&#8211;");
}

void hc_rh_td_money(FILE *f, double v)
{
    char b[64];
    hc_format_money(v, b, sizeof b);
    hc_rh_td_n(f, b);
}

void hc_rh_td_n(FILE *f, const char *text)
{
    fprintf(f, "<td class=\"n\">%s</td>", text);
}

void hc_rh_td_text(FILE *f, const char *s)
{
    fputs("<td>", f);
    hc_rh_esc(f, s);
    fputs("</td>", f);
}

void hc_rh_td_ci(FILE *f, double v, double lo, double hi, int decimals)
{
    char b[1024];
    fprintf(f, "<td class=\"n\">%s</td>",
            hc_format_interval(v, lo, hi, decimals, b, sizeof b) ? b : "&#8211;");
}

void hc_rh_th_row(FILE *f, const char *const *cols, size_t n)
{
    fputs("<thead><tr>", f);
    for (size_t i = 0; i < n; i++) {
        if (cols[i][0] == '#')
            fprintf(f, "<th class=\"n\">%s</th>", cols[i] + 1);
        else
            fprintf(f, "<th>%s</th>", cols[i]);
    }
    fputs("</tr></thead>\n", f);
}

void hc_rh_date(FILE *f, int32_t d)
{
    char b[11];
    hc_date_format(d, b);
    fputs(b, f);
}

void hc_rh_section_open(const hc_rh_page *pg, hc_report_section_id id)
{
    const hc_report_section *s = &pg->doc->sections[id];
    fprintf(pg->f, "<section id=\"%s\">\n<h2>%s</h2>\n", s->anchor, s->heading);
}

/* ---- figures ---- */

static const hc_plot_result *find_plot(const hc_report_plots *plots, const char *name)
{
    const hc_plot_summary *s = &plots->summary;
    for (size_t i = 0; i < s->n_plots && i < HC_PLOT_COUNT; i++)
        if (s->plots[i].name && strcmp(s->plots[i].name, name) == 0)
            return &s->plots[i];
    return NULL;
}

/* Reads a whole file; NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (n < cap) {
            if (ferror(in)) {
                free(buf);
                buf = NULL;
            }
            break;
        }
        char *bigger = cap < ((size_t)64 << 20) ? realloc(buf, cap * 2) : NULL;
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(in);
    *len = n;
    return buf;
}


static void figure(const hc_rh_page *pg, const hc_report_figure *g)
{
    FILE *f = pg->f;
    const char *plots_dir = pg->plots_dir, *name = g->name, *data_file = g->data_file;
    const char *caption = g->caption;
    fprintf(f, "<figure id=\"fig-%s\">\n", name);
    const hc_plot_result *p = find_plot(pg->plots, name);
    int shown = 0;
    if (!pg->plots->available) {
        fputs("<p class=\"missing\">Plot not drawn: ", f);
        hc_rh_esc(f, pg->plots->why);
        fputs(".</p>\n", f);
    } else if (!p || p->state != HC_PLOT_DRAWN) {
        fputs("<p class=\"missing\">Plot not drawn: ", f);
        hc_rh_esc(f, p ? p->reason : "it was not attempted");
        fputs(".</p>\n", f);
    } else if (plots_dir) {
        char path[4096];
        size_t len = 0;
        char *svg = NULL;
        int w = snprintf(path, sizeof path, "%s/%s.svg", plots_dir, name);
        if (w > 0 && (size_t)w < sizeof path)
            svg = slurp(path, &len);
        char prefix[64];
        snprintf(prefix, sizeof prefix, "p-%s-", name);
        hc_error err;
        hc_error_clear(&err);
        if (!svg) {
            fprintf(f, "<p class=\"missing\">Plot not shown: plots/%s.svg cannot be read</p>\n",
                    name);
        } else if (hc_html_inline_svg(f, svg, len, prefix, caption, &err) != HC_OK) {
            fprintf(f, "<p class=\"missing\">Plot plots/%s.svg not shown: ", name);
            hc_rh_esc(f, err.message);
            fputs("</p>\n", f);
        } else {
            shown = 1;
            fputc('\n', f);
        }
        free(svg);
    }
    if (g->takeaway[0]) {
        fputs("<p class=\"takeaway\">", f);
        hc_rh_esc(f, g->takeaway);
        fputs("</p>\n", f);
    }
    fputs("<figcaption>", f);
    hc_rh_esc(f, caption);
    fprintf(f, " The numbers are in <code>data/%s</code>", data_file);
    if (shown)
        fprintf(f, "; the image also as <code>plots/%s.svg</code> and <code>.png</code>",
                name);
    fputs(".</figcaption>\n</figure>\n", f);
}

void hc_rh_figures(const hc_rh_page *pg, hc_report_section_id id)
{
    const hc_report_section *s = &pg->doc->sections[id];
    for (size_t i = 0; i < s->n_figures; i++)
        figure(pg, &pg->doc->figures[s->first_figure + i]);
}
