/* drift.c - the drift workflow: PSI of health and sub-scores, band shares and churn rate across two periods. */
#include "hc_drift.h"
#include "hc_date.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *hc_drift_flag_name(hc_drift_flag flag)
{
    switch (flag) {
    case HC_DRIFT_STABLE: return "stable";
    case HC_DRIFT_FLAG_WATCH: return "watch";
    case HC_DRIFT_FLAG_RECALIBRATE: return "recalibrate";
    default: return "unknown";
    }
}

hc_drift_flag hc_drift_flag_of(double psi)
{
    if (isnan(psi))
        return HC_DRIFT_UNKNOWN;
    if (psi >= HC_DRIFT_RECALIBRATE)
        return HC_DRIFT_FLAG_RECALIBRATE;
    if (psi >= HC_DRIFT_WATCH)
        return HC_DRIFT_FLAG_WATCH;
    return HC_DRIFT_STABLE;
}

hc_status hc_drift_parse_period(const char *text, const char *option,
                                hc_drift_period *out, hc_error *err)
{
    const char *colon = text ? strchr(text, ':') : NULL;
    int32_t from, to;
    if (!colon || hc_date_parse(text, (size_t)(colon - text), &from) != 0 ||
        hc_date_parse(colon + 1, strlen(colon + 1), &to) != 0)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "option '%s': '%s' is not a period FROM:TO of two "
                            "YYYY-MM-DD dates (e.g. 2024-01-01:2024-03-31)",
                            option, text ? text : "");
    if (from > to)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "option '%s': the period '%s' ends before it starts",
                            option, text);
    out->from = from;
    out->to = to;
    return HC_OK;
}

void hc_drift_options_init(hc_drift_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->bins = 10;
}

static void period_release(hc_drift_period_stats *p)
{
    free(p->band_rows);
    free(p->band_share);
}

void hc_drift_result_release(hc_drift_result *res)
{
    if (!res)
        return;
    free(res->scores);
    period_release(&res->baseline);
    period_release(&res->current);
    memset(res, 0, sizeof *res);
}

/* The scores of one period: its rows, sub-scores (component-major) and
 * health. */
typedef struct {
    size_t n;
    size_t *row;
    double *sub;
    double *health;
    int32_t *band;
} period_scores;

static void period_scores_release(period_scores *p)
{
    free(p->row);
    free(p->sub);
    free(p->health);
    free(p->band);
}

static void format_period(hc_drift_period p, char *buf, size_t size)
{
    char a[11], b[11];
    hc_date_format(p.from, a);
    hc_date_format(p.to, b);
    snprintf(buf, size, "%s:%s", a, b);
}

static hc_status score_period(const hc_drift_options *opt, const char *which,
                              hc_drift_period period, period_scores *ps,
                              hc_drift_period_stats *st_out, hc_error *err)
{
    const hc_model *m = opt->model;
    const hc_snapshots *s = opt->snapshots;
    const hc_table *t = s->table;
    const int32_t *date = t->cols[s->date_col].code;
    size_t K = m->n_components;
    memset(ps, 0, sizeof *ps);
    size_t n = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        n += date[r] >= period.from && date[r] <= period.to;
    if (n == 0) {
        char p[32], a[11], b[11];
        format_period(period, p, sizeof p);
        hc_date_format(s->first_date, a);
        hc_date_format(s->last_date, b);
        return hc_error_set(err, HC_EDATA, t->source, 0, 0,
                            "the %s period %s holds no snapshot (the data run "
                            "from %s to %s)", which, p, a, b);
    }
    ps->row = malloc(n * sizeof *ps->row);
    ps->sub = malloc((K ? K : 1) * n * sizeof *ps->sub);
    ps->health = malloc(n * sizeof *ps->health);
    ps->band = malloc(n * sizeof *ps->band);
    if (!ps->row || !ps->sub || !ps->health || !ps->band) {
        period_scores_release(ps);
        return hc_error_nomem(err);
    }
    /* Rows in account order (then date), like every other listing. */
    size_t q = 0;
    st_out->accounts = 0;
    for (size_t a = 0; a < s->n_accounts; a++) {
        size_t before = q;
        for (size_t i = s->account_start[a]; i < s->account_start[a + 1]; i++) {
            uint32_t r = s->order[i];
            if (date[r] >= period.from && date[r] <= period.to)
                ps->row[q++] = r;
        }
        st_out->accounts += q > before;
    }
    ps->n = n;
    hc_score_out out = {.sub = ps->sub, .sub_stride = n, .health = ps->health,
                        .band = ps->band};
    hc_status st = hc_model_score_rows(m, t, ps->row, 0, n, 1, &out, err);
    if (st != HC_OK) {
        period_scores_release(ps);
        return st;
    }
    st_out->period = period;
    st_out->rows = n;
    return HC_OK;
}

static hc_status period_stats(const hc_drift_options *opt, const period_scores *ps,
                              size_t n_bands, hc_drift_period_stats *p,
                              hc_error *err)
{
    p->band_rows = calloc(n_bands ? n_bands : 1, sizeof *p->band_rows);
    p->band_share = calloc(n_bands ? n_bands : 1, sizeof *p->band_share);
    if (!p->band_rows || !p->band_share)
        return hc_error_nomem(err);
    p->scored = 0;
    for (size_t i = 0; i < ps->n; i++) {
        if (isnan(ps->health[i]))
            continue;
        p->scored++;
        if (ps->band[i] >= 0 && (size_t)ps->band[i] < n_bands)
            p->band_rows[ps->band[i]]++;
    }
    for (size_t b = 0; b < n_bands; b++)
        p->band_share[b] = p->scored ? (double)p->band_rows[b] / (double)p->scored : 0.0;
    p->churn_rate = NAN;
    const hc_labels *l = opt->labels;
    if (l) {
        for (size_t i = 0; i < ps->n; i++) {
            size_t r = ps->row[i];
            switch (l->status[r]) {
            case HC_ROW_OBSERVATION:
                p->observations++;
                p->churners += l->churn[r] != 0;
                break;
            case HC_ROW_CENSORED: p->censored++; break;
            default: p->excluded++; break;
            }
        }
        if (p->observations)
            p->churn_rate = (double)p->churners / (double)p->observations;
    }
    return HC_OK;
}

/* PSI of one score over the present values of both periods. */
static hc_status score_psi(const double *base, size_t n0, const double *cur,
                           size_t n1, size_t bins, double *buf0, double *buf1,
                           hc_drift_score *out, hc_error *err)
{
    size_t m0 = 0, m1 = 0;
    for (size_t i = 0; i < n0; i++)
        if (!isnan(base[i]))
            buf0[m0++] = base[i];
    for (size_t i = 0; i < n1; i++)
        if (!isnan(cur[i]))
            buf1[m1++] = cur[i];
    out->n_baseline = m0;
    out->n_current = m1;
    out->psi = NAN;
    out->flag = HC_DRIFT_UNKNOWN;
    if (m0 == 0 || m1 == 0) {
        snprintf(out->note, sizeof out->note, "no %s value in the %s period",
                 out->name, m0 == 0 ? "baseline" : "current");
        return HC_OK;
    }
    hc_error e;
    hc_error_clear(&e);
    hc_status st = hc_metrics_psi(buf0, m0, buf1, m1, bins, &out->detail, &e);
    if (st == HC_ENOMEM)
        return hc_error_nomem(err);
    if (st != HC_OK) {
        snprintf(out->note, sizeof out->note, "%.200s", e.message);
        return HC_OK;
    }
    out->psi = out->detail.psi;
    out->flag = hc_drift_flag_of(out->psi);
    return HC_OK;
}

hc_status hc_drift_run(const hc_drift_options *opt, hc_drift_result *res,
                       hc_error *err)
{
    memset(res, 0, sizeof *res);
    const hc_model *m = opt->model;
    if (!m || !opt->snapshots || !opt->snapshots->table)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "drift: a model and snapshots are required");
    size_t bins = opt->bins ? opt->bins : 10;
    if (bins < 2 || bins > HC_METRICS_PSI_MAX_BINS)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "drift: PSI needs 2 to %d bins, not %zu",
                            HC_METRICS_PSI_MAX_BINS, bins);
    size_t K = m->n_components;
    res->model = m;
    res->bins = bins;
    res->n_bands = m->n_bands;
    res->has_labels = opt->labels != NULL;
    res->horizon = opt->labels ? opt->labels->horizon : m->horizon_days;
    res->verdict = HC_DRIFT_UNKNOWN;
    res->verdict_score = -1;

    period_scores b, c;
    hc_status st = score_period(opt, "baseline", opt->baseline, &b,
                                &res->baseline, err);
    if (st != HC_OK)
        return st;
    st = score_period(opt, "current", opt->current, &c, &res->current, err);
    if (st != HC_OK) {
        period_scores_release(&b);
        memset(res, 0, sizeof *res);
        return st;
    }
    double *buf0 = malloc(b.n * sizeof *buf0);
    double *buf1 = malloc(c.n * sizeof *buf1);
    res->n_scores = K + 1;
    res->scores = calloc(K + 1, sizeof *res->scores);
    if (!buf0 || !buf1 || !res->scores) {
        st = hc_error_nomem(err);
        goto done;
    }
    if ((st = period_stats(opt, &b, res->n_bands, &res->baseline, err)) != HC_OK ||
        (st = period_stats(opt, &c, res->n_bands, &res->current, err)) != HC_OK)
        goto done;
    for (size_t k = 0; k <= K; k++) {
        hc_drift_score *sc = &res->scores[k];
        sc->name = k == 0 ? "health" : m->components[k - 1].name;
        const double *x0 = k == 0 ? b.health : b.sub + (k - 1) * b.n;
        const double *x1 = k == 0 ? c.health : c.sub + (k - 1) * c.n;
        st = score_psi(x0, b.n, x1, c.n, bins, buf0, buf1, sc, err);
        if (st != HC_OK)
            goto done;
        /* The worst flag wins; among equals the first (health) keeps it. */
        if (sc->flag != HC_DRIFT_UNKNOWN &&
            (res->verdict == HC_DRIFT_UNKNOWN || sc->flag > res->verdict)) {
            res->verdict = sc->flag;
            res->verdict_score = (int)k;
        }
    }
done:
    free(buf0);
    free(buf1);
    period_scores_release(&b);
    period_scores_release(&c);
    if (st != HC_OK)
        hc_drift_result_release(res);
    return st;
}

/* ---- output ------------------------------------------------------------- */

static void write_rate(FILE *f, const char *label, const hc_drift_period_stats *p)
{
    fprintf(f, "  %-9s", label);
    if (isnan(p->churn_rate))
        fprintf(f, "     n/a");
    else
        fprintf(f, " %6.2f%%", 100.0 * p->churn_rate);
    fprintf(f, "  (%zu churners of %zu observations; %zu censored, %zu after churn)\n",
            p->churners, p->observations, p->censored, p->excluded);
}

void hc_drift_write_text(FILE *f, const hc_drift_result *res)
{
    const hc_model *m = res->model;
    char pb[32], pc[32];
    format_period(res->baseline.period, pb, sizeof pb);
    format_period(res->current.period, pc, sizeof pc);
    fprintf(f, "drift of '%s'\n", m->name ? m->name : m->source);
    fprintf(f, "baseline %s: %zu snapshots of %zu accounts (%zu scored)\n", pb,
            res->baseline.rows, res->baseline.accounts, res->baseline.scored);
    fprintf(f, "current  %s: %zu snapshots of %zu accounts (%zu scored)\n", pc,
            res->current.rows, res->current.accounts, res->current.scored);
    fprintf(f, "\npopulation stability index (%zu bins on the baseline's quantiles; "
               "watch >= %g, recalibrate >= %g)\n",
            res->bins, HC_DRIFT_WATCH, HC_DRIFT_RECALIBRATE);
    fprintf(f, "%-16s %10s %10s %9s  %s\n", "score", "baseline n", "current n",
            "PSI", "flag");
    for (size_t k = 0; k < res->n_scores; k++) {
        const hc_drift_score *s = &res->scores[k];
        fprintf(f, "%-16.16s %10zu %10zu ", s->name, s->n_baseline, s->n_current);
        if (isnan(s->psi))
            fprintf(f, "%9s  unknown: %s\n", "n/a", s->note);
        else
            fprintf(f, "%9.4f  %s\n", s->psi, hc_drift_flag_name(s->flag));
    }
    if (res->n_bands) {
        fprintf(f, "\nshare of scored snapshots per band\n%-16s %9s %9s %14s\n",
                "band", "baseline", "current", "shift (points)");
        for (size_t b = 0; b < res->n_bands; b++) {
            double s0 = 100.0 * res->baseline.band_share[b];
            double s1 = 100.0 * res->current.band_share[b];
            double d = s1 - s0;
            fprintf(f, "%-16.16s %8.1f%% %8.1f%% %+14.1f\n", m->bands[b].name, s0,
                    s1, fabs(d) < 0.05 ? 0.0 : d);
        }
    }
    if (res->has_labels) {
        fprintf(f, "\nchurn base rate within %d days (snapshots with a known outcome)\n",
                res->horizon);
        write_rate(f, "baseline", &res->baseline);
        write_rate(f, "current", &res->current);
        if (!isnan(res->baseline.churn_rate) && !isnan(res->current.churn_rate))
            fprintf(f, "  shift     %+.2f points\n",
                    100.0 * (res->current.churn_rate - res->baseline.churn_rate));
    }
    fprintf(f, "\nverdict: %s", hc_drift_flag_name(res->verdict));
    if (res->verdict_score >= 0) {
        const hc_drift_score *s = &res->scores[res->verdict_score];
        switch (res->verdict) {
        case HC_DRIFT_STABLE: {
            size_t unknown = 0;
            for (size_t k = 0; k < res->n_scores; k++)
                unknown += isnan(res->scores[k].psi);
            if (unknown)
                fprintf(f, " (every PSI computed is below %g; %zu could not "
                           "be computed)", HC_DRIFT_WATCH, unknown);
            else
                fprintf(f, " (every PSI below %g)", HC_DRIFT_WATCH);
            break;
        }
        default:
            fprintf(f, " (%s PSI %.4f >= %g)", s->name, s->psi,
                    res->verdict == HC_DRIFT_FLAG_RECALIBRATE ? HC_DRIFT_RECALIBRATE
                                                              : HC_DRIFT_WATCH);
            break;
        }
    } else {
        fprintf(f, " (no score could be compared)");
    }
    putc('\n', f);
}

/* json_real of a finite value, json_null otherwise. */
static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static int set(json_t *obj, const char *key, json_t *v)
{
    return v ? json_object_set_new(obj, key, v) : -1;
}

static json_t *period_json(const hc_drift_result *res, const hc_drift_period_stats *p)
{
    json_t *o = json_object();
    char a[11], b[11];
    hc_date_format(p->period.from, a);
    hc_date_format(p->period.to, b);
    int bad = !o;
    if (!bad)
        bad |= set(o, "from", json_string(a)) | set(o, "to", json_string(b)) |
               set(o, "snapshots", json_integer((json_int_t)p->rows)) |
               set(o, "accounts", json_integer((json_int_t)p->accounts)) |
               set(o, "scored", json_integer((json_int_t)p->scored));
    if (!bad && res->has_labels) {
        json_t *c = json_object();
        bad |= set(o, "churn", c);
        if (!bad)
            bad |= set(c, "observations", json_integer((json_int_t)p->observations)) |
                   set(c, "churners", json_integer((json_int_t)p->churners)) |
                   set(c, "censored", json_integer((json_int_t)p->censored)) |
                   set(c, "after_churn", json_integer((json_int_t)p->excluded)) |
                   set(c, "rate", num_or_null(p->churn_rate));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *hc_drift_to_json(const hc_drift_result *res)
{
    const hc_model *m = res->model;
    json_t *root = json_object();
    if (!root)
        return NULL;
    json_t *source = json_string(m->source); /* NULL if not UTF-8 */
    int bad = set(root, "schema", json_string("healthcal-drift/1")) |
              set(root, "config", source ? source : json_null()) |
              set(root, "bins", json_integer((json_int_t)res->bins)) |
              set(root, "baseline", period_json(res, &res->baseline)) |
              set(root, "current", period_json(res, &res->current));
    json_t *th = json_object();
    bad |= set(root, "thresholds", th);
    if (!bad)
        bad |= set(th, "watch", json_real(HC_DRIFT_WATCH)) |
               set(th, "recalibrate", json_real(HC_DRIFT_RECALIBRATE));
    json_t *scores = json_array();
    bad |= set(root, "scores", scores);
    for (size_t k = 0; !bad && k < res->n_scores; k++) {
        const hc_drift_score *s = &res->scores[k];
        json_t *o = json_object();
        bad |= !o || json_array_append_new(scores, o);
        if (bad)
            break;
        bad |= set(o, "name", json_string(s->name)) |
               set(o, "n_baseline", json_integer((json_int_t)s->n_baseline)) |
               set(o, "n_current", json_integer((json_int_t)s->n_current)) |
               set(o, "psi", num_or_null(s->psi)) |
               set(o, "flag", json_string(hc_drift_flag_name(s->flag)));
        if (isnan(s->psi)) {
            bad |= set(o, "note", json_string(s->note));
            continue;
        }
        json_t *bins = json_array();
        bad |= set(o, "bins", bins);
        for (size_t i = 0; !bad && i < s->detail.n_bins; i++) {
            json_t *bo = json_object();
            bad |= !bo || json_array_append_new(bins, bo);
            if (!bad)
                bad |= set(bo, "upper", num_or_null(s->detail.upper[i])) |
                       set(bo, "baseline_share", json_real(s->detail.base_share[i])) |
                       set(bo, "current_share", json_real(s->detail.current_share[i]));
        }
    }
    json_t *bands = json_array();
    bad |= set(root, "bands", bands);
    for (size_t b = 0; !bad && b < res->n_bands; b++) {
        json_t *o = json_object();
        bad |= !o || json_array_append_new(bands, o);
        if (!bad)
            bad |= set(o, "name", json_string(m->bands[b].name)) |
                   set(o, "baseline_share", json_real(res->baseline.band_share[b])) |
                   set(o, "current_share", json_real(res->current.band_share[b])) |
                   set(o, "shift", json_real(res->current.band_share[b] -
                                             res->baseline.band_share[b]));
    }
    if (!bad) {
        bad |= set(root, "verdict", json_string(hc_drift_flag_name(res->verdict))) |
               set(root, "verdict_score",
                   res->verdict_score >= 0
                       ? json_string(res->scores[res->verdict_score].name)
                       : json_null());
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}
