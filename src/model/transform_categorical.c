/* transform_categorical.c - categorical transforms: text levels to sub-scores, set by hand or learned from churn rates with smoothing and an optional monotone order. */
#include "hc_model.h"
#include "model_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest matching form compared; longer cells are cut here (two levels
 * that differ only beyond it count as one). */
#define NORM_MAX 256

static int is_space(unsigned char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' || ch == '\v' ||
           ch == '\f';
}

size_t hc_categorical_norm(const char *s, size_t len, char *buf, size_t size)
{
    size_t a = 0, b = len;
    while (a < b && is_space((unsigned char)s[a]))
        a++;
    while (b > a && is_space((unsigned char)s[b - 1]))
        b--;
    size_t n = 0;
    for (size_t i = a; i < b && n + 1 < size; i++) {
        unsigned char ch = (unsigned char)s[i];
        buf[n++] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    }
    if (size)
        buf[n] = '\0';
    return n;
}

static int same_level(const char *a, const char *b)
{
    char na[NORM_MAX], nb[NORM_MAX];
    hc_categorical_norm(a, strlen(a), na, sizeof na);
    hc_categorical_norm(b, strlen(b), nb, sizeof nb);
    return strcmp(na, nb) == 0;
}

int hc_categorical_find(const hc_categorical *c, const char *s)
{
    char ns[NORM_MAX], nl[NORM_MAX];
    hc_categorical_norm(s, strlen(s), ns, sizeof ns);
    for (size_t i = 0; i < c->n_levels; i++) {
        hc_categorical_norm(c->names[i], strlen(c->names[i]), nl, sizeof nl);
        if (strcmp(ns, nl) == 0)
            return (int)i;
    }
    return -1;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

void hc_categorical_free(hc_categorical *c)
{
    if (!c)
        return;
    free_names(c->names, c->n_levels);
    free(c->score);
    free_names(c->order, c->n_order);
    free(c);
}

static char **dup_names(char *const *src, size_t n)
{
    char **d = calloc(n ? n : 1, sizeof *d);
    for (size_t i = 0; d && i < n; i++)
        if (!(d[i] = strdup(src[i]))) {
            free_names(d, i);
            return NULL;
        }
    return d;
}

hc_categorical *hc_categorical_dup(const hc_categorical *src)
{
    hc_categorical *c = malloc(sizeof *c);
    if (!c)
        return NULL;
    *c = *src;
    c->names = dup_names(src->names, src->n_levels);
    c->order = dup_names(src->order, src->n_order);
    c->score = malloc((src->n_levels ? src->n_levels : 1) * sizeof *c->score);
    if (!c->names || !c->order || !c->score) {
        if (c->names)
            free_names(c->names, src->n_levels);
        if (c->order)
            free_names(c->order, src->n_order);
        free(c->score);
        free(c);
        return NULL;
    }
    if (src->n_levels)
        memcpy(c->score, src->score, src->n_levels * sizeof *c->score);
    return c;
}

hc_status hc_transform_categorical_init(hc_transform *tf, hc_error *err)
{
    hc_categorical *c = calloc(1, sizeof *c);
    if (!c)
        return hc_error_nomem(err);
    c->prior_weight = HC_CAT_PRIOR_WEIGHT;
    c->max_levels = HC_CAT_MAX_LEVELS;
    hc_transform_release(tf);
    tf->type = HC_TF_CATEGORICAL;
    tf->cat = c;
    return HC_OK;
}

hc_status hc_transform_categorical_add(hc_transform *tf, const char *name,
                                       double score, hc_error *err)
{
    hc_categorical *c = tf->cat;
    char nb[NORM_MAX];
    if (!c)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "not a categorical transform");
    if (hc_categorical_norm(name, strlen(name), nb, sizeof nb) == 0)
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "level '%s' is empty once surrounding spaces are "
                            "removed", name);
    int dup = hc_categorical_find(c, name);
    if (dup >= 0)
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "level '%s' is the same level as '%s' (levels "
                            "match ignoring case and surrounding spaces)",
                            name, c->names[dup]);
    char **names = realloc(c->names, (c->n_levels + 1) * sizeof *names);
    if (!names)
        return hc_error_nomem(err);
    c->names = names;
    double *sc = realloc(c->score, (c->n_levels + 1) * sizeof *sc);
    if (!sc)
        return hc_error_nomem(err);
    c->score = sc;
    if (!(c->names[c->n_levels] = strdup(name)))
        return hc_error_nomem(err);
    c->score[c->n_levels++] = score;
    return HC_OK;
}

hc_status hc_categorical_validate(const hc_categorical *c, const char *path,
                                  const char *file, hc_error *err)
{
    if (!c)
        return hc_error_set(err, HC_EDATA, file, 0, 0, "%s.levels: missing", path);
    if (!(c->prior_weight > 0) || !isfinite(c->prior_weight))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.prior_weight: must be a finite number > 0 (got "
                            "%.17g)", path, c->prior_weight);
    if (c->max_levels < 1)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.max_levels: must be at least 1", path);
    if (!c->learn && c->n_levels == 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.levels: needs at least one level (or \"learn\": "
                            "true to learn them with healthcal fit)", path);
    if (c->n_levels > c->max_levels)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.levels: %zu levels, more than max_levels %zu", path,
                            c->n_levels, c->max_levels);
    if (c->unseen_other && !(c->other >= 0 && c->other <= 100))
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s.other: must be a score in [0, 100] (got %.17g)", path,
                            c->other);
    char nb[NORM_MAX];
    for (size_t i = 0; i < c->n_levels; i++) {
        if (hc_categorical_norm(c->names[i], strlen(c->names[i]), nb, sizeof nb) == 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.levels: a level is empty once surrounding "
                                "spaces are removed", path);
        if (!(c->score[i] >= 0 && c->score[i] <= 100))
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.levels.%s: score must be in [0, 100] (got %.17g)",
                                path, c->names[i], c->score[i]);
        for (size_t j = 0; j < i; j++)
            if (same_level(c->names[i], c->names[j]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.levels: '%s' and '%s' are the same level "
                                    "(levels match ignoring case and surrounding "
                                    "spaces)", path, c->names[j], c->names[i]);
    }
    /* The declared order: distinct levels; with levels, each one of them
     * and every level in it, scores non-decreasing along it. */
    double prev = -1;
    const char *prev_name = NULL;
    for (size_t i = 0; i < c->n_order; i++) {
        for (size_t j = 0; j < i; j++)
            if (same_level(c->order[i], c->order[j]))
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.order: '%s' is listed twice", path,
                                    c->order[i]);
        if (c->n_levels == 0)
            continue;
        int l = hc_categorical_find(c, c->order[i]);
        if (l < 0)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.order: '%s' is not one of the levels", path,
                                c->order[i]);
        if (c->score[l] < prev)
            return hc_error_set(err, HC_EDATA, file, 0, 0,
                                "%s.levels: '%s' scores %.17g, less than '%s' (%.17g) "
                                "which the order puts before it (the order lists "
                                "levels worst first)", path, c->names[l],
                                c->score[l], prev_name, prev);
        prev = c->score[l];
        prev_name = c->names[l];
    }
    if (c->n_order > 0 && c->n_levels > 0 && c->n_order != c->n_levels)
        for (size_t i = 0; i < c->n_levels; i++) {
            size_t j = 0;
            while (j < c->n_order && !same_level(c->names[i], c->order[j]))
                j++;
            if (j == c->n_order)
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s.order: level '%s' is not in the order", path,
                                    c->names[i]);
        }
    return HC_OK;
}

/* Per pool code: the index of its distinct level (matching form) in
 * `forms` (n_forms of them, each NORM_MAX bytes), -1 for an empty cell.
 * HC_EDATA past max_levels distinct forms. */
static hc_status code_levels(const hc_categorical *c, const hc_column *col,
                             const char *key, const char *file, int32_t *lev,
                             char **forms_out, size_t *n_forms, hc_error *err)
{
    size_t nc = col->pool ? hc_strpool_count(col->pool) : 0;
    size_t cap = c->max_levels + 1;
    char *forms = malloc(cap * NORM_MAX);
    if (!forms)
        return hc_error_nomem(err);
    size_t nf = 0;
    for (size_t k = 0; k < nc; k++) {
        const char *s = hc_strpool_get(col->pool, (int32_t)k);
        char nb[NORM_MAX];
        if (hc_categorical_norm(s, strlen(s), nb, sizeof nb) == 0) {
            lev[k] = -1;
            continue;
        }
        size_t f = 0;
        while (f < nf && strcmp(forms + f * NORM_MAX, nb) != 0)
            f++;
        if (f == nf) {
            if (nf == c->max_levels) {
                free(forms);
                return hc_error_set(err, HC_EDATA, file, 0, 0,
                                    "%s: column '%s' has more than %zu distinct "
                                    "levels (max_levels of its categorical "
                                    "transform); is it a free-text or id column?",
                                    key, col->name, c->max_levels);
            }
            memcpy(forms + nf * NORM_MAX, nb, NORM_MAX);
            nf++;
        }
        lev[k] = (int32_t)f;
    }
    *forms_out = forms;
    *n_forms = nf;
    return HC_OK;
}

hc_status hc_categorical_code_map(const hc_transform *tf, const hc_table *t,
                                  int col, const char *key, const char *file,
                                  double **map, unsigned char **unseen,
                                  hc_error *err)
{
    const hc_categorical *c = tf->cat;
    const hc_column *cl = &t->cols[col];
    *map = NULL;
    if (unseen)
        *unseen = NULL;
    if (!c || c->n_levels == 0)
        return hc_error_set(err, HC_EDATA, file, 0, 0,
                            "%s: the categorical transform of column '%s' has no "
                            "levels; learn them on training rows first (healthcal "
                            "fit)", key, cl->name);
    size_t nc = cl->pool ? hc_strpool_count(cl->pool) : 0;
    int32_t *lev = malloc((nc ? nc : 1) * sizeof *lev);
    double *mp = malloc((nc ? nc : 1) * sizeof *mp);
    unsigned char *un = unseen ? calloc(nc ? nc : 1, 1) : NULL;
    char *forms = NULL;
    size_t nf = 0;
    hc_status st = HC_OK;
    if (!lev || !mp || (unseen && !un))
        st = hc_error_nomem(err);
    else
        st = code_levels(c, cl, key, file, lev, &forms, &nf, err);
    if (st == HC_OK) {
        /* Each distinct form against the levels once. */
        double *fscore = malloc((nf ? nf : 1) * sizeof *fscore);
        int *fseen = malloc((nf ? nf : 1) * sizeof *fseen);
        if (!fscore || !fseen) {
            st = hc_error_nomem(err);
        } else {
            for (size_t f = 0; f < nf; f++) {
                int l = hc_categorical_find(c, forms + f * NORM_MAX);
                fseen[f] = l >= 0;
                fscore[f] = l >= 0 ? c->score[l] : c->unseen_other ? c->other : NAN;
            }
            for (size_t k = 0; k < nc; k++) {
                mp[k] = lev[k] < 0 ? NAN : fscore[lev[k]];
                if (un)
                    un[k] = lev[k] >= 0 && !fseen[lev[k]];
            }
        }
        free(fscore);
        free(fseen);
    }
    free(forms);
    free(lev);
    if (st != HC_OK) {
        free(mp);
        free(un);
        return st;
    }
    *map = mp;
    if (unseen)
        *unseen = un;
    return HC_OK;
}

/* Weighted pool-adjacent-violators: replaces r[0..m) (weights w) by the
 * weighted least-squares non-increasing fit. */
static hc_status pav_nonincreasing(double *r, const double *w, size_t m, hc_error *err)
{
    double *bv = malloc((m ? m : 1) * sizeof *bv), *bw = malloc((m ? m : 1) * sizeof *bw);
    size_t *bn = malloc((m ? m : 1) * sizeof *bn);
    if (!bv || !bw || !bn) {
        free(bv);
        free(bw);
        free(bn);
        return hc_error_nomem(err);
    }
    size_t nb = 0;
    for (size_t i = 0; i < m; i++) {
        bv[nb] = r[i];
        bw[nb] = w[i];
        bn[nb] = 1;
        nb++;
        /* A later block above an earlier one violates non-increase. */
        while (nb > 1 && bv[nb - 1] > bv[nb - 2]) {
            double ww = bw[nb - 2] + bw[nb - 1];
            bv[nb - 2] = (bw[nb - 2] * bv[nb - 2] + bw[nb - 1] * bv[nb - 1]) / ww;
            bw[nb - 2] = ww;
            bn[nb - 2] += bn[nb - 1];
            nb--;
        }
    }
    for (size_t b = 0, i = 0; b < nb; b++)
        for (size_t q = 0; q < bn[b]; q++)
            r[i++] = bv[b];
    free(bv);
    free(bw);
    free(bn);
    return HC_OK;
}

static double logit(double p)
{
    return log(p / (1.0 - p));
}

hc_status hc_categorical_learn(hc_transform *tf, const hc_table *t, int col,
                               const uint8_t *churn, const size_t *rows,
                               size_t n, hc_error *err)
{
    hc_categorical *c = tf->cat;
    const hc_column *cl = &t->cols[col];
    if (tf->type != HC_TF_CATEGORICAL || !c)
        return hc_error_set(err, HC_EDATA, NULL, 0, 0,
                            "cannot learn levels for a %s transform",
                            hc_transform_type_name(tf->type));
    size_t nc = cl->pool ? hc_strpool_count(cl->pool) : 0;
    int32_t *lev = malloc((nc ? nc : 1) * sizeof *lev);
    if (!lev)
        return hc_error_nomem(err);
    char *forms = NULL;
    size_t nf = 0;
    hc_status st = code_levels(c, cl, "transform", NULL, lev, &forms, &nf, err);
    if (st != HC_OK) {
        free(lev);
        return st;
    }
    /* Levels: the order's when declared, else the training rows' forms in
     * code order (first appearance in the file), spelled as the first
     * cell of each, trimmed. */
    size_t nl = c->n_order ? c->n_order : nf;
    double *nrow = calloc(nl ? nl : 1, sizeof *nrow), *kch = calloc(nl ? nl : 1, sizeof *kch);
    int32_t *form_level = malloc((nf ? nf : 1) * sizeof *form_level);
    int32_t *first_code = malloc((nf ? nf : 1) * sizeof *first_code);
    char **names = calloc(nl ? nl : 1, sizeof *names);
    double *score = malloc((nl ? nl : 1) * sizeof *score);
    double *wt = malloc((nl ? nl : 1) * sizeof *wt);
    if (!nrow || !kch || !form_level || !first_code || !names || !score || !wt) {
        st = hc_error_nomem(err);
        goto done;
    }
    for (size_t f = 0; f < nf; f++) {
        first_code[f] = -1;
        form_level[f] = (int32_t)f;
    }
    for (size_t k = 0; k < nc; k++)
        if (lev[k] >= 0 && first_code[lev[k]] < 0)
            first_code[lev[k]] = (int32_t)k;
    if (c->n_order) {
        for (size_t f = 0; f < nf; f++) {
            size_t j = 0;
            while (j < c->n_order && !same_level(forms + f * NORM_MAX, c->order[j]))
                j++;
            form_level[f] = j < c->n_order ? (int32_t)j : -1;
        }
    }
    size_t N = 0;
    double K = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        int32_t code = cl->code[r];
        if (code < 0 || lev[code] < 0)
            continue;
        int32_t l = form_level[lev[code]];
        if (l < 0) {
            const char *s = hc_strpool_get(cl->pool, code);
            st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                              "level '%s' of column '%s' (line %u of %s) is not in "
                              "the transform's order", s, cl->name,
                              hc_table_line(t, r), t->source ? t->source : "<memory>");
            goto done;
        }
        nrow[l] += 1;
        kch[l] += churn[r] ? 1 : 0;
        N++;
        K += churn[r] ? 1 : 0;
    }
    if (N == 0) {
        st = hc_error_set(err, HC_EDATA, NULL, 0, 0,
                          "cannot learn the levels of column '%s': no level among "
                          "%zu training rows (every cell missing)", cl->name, n);
        goto done;
    }
    if (!c->n_order) {
        /* Only the levels of the training rows: a level seen elsewhere in
         * the table stays unseen, as in a later table. */
        size_t q = 0;
        for (size_t l = 0; l < nl; l++)
            if (nrow[l] > 0) {
                nrow[q] = nrow[l];
                kch[q] = kch[l];
                first_code[q] = first_code[l];
                q++;
            }
        nl = q;
    }
    double p0 = K / (double)N, a = c->prior_weight;
    for (size_t l = 0; l < nl; l++) {
        score[l] = (kch[l] + a * p0) / (nrow[l] + a);
        wt[l] = nrow[l] + a;
    }
    if (c->n_order && (st = pav_nonincreasing(score, wt, nl, err)) != HC_OK)
        goto done;
    double other = 50;
    if (p0 > 0 && p0 < 1) {
        double lmin = INFINITY, lmax = -INFINITY;
        for (size_t l = 0; l < nl; l++) {
            double L = logit(score[l]);
            lmin = L < lmin ? L : lmin;
            lmax = L > lmax ? L : lmax;
        }
        double range = lmax - lmin;
        for (size_t l = 0; l < nl; l++)
            score[l] = range > 1e-12 ? 100.0 * ((lmax - logit(score[l])) / range) : 50.0;
        if (range > 1e-12) {
            other = 100.0 * ((lmax - logit(p0)) / range);
            other = other < 0 ? 0 : other > 100 ? 100 : other;
        }
    } else {
        for (size_t l = 0; l < nl; l++)
            score[l] = 50.0; /* no churner (or all): no level tells */
    }
    for (size_t l = 0; l < nl; l++) {
        const char *src = NULL;
        char nb[NORM_MAX];
        if (c->n_order) {
            src = c->order[l];
        } else {
            const char *s = hc_strpool_get(cl->pool, first_code[l]);
            size_t len = strlen(s), b0 = 0;
            while (b0 < len && is_space((unsigned char)s[b0]))
                b0++;
            while (len > b0 && is_space((unsigned char)s[len - 1]))
                len--;
            size_t w = len - b0 < sizeof nb - 1 ? len - b0 : sizeof nb - 1;
            memcpy(nb, s + b0, w);
            nb[w] = '\0';
            src = nb;
        }
        if (!(names[l] = strdup(src))) {
            st = hc_error_nomem(err);
            goto done;
        }
    }
    free_names(c->names, c->n_levels);
    free(c->score);
    c->names = names;
    c->score = score;
    c->n_levels = nl;
    c->other = other;
    names = NULL;
    score = NULL;
done:
    if (names)
        free_names(names, nl);
    free(score);
    free(wt);
    free(nrow);
    free(kch);
    free(form_level);
    free(first_code);
    free(forms);
    free(lev);
    return st;
}
