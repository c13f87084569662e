/* fit_design.c - the fit's design: the sub-scores and outcomes of the complete observation rows. */
#include "fit_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void hc_fit_design_release(hc_fit_design *d)
{
    if (d->borrowed)
        return;
    for (size_t c = 0; d->own && c < d->k; c++)
        free(d->own[c]);
    free(d->own);
    free(d->col);
    free(d->churn);
    free(d->expansion);
    free(d->cluster);
    free(d->segment);
}

static int row_kept(const uint64_t *keep, size_t i)
{
    return (int)(keep[i / 64] >> (i % 64) & 1);
}

/* Marks in `keep` (one bit per row i < n, zeroed) the rows the fit uses:
 * the observations (every row when `rows` is given) whose sub-scores are
 * all finite. Counts in *incomplete those left out for a missing one;
 * returns the number kept. */
static size_t mark_complete(const hc_fit_design *d, const hc_history *h,
                            const size_t *rows, size_t n, uint64_t *keep,
                            size_t *incomplete)
{
    size_t kept = 0;
    *incomplete = 0;
    for (size_t i = 0; i < n; i++) {
        if (!rows && h->labels.status[i] != HC_ROW_OBSERVATION)
            continue; /* scored in passing: the table is read in order */
        int complete = 1;
        for (size_t c = 0; c < d->k; c++)
            complete &= isfinite(d->own[c][i]) != 0;
        if (!complete) {
            (*incomplete)++;
            continue;
        }
        keep[i / 64] |= (uint64_t)1 << (i % 64);
        kept++;
    }
    return kept;
}

/* Moves the kept rows of one component's n sub-scores to the front, in
 * place (the write index never passes the read index), and gives the rest
 * of the array back before the outcomes are allocated. */
static void compact(double **v, const uint64_t *keep, size_t n, size_t kept)
{
    if (kept == n)
        return;
    double *a = *v;
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (row_kept(keep, i))
            a[o++] = a[i];
    double *shrunk = realloc(a, (kept ? kept : 1) * sizeof *a);
    if (shrunk)
        *v = shrunk; /* a failed shrink leaves the larger array, still valid */
}

/* The outcomes, account and segment of the kept rows, in arrays of the
 * kept rows' size allocated only now, after the sub-scores are compacted. */
static hc_status fill_outcomes(hc_fit_design *d, const hc_history *h,
                               const size_t *rows, size_t n,
                               const uint64_t *keep, size_t kept,
                               const hc_fit_options *opt, hc_error *err)
{
    const hc_snapshots *s = &h->snapshots;
    size_t m1 = kept ? kept : 1;
    d->churn = malloc(m1 * sizeof *d->churn);
    d->expansion = opt->expansion ? malloc(m1 * sizeof *d->expansion) : NULL;
    d->cluster = malloc(m1 * sizeof *d->cluster);
    d->segment = opt->segments ? malloc(m1 * sizeof *d->segment) : NULL;
    if (!d->churn || (opt->expansion && !d->expansion) || !d->cluster ||
        (opt->segments && !d->segment))
        return hc_error_nomem(err);
    const int32_t *ids = s->table->cols[s->id_col].code;
    d->cluster_name = s->table->cols[s->id_col].name;
    const int32_t *seg = s->segment_col >= 0 ? s->table->cols[s->segment_col].code : NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (!row_kept(keep, i))
            continue;
        size_t r = rows ? rows[i] : i;
        d->churn[o] = h->labels.churn[r];
        if (d->expansion)
            d->expansion[o] = h->labels.expansion[r];
        d->cluster[o] = ids[r];
        if (d->segment)
            d->segment[o] = seg ? seg[r] : -1;
        o++;
    }
    return HC_OK;
}

hc_status hc_fit_design_build(const hc_model *m, const hc_history *h,
                              const size_t *rows, size_t n,
                              const hc_fit_options *opt, hc_fit_design *d,
                              size_t *incomplete, hc_error *err)
{
    size_t k = m->n_components, m1 = n ? n : 1;
    memset(d, 0, sizeof *d);
    d->k = k;
    d->own = calloc(k, sizeof *d->own);
    d->col = malloc(k * sizeof *d->col);
    uint64_t *keep = calloc(m1 / 64 + 1, sizeof *keep);
    hc_status st = HC_OK;
    if (!d->own || !d->col || !keep)
        st = hc_error_nomem(err);
    /* Component by component on two threads, into arrays of the design's
     * own: the caller's table is only read. */
    for (size_t c = 0; c < k && st == HC_OK; c++) {
        if (!(d->own[c] = malloc(m1 * sizeof **d->own)))
            st = hc_error_nomem(err);
        if (st == HC_OK)
            st = hc_model_score_component(m, c, h->snapshots.table, rows, 0, n, 2,
                                          d->own[c], err);
    }
    size_t kept = 0;
    if (st == HC_OK) {
        kept = mark_complete(d, h, rows, n, keep, incomplete);
        for (size_t c = 0; c < k; c++)
            compact(&d->own[c], keep, n, kept);
        st = fill_outcomes(d, h, rows, n, keep, kept, opt, err);
    }
    free(keep);
    if (st != HC_OK) {
        hc_fit_design_release(d);
        memset(d, 0, sizeof *d);
        return st;
    }
    for (size_t c = 0; c < k; c++)
        d->col[c] = d->own[c];
    d->n = kept;
    return HC_OK;
}
