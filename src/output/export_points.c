/* export_points.c - the config as a points scorecard: weights in whole points, per-metric point grids, bands as grades. */
#include "hc_export.h"
#include "hc_csv.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRID_STEPS 4 /* five evenly spaced values: 0, 25, 50, 75, 100 % */

/* Whole points summing to `total` in proportion to w[0..n) (which sum to
 * 1 within HC_WEIGHT_SUM_TOL): Hamilton's largest-remainder method, ties
 * going to the earlier entry. */
static void hamilton(const double *w, size_t n, int total, int *pts, double *frac)
{
    int sum = 0;
    for (size_t k = 0; k < n; k++) {
        double q = w[k] * total;
        double f = floor(q + 1e-9); /* 0.29 * 100 is 28.999...: count it 29 */
        pts[k] = (int)f;
        frac[k] = q - f;
        sum += pts[k];
    }
    while (sum < total) {
        size_t best = 0;
        for (size_t k = 1; k < n; k++)
            if (frac[k] > frac[best])
                best = k;
        pts[best]++;
        frac[best] = -1;
        sum++;
    }
}

/* A band name is a grade letter: A-F, either case, optionally + or -. */
static int is_grade(const char *s)
{
    char c = (char)toupper((unsigned char)s[0]);
    if (c < 'A' || c > 'F')
        return 0;
    return s[1] == '\0' || ((s[1] == '+' || s[1] == '-') && s[2] == '\0');
}

static void cell_text(FILE *f, const char *s)
{
    if (s)
        hc_csv_write_text(f, s);
}

/* table,segment,component,metric,value,sub_score,points,band,grade */
static void row(FILE *f, const char *table, const char *segment, const char *comp,
                const char *metric, double value, double sub, double points,
                const char *band, const char *grade)
{
    cell_text(f, table);
    putc(',', f);
    cell_text(f, segment);
    putc(',', f);
    cell_text(f, comp);
    putc(',', f);
    cell_text(f, metric);
    putc(',', f);
    hc_csv_write_num(f, value);
    putc(',', f);
    hc_csv_write_num(f, sub);
    putc(',', f);
    hc_csv_write_num(f, points);
    putc(',', f);
    cell_text(f, band);
    putc(',', f);
    cell_text(f, grade);
    putc('\n', f);
}

/* The metric values of a grid: *n values written to x (room for
 * HC_QUANTILE_CUTS + GRID_STEPS + 1). */
static void grid_values(const hc_transform *tf, double *x, size_t *n)
{
    *n = 0;
    switch (tf->type) {
    case HC_TF_PIECEWISE:
        for (size_t j = 0; j < tf->n_points; j++)
            x[(*n)++] = tf->px[j];
        return;
    case HC_TF_QUANTILE:
        /* the 1st percentile, the deciles, the 99th */
        for (size_t j = 0; j <= 10 && tf->cuts; j++) {
            size_t i = j == 0 ? 0 : j == 10 ? HC_QUANTILE_CUTS - 1 : 10 * j - 1;
            if (*n == 0 || tf->cuts[i] != x[*n - 1])
                x[(*n)++] = tf->cuts[i];
        }
        return;
    case HC_TF_LINEAR:
        for (int i = 0; i <= GRID_STEPS; i++)
            x[(*n)++] = tf->low + (tf->high - tf->low) * i / GRID_STEPS;
        return;
    case HC_TF_LOG: {
        /* values whose log1p is evenly spaced: sub-scores 0, 25, ... 100 */
        double a = log1p(tf->low), b = log1p(tf->high);
        for (int i = 0; i <= GRID_STEPS; i++)
            x[(*n)++] = i == 0 ? tf->low : i == GRID_STEPS ? tf->high
                                                            : expm1(a + (b - a) * i / GRID_STEPS);
        return;
    }
    case HC_TF_IDENTITY:
        for (int i = 0; i <= GRID_STEPS; i++)
            x[(*n)++] = 100.0 * i / GRID_STEPS;
        return;
    case HC_TF_CATEGORICAL:
        /* Text levels have no numeric grid; their scores are the config's
         * transform.levels (issue 15, helper cat). */
        return;
    }
}

hc_status hc_export_points_write(FILE *f, const hc_model *m, hc_error *err)
{
    size_t K = m->n_components;
    if (K == 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components: needs at least one component");
    for (size_t k = 0; k < K; k++) /* a scorecard has no calendar (model_seasonal.c) */
        for (size_t j = 0; j < m->components[k].n_metrics; j++)
            if (m->components[k].metrics[j].seasonal)
                return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].seasonal: the points "
                                    "scorecard does not apply seasonal adjustments (column "
                                    "'%s'); score with healthcal predict", k, j,
                                    m->components[k].metrics[j].column);
    int *pts = malloc(K * sizeof *pts);
    double *frac = malloc(K * sizeof *frac), *w = malloc(K * sizeof *w);
    double *x = malloc((HC_QUANTILE_CUTS + GRID_STEPS + 1) * sizeof *x);
    if (!pts || !frac || !w || !x) {
        free(pts);
        free(frac);
        free(w);
        free(x);
        return hc_error_nomem(err);
    }
    fputs("table,segment,component,metric,value,sub_score,points,band,grade\n", f);
    /* weights: top level, then each segment that overrides them */
    for (size_t s = 0; s <= m->n_segments; s++) {
        const hc_segment *sg = s ? &m->segments[s - 1] : NULL;
        if (sg && !sg->weights)
            continue;
        hc_model_weights_for(m, (int)s - 1, w);
        hamilton(w, K, 100, pts, frac);
        for (size_t k = 0; k < K; k++)
            row(f, "weights", sg ? sg->value : NULL, m->components[k].name, NULL, w[k],
                NAN, pts[k], NULL, NULL);
    }
    /* grids, in the top-level points */
    hc_model_weights_for(m, -1, w);
    hamilton(w, K, 100, pts, frac);
    for (size_t k = 0; k < K; k++) {
        const hc_component *cp = &m->components[k];
        double vsum = 0;
        for (size_t j = 0; j < cp->n_metrics; j++)
            vsum += cp->metrics[j].weight;
        for (size_t j = 0; j < cp->n_metrics; j++) {
            const hc_metric *mt = &cp->metrics[j];
            double share = mt->weight / vsum;
            size_t n;
            grid_values(&mt->transform, x, &n);
            for (size_t i = 0; i < n; i++) {
                double sub = hc_transform_apply(&mt->transform, x[i]);
                row(f, "grid", NULL, cp->name, mt->column, x[i], sub,
                    pts[k] * share * sub / 100.0, NULL, NULL);
            }
        }
    }
    /* bands: health is on 0-100, so the lower bound is the same in points */
    int graded = m->n_bands > 0;
    for (size_t b = 0; b < m->n_bands; b++)
        graded &= is_grade(m->bands[b].name);
    for (size_t b = 0; b < m->n_bands; b++)
        row(f, "band", NULL, NULL, NULL, m->bands[b].min, NAN, m->bands[b].min,
            m->bands[b].name, graded ? m->bands[b].name : NULL);
    free(pts);
    free(frac);
    free(w);
    free(x);
    return HC_OK;
}
