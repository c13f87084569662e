/* model_check.h - the rules of a model's parts and the copy helpers that the model's files share (private to src/model). */
#ifndef HC_MODEL_CHECK_H
#define HC_MODEL_CHECK_H

#include "hc_model.h"

#include <stdlib.h>
#include <string.h>

/* The keys of `columns` in schema order (account_id, snapshot_date,
 * segment, arr), which are also the default column names; model.c. */
extern const char *const hc_model_role_columns[4];

/* A copy of `s`, or NULL when s is NULL or out of memory. */
static inline char *dup_str(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* A malloc'd copy of the n doubles at `src`, or NULL when src is NULL or
 * out of memory (n == 0 still allocates, so NULL means one of those). */
static inline double *dup_doubles(const double *src, size_t n)
{
    if (!src)
        return NULL;
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, src, n * sizeof *d);
    return d;
}

/* The checks below are shared by hc_model_validate (a whole model) and the
 * setters (one part before it replaces the model's), so that both give the
 * same HC_EDATA message. `path` is the part's key path (e.g.
 * "segments.smb.weights"), `file` goes into err->file. They live in
 * model_validate.c. */

/* The n_components weights `w`: each finite and >= 0, summing to 1 within
 * HC_WEIGHT_SUM_TOL. */
hc_status hc_model_check_weights(const hc_model *m, const double *w,
                                 const char *path, const char *file,
                                 hc_error *err);

/* A churn model's intercept and slope are finite (absent is valid). */
hc_status hc_model_check_churn(const hc_churn_model *c, const char *path,
                               const char *file, hc_error *err);

/* An expansion model's intercept and its n_components coefficients are
 * finite (absent is valid). */
hc_status hc_model_check_expansion(const hc_model *m,
                                   const hc_expansion_model *e,
                                   const char *path, const char *file,
                                   hc_error *err);

/* At least one band; names non-empty and unique; mins finite, the first 0,
 * strictly increasing, all <= 100. */
hc_status hc_model_check_bands(size_t n, const hc_band *bands,
                               const char *file, hc_error *err);

/* Checks an expansion model of intercept and n_components coefficients
 * `coef` (borrowed) for `m`, then fills *out with it, the coefficients
 * copied (the caller owns out->coef). HC_EDATA naming `path`; HC_ENOMEM. */
hc_status hc_model_make_expansion(const hc_model *m, double intercept,
                                  const double *coef, const char *path,
                                  hc_expansion_model *out, hc_error *err);

/* Categorical parameters (transform_categorical.c): free (NULL is a
 * no-op), deep copy (NULL when out of memory), and the schema's rules
 * (HC_EDATA naming keys under `path`). */
void hc_categorical_free(hc_categorical *c);
hc_categorical *hc_categorical_dup(const hc_categorical *src);
hc_status hc_categorical_validate(const hc_categorical *c, const char *path,
                                  const char *file, hc_error *err);

#endif
