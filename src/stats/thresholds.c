/* thresholds.c - band cut points on the health score: sweep, objective for the red cut, monotone banding of the rest. */
#include "hc_sort.h"
#include "hc_thresholds.h"
#include "thresholds_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_threshold_options_init(hc_threshold_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->objective = HC_THRESHOLD_RECALL;
    opt->target = 0.5;
    opt->cost = 0.0;
    opt->save_rate = 0.3;
    opt->capacity = 0.0;
    opt->capacity_share = 0;
    opt->n_bands = 3;
    opt->min_band_share = 0.05;
    opt->grid = 0.5;
    opt->rule = HC_BANDS_EQUAL_SHARE;
}

void hc_threshold_result_release(hc_threshold_result *res)
{
    if (!res)
        return;
    free(res->sweep);
    free(res->cuts);
    free(res->bands);
    res->sweep = NULL;
    res->cuts = NULL;
    res->bands = NULL;
    res->n_points = 0;
    res->n_bands = 0;
}

typedef hc_thr_row row;

/* The search state. Boundaries are indexed 0..m+1: 0 is "below every row",
 * 1..m the candidate cuts, m+1 "above every row"; the band (a, b) holds the
 * rows with cut_a <= H < cut_b. Cumulative sums at boundary b count the
 * rows with H < cut_b. */
typedef struct {
    size_t m;          /* candidate cuts */
    size_t nb;         /* m + 2 boundaries */
    double *cut;       /* nb: cut[0] and cut[m+1] unused */
    uint64_t *cn;      /* rows below each boundary */
    uint64_t *cy;      /* churners below */
    double *ca;        /* ARR below */
    double *cya;       /* churned ARR below */
    uint64_t min_rows; /* smallest band allowed */
} grid_state;

static uint64_t band_n(const grid_state *g, size_t a, size_t b)
{
    return g->cn[b] - g->cn[a];
}

static uint64_t band_y(const grid_state *g, size_t a, size_t b)
{
    return g->cy[b] - g->cy[a];
}

static int band_valid(const grid_state *g, size_t a, size_t b)
{
    return band_n(g, a, b) >= g->min_rows;
}

/* Churn-rate comparison y1/n1 > y2/n2 done exactly in 64-bit integers
 * (n < 2^32 is checked on entry, so the products cannot overflow). */
static int rate_gt(uint64_t y1, uint64_t n1, uint64_t y2, uint64_t n2)
{
    return y1 * n2 > y2 * n1;
}

/* Band (a, b) has a strictly higher churn rate than band (c, d). */
static int band_rate_gt(const grid_state *g, size_t a, size_t b, size_t c,
                        size_t d)
{
    return rate_gt(band_y(g, a, b), band_n(g, a, b), band_y(g, c, d),
                   band_n(g, c, d));
}

static hc_status check_options(const hc_threshold_options *o, hc_error *err)
{
    if (o->n_bands < 2 || o->n_bands > HC_THRESHOLDS_MAX_BANDS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the number of bands must be 2 to %d, not %zu",
                            HC_THRESHOLDS_MAX_BANDS, o->n_bands);
    if (o->objective != HC_THRESHOLD_VALUE && o->objective != HC_THRESHOLD_CAPACITY &&
        !(o->target > 0.0 && o->target <= 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the threshold target %g is not in (0, 1]",
                            o->target);
    if (o->objective == HC_THRESHOLD_CAPACITY &&
        !(o->capacity_share ? o->capacity > 0.0 && o->capacity <= 1.0
                            : o->capacity >= 1.0 && isfinite(o->capacity)))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            o->capacity_share
                                ? "the capacity share %g is not in (0, 1]"
                                : "the capacity %g must be at least 1 account per "
                                  "scoring date",
                            o->capacity);
    if ((unsigned)o->objective > HC_THRESHOLD_CAPACITY)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "unknown threshold objective %d",
                            (int)o->objective);
    if ((unsigned)o->rule > HC_BANDS_LIKELIHOOD)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "unknown band rule %d", (int)o->rule);
    if (!(isfinite(o->cost) && o->cost >= 0.0) ||
        !(o->save_rate >= 0.0 && o->save_rate <= 1.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the intervention cost must be >= 0 and the save "
                            "rate in [0, 1] (have %g and %g)",
                            o->cost, o->save_rate);
    if (!(o->min_band_share >= 0.0 && o->min_band_share < 1.0) ||
        o->min_band_share * (double)o->n_bands > 1.0 + 1e-12)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "a minimum band share of %g is impossible with "
                            "%zu bands", o->min_band_share, o->n_bands);
    if (!(isfinite(o->grid) && o->grid >= 0.0))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the cut-point grid %g must be >= 0 (0 means "
                            "every distinct score)", o->grid);
    return HC_OK;
}

static hc_status check_data(const double *H, const double *y,
                            const double *arr, size_t n,
                            const hc_threshold_options *o,
                            const hc_threshold_accounts *acc, hc_error *err)
{
    if (n == 0 || !H || !y)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "no rows to choose thresholds on");
    if (n > UINT32_MAX)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "too many rows (%zu) for the threshold search",
                            n);
    if (!arr && (o->objective == HC_THRESHOLD_ARR_RECALL ||
                 o->objective == HC_THRESHOLD_VALUE))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the ARR-recall and value objectives need ARR");
    if (o->objective == HC_THRESHOLD_CAPACITY && !(acc && acc->date))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the capacity objective needs the scoring date of each "
                            "row (red accounts are counted per scoring date)");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(H[i]))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "health score of row %zu is missing or not "
                                "finite", i);
        if (y[i] != 0.0 && y[i] != 1.0)
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "outcome of row %zu is %g, not 0 or 1", i,
                                y[i]);
        if (arr && !(isfinite(arr[i]) && arr[i] >= 0.0))
            return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                                "ARR of row %zu is %g: it must be a finite "
                                "amount >= 0", i, arr[i]);
    }
    return HC_OK;
}

/* Builds the candidate cuts and cumulative sums from rows sorted by H
 * (outcomes y and ARR arr, or NULL, by row index). */
static hc_status build_grid(const row *r, const double *y, const double *arr, size_t n,
                            double step, grid_state *g, hc_error *err)
{
    double lo = r[0].h, hi = r[n - 1].h;
    size_t m = 0;
    if (step > 0.0) {
        double k0 = floor(lo / step), k1 = floor(hi / step);
        if (k1 - k0 > (double)HC_THRESHOLDS_MAX_CUTS + 1.0)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "a grid of %g points over scores %g..%g "
                                "gives more than %d candidate cuts; use a "
                                "coarser grid", step, lo, hi,
                                HC_THRESHOLDS_MAX_CUTS);
        g->cut = malloc(((size_t)(k1 - k0) + 3) * sizeof *g->cut);
        if (!g->cut)
            return hc_error_nomem(err);
        for (double k = k0; k <= k1 + 1.0; k++) {
            double c = k * step;
            if (c > lo && c <= hi)
                g->cut[1 + m++] = c;
        }
    } else {
        size_t distinct = 1;
        for (size_t i = 1; i < n; i++)
            distinct += r[i].h != r[i - 1].h;
        if (distinct - 1 > HC_THRESHOLDS_MAX_CUTS)
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "the health score has %zu distinct values, "
                                "more than %d candidate cuts; use a grid "
                                "(e.g. 0.5 points)", distinct,
                                HC_THRESHOLDS_MAX_CUTS);
        g->cut = malloc((distinct + 2) * sizeof *g->cut);
        if (!g->cut)
            return hc_error_nomem(err);
        for (size_t i = 1; i < n; i++)
            if (r[i].h != r[i - 1].h)
                g->cut[1 + m++] = r[i].h;
    }
    if (m == 0)
        return hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                            "the health score takes a single value (%g) on "
                            "the candidate grid: there is nothing to cut",
                            lo);
    g->m = m;
    g->nb = m + 2;
    g->cn = malloc(g->nb * sizeof *g->cn);
    g->cy = malloc(g->nb * sizeof *g->cy);
    g->ca = malloc(g->nb * sizeof *g->ca);
    g->cya = malloc(g->nb * sizeof *g->cya);
    if (!g->cn || !g->cy || !g->ca || !g->cya)
        return hc_error_nomem(err);
    uint64_t cn = 0, cy = 0;
    double ca = 0.0, cya = 0.0;
    size_t i = 0;
    g->cn[0] = g->cy[0] = 0;
    g->ca[0] = g->cya[0] = 0.0;
    for (size_t b = 1; b <= m + 1; b++) {
        while (i < n && (b == m + 1 || r[i].h < g->cut[b])) {
            int churn = y[r[i].i] == 1.0;
            double a = arr ? arr[r[i].i] : 0.0;
            cn++;
            cy += churn;
            ca += a;
            cya += churn ? a : 0.0;
            i++;
        }
        g->cn[b] = cn;
        g->cy[b] = cy;
        g->ca[b] = ca;
        g->cya[b] = cya;
    }
    return HC_OK;
}

/* Marks feasible red cuts. F[k][b] is the band (b, e) of smallest churn
 * rate that can start band k at boundary b with bands k..K-1 all valid and
 * strictly decreasing; it is stored as its end e (0 = none). */
static hc_status feasibility(const grid_state *g, size_t K, int *feasible,
                             hc_error *err)
{
    size_t nb = g->nb, m = g->m;
    size_t *F = calloc(K * nb, sizeof *F);
    if (!F)
        return hc_error_nomem(err);
    for (size_t b = 1; b <= m; b++)
        if (band_valid(g, b, m + 1))
            F[(K - 1) * nb + b] = m + 1;
    for (size_t k = K - 2; k >= 1; k--) {
        for (size_t b = 1; b <= m; b++) {
            size_t best = 0;
            for (size_t c = b + 1; c <= m; c++) {
                size_t e = F[(k + 1) * nb + c];
                if (!e || !band_valid(g, b, c) ||
                    !band_rate_gt(g, b, c, c, e))
                    continue;
                if (!best || band_rate_gt(g, b, best, b, c))
                    best = c;
            }
            F[k * nb + b] = best;
        }
    }
    for (size_t r = 1; r <= m; r++) {
        size_t e = F[nb + r];
        feasible[r] = band_valid(g, 0, r) && e && band_rate_gt(g, 0, r, r, e);
    }
    free(F);
    return HC_OK;
}

/* Cost of the non-red band (a, b) under the placement rule. */
static double band_cost(const grid_state *g, hc_band_rule rule, double target,
                        size_t a, size_t b)
{
    double cnt = (double)band_n(g, a, b);
    if (rule == HC_BANDS_EQUAL_SHARE)
        return (cnt - target) * (cnt - target);
    /* Minus the binomial log-likelihood of the band's own rate. */
    double yy = (double)band_y(g, a, b), ll = 0.0;
    if (yy > 0.0)
        ll += yy * log(yy / cnt);
    if (cnt - yy > 0.0)
        ll += (cnt - yy) * log((cnt - yy) / cnt);
    return -ll;
}

typedef struct {
    size_t c;
    uint64_t y, n;   /* rate of band (b, c) */
    double value;    /* cost of (b, c) plus the best continuation */
} cand;

static int cmp_cand(const void *a, const void *b)
{
    const cand *u = a, *v = b;
    if (rate_gt(v->y, v->n, u->y, u->n))
        return -1;
    if (rate_gt(u->y, u->n, v->y, v->n))
        return 1;
    return (u->c > v->c) - (u->c < v->c);
}

/* Places bands 1..K-1 above the red cut r by dynamic programming: W[k][a,b]
 * is the least cost of bands k+1..K-1 when band k is (a, b), subject to
 * validity and strictly decreasing rates; choice[k][a,b] the next cut.
 * Writes the K-1 cut boundaries to out (out[0] = r). Returns 0 when no
 * placement exists (cannot happen for a feasible r). */
static int place_bands(const grid_state *g, size_t K, size_t r,
                       hc_band_rule rule, size_t *out, double *W,
                       double *Wn, uint32_t *choice, cand *list)
{
    size_t nb = g->nb, m = g->m;
    double target = (double)(g->cn[m + 1] - g->cn[r]) / (double)(K - 1);
    out[0] = r;
    if (K == 2)
        return 1;
    /* Layer K-1: the last band ends above every row. */
    for (size_t i = 0; i < nb * nb; i++)
        Wn[i] = INFINITY;
    for (size_t a = r; a <= m; a++)
        if (band_valid(g, a, m + 1))
            Wn[a * nb + m + 1] = 0.0;
    for (size_t k = K - 2; k >= 1; k--) {
        for (size_t i = 0; i < nb * nb; i++)
            W[i] = INFINITY;
        uint32_t *ch = choice + k * nb * nb;
        for (size_t b = r + 1; b <= m; b++) {
            size_t len = 0;
            for (size_t c = b + 1; c <= m + 1; c++) {
                double w = Wn[b * nb + c];
                if (!isfinite(w) || !band_valid(g, b, c))
                    continue;
                list[len].c = c;
                list[len].y = band_y(g, b, c);
                list[len].n = band_n(g, b, c);
                list[len].value = w + band_cost(g, rule, target, b, c);
                len++;
            }
            if (!len)
                continue;
            qsort(list, len, sizeof *list, cmp_cand);
            /* Prefix minima over ascending rate. */
            for (size_t i = 1; i < len; i++)
                if (!(list[i].value < list[i - 1].value)) {
                    list[i].value = list[i - 1].value;
                    list[i].c = list[i - 1].c;
                }
            for (size_t a = r; a < b; a++) {
                if (!band_valid(g, a, b))
                    continue;
                uint64_t ya = band_y(g, a, b), na = band_n(g, a, b);
                /* Count the entries with rate < rate(a, b). */
                size_t lo = 0, hi = len;
                while (lo < hi) {
                    size_t mid = (lo + hi) / 2;
                    if (rate_gt(ya, na, list[mid].y, list[mid].n))
                        lo = mid + 1;
                    else
                        hi = mid;
                }
                if (lo == 0)
                    continue;
                W[a * nb + b] = list[lo - 1].value;
                ch[a * nb + b] = (uint32_t)list[lo - 1].c;
            }
        }
        double *t = W;
        W = Wn;
        Wn = t;
    }
    /* Wn now holds layer 1; band 1 starts at r and must have a lower rate
     * than red. */
    size_t best = 0;
    double bestv = INFINITY;
    for (size_t b = r + 1; b <= m; b++) {
        double w = Wn[r * nb + b];
        if (!isfinite(w) || !band_valid(g, r, b) ||
            !band_rate_gt(g, 0, r, r, b))
            continue;
        double v = w + band_cost(g, rule, target, r, b);
        if (v < bestv) {
            bestv = v;
            best = b;
        }
    }
    if (!best)
        return 0;
    out[1] = best;
    /* choice[k][a, b] is the end of band k + 1, i.e. cut boundary k + 1. */
    size_t a = r, b = best;
    for (size_t k = 1; k + 1 <= K - 2; k++) {
        size_t c = choice[k * nb * nb + a * nb + b];
        out[k + 1] = c;
        a = b;
        b = c;
    }
    return 1;
}

/* The objective's figure of a point: in accounts when the rows had
 * account codes; the capacity objective's is the most red rows on a date
 * (or the largest share of a date's rows). */
static double objective_of(const hc_threshold_point *p, const hc_threshold_options *o,
                           int by_accounts)
{
    switch (o->objective) {
    case HC_THRESHOLD_RECALL: return by_accounts ? p->account_recall : p->recall;
    case HC_THRESHOLD_ARR_RECALL: return by_accounts ? p->account_arr_recall : p->arr_recall;
    case HC_THRESHOLD_PRECISION: return by_accounts ? p->account_precision : p->precision;
    case HC_THRESHOLD_VALUE: return by_accounts ? p->account_value : p->value;
    case HC_THRESHOLD_CAPACITY:
        return o->capacity_share ? p->per_date_share_max : (double)p->per_date_max;
    }
    return 0.0;
}

static const char *objective_name(hc_threshold_objective o, int by_accounts)
{
    switch (o) {
    case HC_THRESHOLD_RECALL: return by_accounts ? "recall in accounts" : "recall";
    case HC_THRESHOLD_ARR_RECALL: return by_accounts ? "ARR recall in accounts" : "ARR recall";
    case HC_THRESHOLD_PRECISION: return by_accounts ? "precision in accounts" : "precision";
    case HC_THRESHOLD_VALUE: return "expected value";
    case HC_THRESHOLD_CAPACITY: return "red accounts per scoring date";
    }
    return "objective";
}

/* Picks the red cut (index into the sweep) among feasible points. */
static size_t choose_red(const hc_threshold_point *pt, size_t m,
                         const hc_threshold_options *o, int by_accounts, int *met)
{
    size_t pick = m, best = m;
    for (size_t i = 0; i < m; i++) {
        if (!pt[i].feasible)
            continue;
        double v = objective_of(&pt[i], o, by_accounts);
        switch (o->objective) {
        case HC_THRESHOLD_RECALL:
        case HC_THRESHOLD_ARR_RECALL:
            /* Fewest flagged reaching the target: the first one. */
            if (pick == m && v >= o->target)
                pick = i;
            if (best == m || v > objective_of(&pt[best], o, by_accounts))
                best = i;
            break;
        case HC_THRESHOLD_PRECISION:
            /* Largest red band reaching the target: the last one. */
            if (v >= o->target)
                pick = i;
            if (best == m || v >= objective_of(&pt[best], o, by_accounts))
                best = i;
            break;
        case HC_THRESHOLD_VALUE:
            if (best == m || v > objective_of(&pt[best], o, by_accounts))
                best = i;
            break;
        case HC_THRESHOLD_CAPACITY:
            /* The largest red band within capacity on every date; else the
             * smallest feasible one. */
            if (pt[i].dates_over == 0)
                pick = i;
            if (best == m)
                best = i;
            break;
        }
    }
    if (o->objective == HC_THRESHOLD_VALUE) {
        *met = best < m && pt[best].value > 0.0;
        return best;
    }
    *met = pick < m;
    return pick < m ? pick : best;
}

hc_status hc_thresholds_search(const double *H, const double *y,
                               const double *arr, size_t n,
                               const hc_threshold_options *opt,
                               hc_threshold_result *res, hc_error *err)
{
    return hc_thresholds_search_accounts(H, y, arr, n, opt, NULL, res, err);
}

/* The sweep point of boundary b: the rows below it, and in accounts and
 * per date when tallied. */
static void fill_point(hc_threshold_point *p, const grid_state *g, const hc_thr_tally *t,
                       size_t b, size_t n, const hc_threshold_options *opt, double total_y,
                       double total_ya, int feasible)
{
    p->cut = g->cut[b];
    p->flagged = (size_t)g->cn[b];
    p->churners_flagged = (size_t)g->cy[b];
    p->share_flagged = (double)g->cn[b] / (double)n;
    p->recall = (double)g->cy[b] / total_y;
    p->precision = g->cn[b] ? (double)g->cy[b] / (double)g->cn[b] : 0.0;
    p->arr_flagged = g->ca[b];
    p->churned_arr_flagged = g->cya[b];
    p->arr_recall = total_ya > 0.0 ? g->cya[b] / total_ya : 0.0;
    p->value = opt->save_rate * g->cya[b] - opt->cost * (double)g->cn[b];
    p->feasible = feasible;
    p->account_recall = p->account_precision = p->account_arr_recall = NAN;
    p->account_value = p->per_date_mean = p->per_date_share_max = NAN;
    if (t->by_accounts) {
        p->accounts_flagged = (size_t)t->acc[b];
        p->churned_accounts_flagged = (size_t)t->caught[b];
        p->churned_arr_accounts_flagged = t->caught_arr[b];
        p->account_recall = t->churned ? (double)t->caught[b] / (double)t->churned : 0.0;
        p->account_precision = t->acc[b] ? (double)t->caught[b] / (double)t->acc[b] : 0.0;
        p->account_arr_recall = t->churned_arr > 0.0 ? t->caught_arr[b] / t->churned_arr : 0.0;
        /* One intervention per account per scoring date in red: a flagged row. */
        p->account_value = opt->save_rate * t->caught_arr[b] - opt->cost * (double)g->cn[b];
    }
    if (t->has_dates) {
        p->per_date_mean = (double)g->cn[b] / (double)t->n_dates;
        p->per_date_min = t->dmin[b];
        p->per_date_max = t->dmax[b];
        p->per_date_share_max = t->dshare[b];
        p->dates_over = t->dover[b];
    }
}

/* The outcome in words: counts name their unit (rows, or snapshots and
 * accounts when the rows had account codes). */
static void write_message(hc_threshold_result *res, const hc_threshold_options *opt,
                          size_t K, const hc_threshold_point *rp, int met)
{
    char unit[200] = "";
    const char *rows = res->by_accounts ? "snapshots" : "rows";
    if (res->by_accounts && res->has_dates)
        snprintf(unit, sizeof unit, " (%zu of %zu accounts; %.1f per scoring date on "
                                    "average, at most %zu)",
                 rp->accounts_flagged, res->accounts, rp->per_date_mean, rp->per_date_max);
    else if (res->by_accounts)
        snprintf(unit, sizeof unit, " (%zu of %zu accounts)", rp->accounts_flagged,
                 res->accounts);
    else if (res->has_dates)
        snprintf(unit, sizeof unit, " (%.1f per scoring date on average, at most %zu)",
                 rp->per_date_mean, rp->per_date_max);
    const char *name = objective_name(opt->objective, res->by_accounts);
    if (opt->objective == HC_THRESHOLD_CAPACITY) {
        char cap[64], next[160] = "";
        if (opt->capacity_share)
            snprintf(cap, sizeof cap, "%.4g%% of each scoring date's accounts",
                     100.0 * opt->capacity);
        else
            snprintf(cap, sizeof cap, "%.6g account%s per scoring date", opt->capacity,
                     opt->capacity == 1.0 ? "" : "s");
        if (isfinite(res->next_cut))
            snprintf(next, sizeof next, "; the next cut H < %g would put up to %zu in red",
                     res->next_cut, res->next_per_date_max);
        if (res->by_accounts)
            snprintf(unit, sizeof unit, " (%zu of %zu accounts)", rp->accounts_flagged,
                     res->accounts);
        else
            unit[0] = '\0';
        if (met)
            snprintf(res->message, sizeof res->message,
                     "red band H < %g holds at most %zu accounts on a scoring date "
                     "(mean %.1f, least %zu; capacity %s) and flags %.1f%% of %s%s%s",
                     rp->cut, rp->per_date_max, rp->per_date_mean, rp->per_date_min, cap,
                     100.0 * rp->share_flagged, rows, unit, next);
        else
            snprintf(res->message, sizeof res->message,
                     "capacity not met: even the smallest red band with %zu monotone bands "
                     "of >= %.3g%% each, H < %g, holds up to %zu accounts on a scoring "
                     "date, over the capacity of %s on %zu of %zu dates",
                     K, 100.0 * opt->min_band_share, rp->cut, rp->per_date_max, cap,
                     rp->dates_over, res->n_dates);
    } else if (opt->objective == HC_THRESHOLD_VALUE) {
        snprintf(res->message, sizeof res->message,
                 "red band H < %g flags %.1f%% of %s%s; expected value "
                 "%.6g = %g x churned ARR %.6g - %g x %zu interventions%s%s",
                 rp->cut, 100.0 * rp->share_flagged, rows, unit, res->achieved,
                 opt->save_rate,
                 res->by_accounts ? rp->churned_arr_accounts_flagged
                                  : rp->churned_arr_flagged,
                 opt->cost, rp->flagged,
                 res->by_accounts ? " (account-weeks in red; churned ARR once per "
                                    "caught account)" : "",
                 met ? "" : "; no feasible red band has a positive value");
    } else if (met) {
        snprintf(res->message, sizeof res->message,
                 "red band H < %g flags %.1f%% of %s%s with %s %.4f "
                 "(target %.4g)", rp->cut, 100.0 * rp->share_flagged, rows, unit, name,
                 res->achieved, opt->target);
    } else {
        snprintf(res->message, sizeof res->message,
                 "best %s reachable with %zu monotone bands of >= %.3g%% "
                 "each is %.4f (red band H < %g), short of %.4g by %.4f",
                 name, K, 100.0 * opt->min_band_share, res->achieved,
                 rp->cut, opt->target, res->shortfall);
    }
}

hc_status hc_thresholds_search_accounts(const double *H, const double *y,
                                        const double *arr, size_t n,
                                        const hc_threshold_options *opt,
                                        const hc_threshold_accounts *acc,
                                        hc_threshold_result *res, hc_error *err)
{
    hc_threshold_options defaults;
    memset(res, 0, sizeof *res);
    if (!opt) {
        hc_threshold_options_init(&defaults);
        opt = &defaults;
    }
    if (acc && !acc->account && !acc->date)
        acc = NULL; /* nothing to count: the rows are the units */
    hc_status st = check_options(opt, err);
    if (st || (st = check_data(H, y, arr, n, opt, acc, err)))
        return st;
    size_t K = opt->n_bands;
    row *rows = malloc(n * sizeof *rows);
    grid_state g;
    memset(&g, 0, sizeof g);
    hc_thr_tally tally;
    memset(&tally, 0, sizeof tally);
    int *feasible = NULL;
    double *W = NULL;
    uint32_t *choice = NULL;
    cand *list = NULL;
    size_t *bounds = NULL;
    if (!rows) {
        st = hc_error_nomem(err);
        goto fail;
    }
    size_t churners = 0;
    for (size_t i = 0; i < n; i++) {
        rows[i].h = H[i];
        rows[i].i = (uint32_t)i; /* n <= UINT32_MAX (check_data) */
        churners += y[i] == 1.0;
    }
    if (churners == 0) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "no churners among %zu rows: there is nothing to "
                          "catch", n);
        goto fail;
    }
    hc_sort_by_double_key(rows, n, sizeof *rows);
    st = build_grid(rows, y, arr, n, opt->grid, &g, err);
    if (st == HC_OK && acc)
        st = hc_thresholds_tally_build(rows, n, g.cut, g.m, y, arr, acc, opt, &tally, err);
    free(rows); /* the cumulative sums are all the rest reads */
    rows = NULL;
    if (st)
        goto fail;
    size_t m = g.m, nb = g.nb;
    double need = opt->min_band_share * (double)n;
    g.min_rows = (uint64_t)ceil(need - 1e-9 * (need > 1.0 ? need : 1.0));
    if (g.min_rows < 1)
        g.min_rows = 1;
    if (opt->objective == HC_THRESHOLD_ARR_RECALL &&
        !(tally.by_accounts ? tally.churned_arr > 0.0 : g.cya[m + 1] > 0.0)) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "the churners have no ARR: ARR recall is "
                          "undefined");
        goto fail;
    }

    feasible = calloc(nb, sizeof *feasible);
    res->sweep = malloc(m * sizeof *res->sweep);
    if (!feasible || !res->sweep) {
        st = hc_error_nomem(err);
        goto fail;
    }
    if (K - 1 > m) {
        memset(feasible, 0, nb * sizeof *feasible);
    } else if ((st = feasibility(&g, K, feasible, err))) {
        goto fail;
    }
    double total_y = (double)g.cy[m + 1], total_ya = g.cya[m + 1];
    size_t any = 0;
    memset(res->sweep, 0, m * sizeof *res->sweep);
    for (size_t i = 0; i < m; i++) {
        size_t b = i + 1;
        fill_point(&res->sweep[i], &g, &tally, b, n, opt, total_y, total_ya, feasible[b]);
        any += feasible[b] != 0;
    }
    res->by_accounts = tally.by_accounts;
    res->accounts = tally.accounts;
    res->churned_accounts = tally.churned;
    res->churned_arr_accounts = tally.churned_arr;
    res->churned_from_arr = tally.churned_from_arr;
    res->has_dates = tally.has_dates;
    res->n_dates = tally.n_dates;
    res->n_points = m;
    res->n = n;
    res->churners = churners;
    res->base_rate = total_y / (double)n;
    res->arr = g.ca[m + 1];
    res->churned_arr = total_ya;
    if (!any) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "no way to cut the health score into %zu bands of "
                          "at least %.3g%% of accounts each with churn rates "
                          "falling from the riskiest band to the healthiest "
                          "(%zu candidate cuts); try fewer bands, a smaller "
                          "minimum band or a finer grid", K,
                          100.0 * opt->min_band_share, m);
        goto fail;
    }

    int met = 0;
    size_t ri = choose_red(res->sweep, m, opt, tally.by_accounts, &met);
    size_t r = ri + 1;
    const hc_threshold_point *rp = &res->sweep[ri];
    /* The cut one grid step higher: is the chosen one tight (within ties)? */
    res->next_cut = r < m ? g.cut[r + 1] : NAN;
    res->next_per_date_max = tally.has_dates ? tally.dmax[r + 1] : 0;

    /* Place the other bands. */
    bounds = malloc(K * sizeof *bounds);
    list = malloc(nb * sizeof *list);
    if (!bounds || !list) {
        st = hc_error_nomem(err);
        goto fail;
    }
    if (K > 2) {
        W = malloc(2 * nb * nb * sizeof *W);
        choice = calloc(K * nb * nb, sizeof *choice);
        if (!W || !choice) {
            st = hc_error_nomem(err);
            goto fail;
        }
    }
    if (!place_bands(&g, K, r, opt->rule, bounds, W, W ? W + nb * nb : NULL,
                     choice, list)) {
        st = hc_error_set(err, HC_ENUMERIC, NULL, 0, 0,
                          "internal error: no band placement above the "
                          "feasible red cut %g", rp->cut);
        goto fail;
    }
    res->cuts = malloc((K - 1) * sizeof *res->cuts);
    res->bands = calloc(K, sizeof *res->bands);
    if (!res->cuts || !res->bands) {
        st = hc_error_nomem(err);
        goto fail;
    }
    for (size_t k = 0; k + 1 < K; k++)
        res->cuts[k] = g.cut[bounds[k]];
    for (size_t k = 0; k < K; k++) {
        size_t a = k == 0 ? 0 : bounds[k - 1], b = k + 1 < K ? bounds[k] : m + 1;
        hc_metrics_band *t = &res->bands[k];
        t->accounts = (size_t)band_n(&g, a, b);
        t->churners = (size_t)band_y(&g, a, b);
        t->share = (double)t->accounts / (double)n;
        t->churn_rate = t->accounts ? (double)t->churners / (double)t->accounts
                                    : 0.0;
        hc_metrics_wilson(t->churners, t->accounts, 0.95, &t->rate_ci_low,
                          &t->rate_ci_high);
        t->arr = g.ca[b] - g.ca[a];
        t->churned_arr = g.cya[b] - g.cya[a];
    }
    res->n_bands = K;
    res->red_point = ri;
    res->met = met;
    int cap = opt->objective == HC_THRESHOLD_CAPACITY;
    res->capacity = cap ? opt->capacity : 0.0;
    res->capacity_share = cap && opt->capacity_share;
    res->target = opt->objective == HC_THRESHOLD_VALUE ? 0.0
                  : cap                                ? opt->capacity
                                                       : opt->target;
    res->achieved = objective_of(rp, opt, tally.by_accounts);
    /* Capacity: by how much the red band exceeds it; else how far short. */
    res->shortfall = met ? 0.0 : cap ? res->achieved - res->target : res->target - res->achieved;
    if (res->shortfall < 0.0)
        res->shortfall = 0.0;
    write_message(res, opt, K, rp, met);
    st = HC_OK;
    goto done;
fail:
    hc_threshold_result_release(res);
    memset(res, 0, sizeof *res);
done:
    free(rows);
    hc_thresholds_tally_release(&tally);
    free(g.cut);
    free(g.cn);
    free(g.cy);
    free(g.ca);
    free(g.cya);
    free(feasible);
    free(W);
    free(choice);
    free(list);
    free(bounds);
    return st;
}
