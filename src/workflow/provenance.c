/* provenance.c - the fit rows' fingerprint in a tuned config, and the in-sample check of validate and backtest. */
#include "hc_provenance.h"
#include "hc_date.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* What a row's key is made of: the id, date and metric columns of the
 * table (metric columns the table lacks are -1 and hash as missing). */
typedef struct {
    const hc_table *t;
    int id_col, date_col;
    size_t n_cols;
    int *cols;
    uint64_t *id_hash;       /* per interned id code, computed once */
    size_t n_ids;
} row_keys;

static hc_status keys_init(const hc_model *m, const hc_history *h, row_keys *k,
                           hc_error *err)
{
    memset(k, 0, sizeof *k);
    const hc_snapshots *s = &h->snapshots;
    k->t = s->table;
    k->id_col = s->id_col;
    k->date_col = s->date_col;
    hc_colspec *specs;
    size_t n_specs;
    hc_status st = hc_model_required_columns(m, &specs, &n_specs, err);
    if (st != HC_OK)
        return st;
    /* The first four specs are the role columns (hc_model.h); the key
     * takes the first HC_PROVENANCE_KEY_METRICS metric columns. */
    k->n_cols = n_specs > 4 ? n_specs - 4 : 0;
    if (k->n_cols > HC_PROVENANCE_KEY_METRICS)
        k->n_cols = HC_PROVENANCE_KEY_METRICS;
    k->cols = malloc((k->n_cols ? k->n_cols : 1) * sizeof *k->cols);
    const hc_strpool *pool = s->table->cols[s->id_col].pool;
    k->n_ids = hc_strpool_count(pool);
    k->id_hash = malloc((k->n_ids ? k->n_ids : 1) * sizeof *k->id_hash);
    if (!k->cols || !k->id_hash) {
        free(specs);
        free(k->cols);
        free(k->id_hash);
        return hc_error_nomem(err);
    }
    for (size_t j = 0; j < k->n_cols; j++) {
        int c = hc_table_find(k->t, specs[4 + j].name);
        k->cols[j] = c >= 0 && k->t->cols[c].type == HC_COL_NUM ? c : -1;
    }
    free(specs);
    for (size_t i = 0; i < k->n_ids; i++)
        k->id_hash[i] = fnv1a(hc_strpool_get(pool, (int32_t)i));
    return HC_OK;
}

static void keys_release(row_keys *k)
{
    free(k->cols);
    free(k->id_hash);
}

static uint64_t row_key(const row_keys *k, size_t r)
{
    const hc_column *id = &k->t->cols[k->id_col];
    int32_t code = id->code[r]; /* never missing: hc_snapshots_load checks */
    uint64_t h = mix64(code >= 0 ? k->id_hash[code] : 0);
    h = mix64(h ^ (uint64_t)(uint32_t)k->t->cols[k->date_col].code[r]);
    for (size_t j = 0; j < k->n_cols; j++) {
        double v = k->cols[j] >= 0 ? hc_table_num(k->t, k->cols[j], r) : NAN;
        uint64_t bits = 0x7ff8dead00000000ULL; /* missing, one pattern */
        if (!isnan(v)) {
            if (v == 0)
                v = 0; /* -0 and 0 alike */
            memcpy(&bits, &v, sizeof bits);
        }
        h = mix64(h ^ bits);
    }
    return h;
}

/* A bottom-k set: the k smallest keys seen, as a max-heap. */
typedef struct {
    uint64_t v[HC_PROVENANCE_SKETCH];
    size_t n;
} bottom_k;

static void sift_down(uint64_t *v, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, big = i;
        if (l < n && v[l] > v[big])
            big = l;
        if (l + 1 < n && v[l + 1] > v[big])
            big = l + 1;
        if (big == i)
            return;
        uint64_t x = v[i];
        v[i] = v[big];
        v[big] = x;
        i = big;
    }
}

static void bottom_k_add(bottom_k *b, uint64_t key)
{
    if (b->n < HC_PROVENANCE_SKETCH) {
        for (size_t i = 0; i < b->n; i++)
            if (b->v[i] == key)
                return;
        size_t i = b->n++;
        b->v[i] = key;
        while (i > 0 && b->v[(i - 1) / 2] < b->v[i]) {
            uint64_t x = b->v[i];
            b->v[i] = b->v[(i - 1) / 2];
            b->v[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
        return;
    }
    if (key >= b->v[0])
        return;
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i] == key)
            return;
    b->v[0] = key;
    sift_down(b->v, b->n, 0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static json_t *date_json(int32_t day)
{
    char buf[11];
    hc_date_format(day, buf);
    return json_string(buf);
}

json_t *hc_provenance_fit_rows(const hc_model *m, const hc_history *h)
{
    const hc_labels *l = &h->labels;
    row_keys k;
    hc_error err;
    if (l->observations == 0 || keys_init(m, h, &k, &err) != HC_OK)
        return NULL;
    bottom_k b;
    memset(&b, 0, sizeof b);
    const int32_t *date = h->snapshots.table->cols[h->snapshots.date_col].code;
    int32_t first = INT32_MAX, last = INT32_MIN;
    size_t rows = 0;
    for (size_t r = 0; r < l->n_rows; r++) {
        if (l->status[r] != HC_ROW_OBSERVATION)
            continue;
        rows++;
        first = date[r] < first ? date[r] : first;
        last = date[r] > last ? date[r] : last;
        bottom_k_add(&b, row_key(&k, r));
    }
    keys_release(&k);
    qsort(b.v, b.n, sizeof *b.v, cmp_u64);
    json_t *sketch = json_array();
    for (size_t i = 0; sketch && i < b.n; i++) {
        char hex[17];
        snprintf(hex, sizeof hex, "%016" PRIx64, b.v[i]);
        if (json_array_append_new(sketch, json_string(hex)) != 0) {
            json_decref(sketch);
            sketch = NULL;
        }
    }
    if (!sketch)
        return NULL;
    return json_pack("{s:o, s:o, s:I, s:o, s:s}", "first_date", date_json(first),
                     "last_date", date_json(last), "rows", (json_int_t)rows, "sketch",
                     sketch, "method",
                     "bottom-256 sketch of row keys: hash of account id, snapshot date "
                     "and the config's first two metric values");
}

/* Reads fit_rows from m's provenance into the overlap record and the
 * sorted sketch; returns 0 when absent, 1 when read, -1 on a malformed
 * object (err set). */
static int read_fit_rows(const hc_model *m, hc_provenance_overlap *o, uint64_t *sketch,
                         size_t *n_sketch, hc_error *err)
{
    json_t *fr = m->provenance ? json_object_get(m->provenance, "fit_rows") : NULL;
    if (!fr)
        return 0;
    const char *d0 = json_string_value(json_object_get(fr, "first_date"));
    const char *d1 = json_string_value(json_object_get(fr, "last_date"));
    json_t *rows = json_object_get(fr, "rows");
    json_t *sk = json_object_get(fr, "sketch");
    if (!d0 || !d1 || !json_is_integer(rows) || !json_is_array(sk) ||
        json_array_size(sk) > HC_PROVENANCE_SKETCH ||
        hc_date_parse(d0, strlen(d0), &o->fit_first) != 0 ||
        hc_date_parse(d1, strlen(d1), &o->fit_last) != 0) {
        hc_error_set(err, HC_EDATA, NULL, 0, 0,
                     "provenance.fit_rows of config '%s': expected first_date, last_date "
                     "(YYYY-MM-DD), rows and a sketch of at most %d hex keys",
                     m->name ? m->name : "?", HC_PROVENANCE_SKETCH);
        return -1;
    }
    o->fit_rows = (size_t)json_integer_value(rows);
    *n_sketch = json_array_size(sk);
    for (size_t i = 0; i < *n_sketch; i++) {
        const char *hex = json_string_value(json_array_get(sk, i));
        char *end = NULL;
        if (!hex || strlen(hex) != 16 || (sketch[i] = strtoull(hex, &end, 16), *end)) {
            hc_error_set(err, HC_EDATA, NULL, 0, 0,
                         "provenance.fit_rows.sketch[%zu] of config '%s': not a 16-digit "
                         "hex key", i, m->name ? m->name : "?");
            return -1;
        }
    }
    qsort(sketch, *n_sketch, sizeof *sketch, cmp_u64);
    return 1;
}

hc_status hc_provenance_check(const hc_model *m, const hc_history *h, int32_t from,
                              int32_t to, const char *what,
                              hc_provenance_overlap *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    uint64_t sketch[HC_PROVENANCE_SKETCH];
    size_t n_sketch = 0;
    int got = read_fit_rows(m, out, sketch, &n_sketch, err);
    if (got < 0)
        return HC_EDATA;
    if (got == 0)
        return HC_OK;
    out->known = 1;
    int32_t lo = out->fit_first, hi = out->fit_last;
    if (from != HC_DATE_MISSING && from > lo)
        lo = from;
    if (to != HC_DATE_MISSING && to < hi)
        hi = to;
    if (lo > hi)
        return HC_OK;
    /* The sketch is every fitted key when it is not full. */
    int complete = n_sketch < HC_PROVENANCE_SKETCH || out->fit_rows <= n_sketch;
    uint64_t top = n_sketch ? sketch[n_sketch - 1] : 0;
    row_keys k;
    hc_status st = keys_init(m, h, &k, err);
    if (st != HC_OK)
        return st;
    const hc_labels *l = &h->labels;
    const int32_t *date = h->snapshots.table->cols[h->snapshots.date_col].code;
    size_t found = 0;
    out->overlap_first = INT32_MAX;
    out->overlap_last = INT32_MIN;
    for (size_t r = 0; r < l->n_rows; r++) {
        if (l->status[r] != HC_ROW_OBSERVATION)
            continue;
        if ((from == HC_DATE_MISSING || date[r] >= from) &&
            (to == HC_DATE_MISSING || date[r] <= to))
            out->evaluated_rows++;
        if (date[r] < lo || date[r] > hi)
            continue;
        out->overlap_rows++;
        out->overlap_first = date[r] < out->overlap_first ? date[r] : out->overlap_first;
        out->overlap_last = date[r] > out->overlap_last ? date[r] : out->overlap_last;
        uint64_t key = row_key(&k, r);
        if (!complete && key > top)
            continue;
        out->compared++;
        found += bsearch(&key, sketch, n_sketch, sizeof *sketch, cmp_u64) != NULL;
    }
    keys_release(&k);
    if (out->overlap_rows == 0)
        return HC_OK;
    char a[11], b[11], f0[11], f1[11];
    hc_date_format(out->overlap_first, a);
    hc_date_format(out->overlap_last, b);
    hc_date_format(out->fit_first, f0);
    hc_date_format(out->fit_last, f1);
    if (out->compared) {
        out->share_estimated = 1;
        out->share = (double)found / (double)out->compared;
        out->fitted_share = out->share * (double)out->overlap_rows / (double)out->evaluated_rows;
        out->in_sample = out->fitted_share >= HC_PROVENANCE_MIN_SHARE;
        if (out->in_sample)
            snprintf(out->text, sizeof out->text,
                     "in-sample: the config was fitted on %zu observation rows dated %s to "
                     "%s, and %s%.0f%% of %s (%zu rows; those dated %s to %s) are among "
                     "them, so its weights were chosen to fit these outcomes and the "
                     "metrics flatter it; evaluate it on rows after %s, or backtest the "
                     "config it was tuned from with --tuned",
                     out->fit_rows, f0, f1, complete ? "" : "about ",
                     100 * out->fitted_share, what, out->evaluated_rows, a, b, f1);
    } else {
        /* No evaluated key at or below the sketch's largest: were the rows
         * fitted, about overlap_rows x sketch / fit_rows of them would be
         * (Poisson); with 3 or more expected, none seen says they were not
         * (chance e^-3). Fewer expected: too few to tell, and the rows are
         * not taken as fitted (a refusal needs evidence). */
        double expected = (double)out->overlap_rows * (double)n_sketch /
                          (double)(out->fit_rows ? out->fit_rows : 1);
        out->share_estimated = expected >= 3.0;
        out->fitted_share = 0.0;
        return HC_OK;
    }
    return HC_OK;
}
