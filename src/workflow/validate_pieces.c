/* validate_pieces.c - the pieces of a validation that may be not estimable on their own (segments, components alone, empty bands, Hosmer-Lemeshow) and the leakage warnings. */
#include "hc_validate.h"
#include "validate_pieces.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hc_validate_warn(hc_validate_result *res, const char *fmt, ...)
{
    if (res->n_warnings >= HC_VALIDATE_MAX_WARNINGS)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->warnings[res->n_warnings], sizeof res->warnings[0], fmt, ap);
    va_end(ap);
    res->n_warnings++;
}

const char *hc_validate_band_not_estimable(const hc_validate_result *res, size_t k,
                                           char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    if (res->has_bands && k < res->bands.n_bands && res->bands.bands[k].accounts == 0)
        snprintf(buf, size, "no rows in band %s",
                 res->band_names && res->band_names[k] ? res->band_names[k] : "?");
    return buf;
}

const char *hc_validate_hl_not_estimable(const hc_validate_result *res, char *buf,
                                         size_t size)
{
    const hc_metrics_summary *s = &res->summary;
    if (size)
        buf[0] = '\0';
    if (s->hl_estimable || s->n == 0)
        return buf;
    if (s->hl_groups > 0 && s->hl_groups < 3)
        snprintf(buf, size, "tied predictions leave %zu group%s of the 10 deciles; "
                            "Hosmer-Lemeshow needs 3", s->hl_groups,
                 s->hl_groups == 1 ? "" : "s");
    else
        snprintf(buf, size, "a decile group of predictions all 0 or all 1 has an "
                            "expected count of 0");
    return buf;
}

/* Copies the text of src into dst (size bytes), cut short when longer. */
static void copy_text(char *dst, size_t size, const char *src)
{
    size_t len = strnlen(src, size - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* The AUC of `risk` over the rows of `keep` (1 = row in the piece); the
 * piece's own arrays are built in y2, r2 (n entries each). Fills n, churners,
 * estimable, auc and, with `ci`, the DeLong interval. */
static void piece_auc(const double *y, const double *risk, const int32_t *cluster,
                      const unsigned char *keep, size_t n, double *y2, double *r2,
                      int32_t *c2, int ci, size_t *rows, size_t *churners, int *estimable,
                      double *auc, double *lo, double *hi, char *why, size_t why_size)
{
    size_t m = 0, pos = 0;
    for (size_t i = 0; i < n; i++)
        if (keep[i]) {
            y2[m] = y[i];
            r2[m] = risk[i];
            if (cluster)
                c2[m] = cluster[i];
            pos += y[i] == 1.0;
            m++;
        }
    *rows = m;
    *churners = pos;
    *estimable = 0;
    *auc = 0.0;
    if (lo)
        *lo = *hi = 0.0;
    size_t need = ci ? 2 : 1;
    if (pos < need || m - pos < need)
        return;
    hc_error e;
    if (ci && cluster) {
        hc_metrics_auc_ci_clustered c;
        if (hc_metrics_delong_clustered(y2, r2, c2, m, 0.95, &c, &e) != HC_OK) {
            copy_text(why, why_size, e.message);
            return;
        }
        *auc = c.ci.auc;
        *lo = c.ci.ci_low;
        *hi = c.ci.ci_high;
    } else if (ci) {
        hc_metrics_auc_ci c;
        if (hc_metrics_delong_ci(y2, r2, m, 0.95, &c, &e) != HC_OK)
            return;
        *auc = c.auc;
        *lo = c.ci_low;
        *hi = c.ci_high;
    } else if (hc_metrics_roc_auc(y2, r2, m, auc, &e) != HC_OK) {
        *auc = 0.0;
        return;
    }
    *estimable = 1;
}

/* Why a piece of `rows` rows with `churners` is not estimable. */
static void piece_reason(char *buf, size_t size, const char *what, const char *name,
                         size_t rows, size_t churners, size_t need)
{
    if (rows == 0)
        snprintf(buf, size, "no rows in %s %s", what, name);
    else if (churners == 0)
        snprintf(buf, size, "no churners in %s %s", what, name);
    else if (churners == rows)
        snprintf(buf, size, "no retained accounts in %s %s", what, name);
    else if (churners < need)
        snprintf(buf, size, "only %zu churner in %s %s (the DeLong interval needs 2)",
                 churners, what, name);
    else
        snprintf(buf, size, "only %zu retained account in %s %s (the DeLong "
                            "interval needs 2)", rows - churners, what, name);
}

hc_status hc_validate_segments(const hc_model *m, const int32_t *seg, const double *y,
                               const double *risk, const int32_t *cluster, size_t n,
                               hc_validate_result *res, hc_error *err)
{
    size_t ns = m->n_segments;
    if (ns == 0)
        return HC_OK;
    int other = 0;
    for (size_t i = 0; i < n && !other; i++)
        other = seg[i] < 0 || (size_t)seg[i] >= ns;
    size_t total = ns + (size_t)other;
    unsigned char *keep = malloc(n ? n : 1);
    double *y2 = malloc((n ? n : 1) * sizeof *y2), *r2 = malloc((n ? n : 1) * sizeof *r2);
    int32_t *c2 = cluster ? malloc((n ? n : 1) * sizeof *c2) : NULL;
    res->segments = calloc(total, sizeof *res->segments);
    if (!keep || !y2 || !r2 || (cluster && !c2) || !res->segments) {
        free(keep);
        free(y2);
        free(r2);
        free(c2);
        return hc_error_nomem(err);
    }
    res->n_segments = total;
    hc_status st = HC_OK;
    for (size_t s = 0; s < total && st == HC_OK; s++) {
        hc_validate_segment *g = &res->segments[s];
        const char *name = s < ns ? m->segments[s].value : "(other)";
        if (!(g->name = strdup(name))) {
            st = hc_error_nomem(err);
            break;
        }
        for (size_t i = 0; i < n; i++)
            keep[i] = s < ns ? seg[i] == (int32_t)s : (seg[i] < 0 || (size_t)seg[i] >= ns);
        char why[160] = "";
        piece_auc(y, risk, cluster, keep, n, y2, r2, c2, 1, &g->n, &g->churners,
                  &g->estimable, &g->auc, &g->auc_ci_low, &g->auc_ci_high, why, sizeof why);
        if (!g->estimable) {
            if (why[0])
                snprintf(g->not_estimable, sizeof g->not_estimable, "segment %s: %s", name,
                         why);
            else
                piece_reason(g->not_estimable, sizeof g->not_estimable, "segment", name,
                             g->n, g->churners, 2);
            res->n_not_estimable++;
        }
    }
    free(keep);
    free(y2);
    free(r2);
    free(c2);
    return st;
}

hc_status hc_validate_components(const hc_model *m, const double *sub, size_t stride,
                                 const double *y, size_t n, hc_validate_result *res,
                                 hc_error *err)
{
    size_t nc = m->n_components;
    if (nc == 0)
        return HC_OK;
    unsigned char *keep = malloc(n ? n : 1);
    double *y2 = malloc((n ? n : 1) * sizeof *y2), *r2 = malloc((n ? n : 1) * sizeof *r2);
    double *risk = malloc((n ? n : 1) * sizeof *risk);
    res->components = calloc(nc, sizeof *res->components);
    hc_status st = HC_OK;
    if (!keep || !y2 || !r2 || !risk || !res->components) {
        st = hc_error_nomem(err);
        goto done;
    }
    res->n_components = nc;
    for (size_t k = 0; k < nc; k++) {
        hc_validate_component *c = &res->components[k];
        if (!(c->name = strdup(m->components[k].name))) {
            st = hc_error_nomem(err);
            goto done;
        }
        /* A sub-score is a health: low = risk, as the model uses it. */
        for (size_t i = 0; i < n; i++) {
            double v = sub[k * stride + i];
            keep[i] = isfinite(v) != 0;
            risk[i] = keep[i] ? -v : 0.0;
        }
        piece_auc(y, risk, NULL, keep, n, y2, r2, NULL, 0, &c->n, &c->churners,
                  &c->estimable, &c->auc, NULL, NULL, NULL, 0);
        if (!c->estimable) {
            piece_reason(c->not_estimable, sizeof c->not_estimable, "component", c->name,
                         c->n, c->churners, 1);
            res->n_not_estimable++;
        }
    }
done:
    free(keep);
    free(y2);
    free(r2);
    free(risk);
    return st;
}

/* The rule (stated in hc_validate.h): the score, or a component alone, with
 * a ROC AUC above the level; or the best component alone more than
 * HC_VALIDATE_LEAKAGE_GAP above the second best. Each component is named
 * once, with every reason that applies. */
void hc_validate_leakage_warnings(hc_validate_result *res)
{
    double level = res->leakage_auc > 0 ? res->leakage_auc : HC_VALIDATE_LEAKAGE_AUC;
    res->leakage_auc = level;
    res->n_warnings = 0;
    size_t best = SIZE_MAX, second = SIZE_MAX;
    for (size_t k = 0; k < res->n_components; k++) {
        const hc_validate_component *c = &res->components[k];
        if (!c->estimable)
            continue;
        if (best == SIZE_MAX || c->auc > res->components[best].auc) {
            second = best;
            best = k;
        } else if (second == SIZE_MAX || c->auc > res->components[second].auc) {
            second = k;
        }
    }
    for (size_t k = 0; k < res->n_components; k++) {
        const hc_validate_component *c = &res->components[k];
        if (!c->estimable)
            continue;
        int high = c->auc > level;
        int gap = k == best && second != SIZE_MAX &&
                  c->auc - res->components[second].auc > HC_VALIDATE_LEAKAGE_GAP;
        if (!high && !gap)
            continue;
        char why[200] = "";
        if (high && gap)
            snprintf(why, sizeof why, "above %.2f and %.3f above the next best "
                                      "component ('%s', %.3f)",
                     level, c->auc - res->components[second].auc,
                     res->components[second].name, res->components[second].auc);
        else if (high)
            snprintf(why, sizeof why, "above %.2f", level);
        else
            snprintf(why, sizeof why, "%.3f above the next best component ('%s', %.3f; "
                                      "the rule is %.2f)",
                     c->auc - res->components[second].auc, res->components[second].name,
                     res->components[second].auc, HC_VALIDATE_LEAKAGE_GAP);
        hc_validate_warn(res, "possible leakage: component '%s' alone has ROC AUC %.3f, %s; "
                              "published user-churn benchmarks (RelBench) reach 0.52-0.70. "
                              "Check the timestamps of its columns: a value recorded after "
                              "the snapshot date knows the future",
                         c->name, c->auc, why);
    }
    if (res->summary.n && res->summary.roc_auc > level)
        hc_validate_warn(res, "possible leakage: the score's ROC AUC %.3f is above %.2f, "
                              "far above published user-churn benchmarks (RelBench, "
                              "0.52-0.70). Check that no input was recorded after the "
                              "snapshot date",
                         res->summary.roc_auc, level);
}
