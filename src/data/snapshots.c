/* snapshots.c - loading a snapshot history: role columns, checks, same-day timestamps, the account index. */
#define _GNU_SOURCE /* qsort_r */
#include "hc_history.h"
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_date.h"

#include <stdlib.h>
#include <string.h>

static const char *or_default(const char *name, const char *def)
{
    return name && *name ? name : def;
}

void hc_snapshots_release(hc_snapshots *s)
{
    if (!s)
        return;
    hc_table_free(s->table);
    hc_table_free(s->users);
    free(s->order);
    free(s->account_start);
    memset(s, 0, sizeof *s);
}

/* Sorts each account's run of row indexes by date. Exports are usually
 * already in date order, so insertion sort is linear in practice; long
 * unsorted runs fall back to a merge through qsort. */
static const int32_t *sort_dates;

static int by_date(const void *a, const void *b)
{
    int32_t da = sort_dates[*(const uint32_t *)a];
    int32_t db = sort_dates[*(const uint32_t *)b];
    if (da != db)
        return da < db ? -1 : 1;
    uint32_t ra = *(const uint32_t *)a, rb = *(const uint32_t *)b;
    return ra < rb ? -1 : ra > rb;
}

static void sort_run(uint32_t *run, size_t n, const int32_t *date)
{
    size_t inversions = 0;
    for (size_t i = 1; i < n; i++)
        inversions += date[run[i - 1]] > date[run[i]];
    if (inversions == 0)
        return;
    if (inversions > 8) {
        sort_dates = date;
        qsort(run, n, sizeof *run, by_date);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        uint32_t v = run[i];
        size_t j = i;
        while (j > 0 && date[run[j - 1]] > date[v]) {
            run[j] = run[j - 1];
            j--;
        }
        run[j] = v;
    }
}

static hc_status build_index(hc_snapshots *s, hc_error *err)
{
    const hc_table *t = s->table;
    const hc_column *id = &t->cols[s->id_col];
    const int32_t *date = t->cols[s->date_col].code;
    size_t n = t->n_rows, k = hc_strpool_count(id->pool);
    for (size_t r = 0; r < n; r++) {
        if (id->code[r] < 0)
            return hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r),
                                s->id_col + 1, "column '%s': account id is missing",
                                id->name);
        /* The CSV loader rejects an empty date, but a table built in memory
         * can hold one: it must not reach the label arithmetic. */
        if (date[r] == HC_DATE_MISSING)
            return hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r),
                                s->date_col + 1, "column '%s': snapshot date is missing",
                                t->cols[s->date_col].name);
    }
    s->n_accounts = k;
    s->order = malloc((n ? n : 1) * sizeof *s->order);
    s->account_start = calloc(k + 1, sizeof *s->account_start);
    if (!s->order || !s->account_start)
        return hc_error_nomem(err);
    /* Counting sort by account code: stable, O(n). */
    for (size_t r = 0; r < n; r++)
        s->account_start[id->code[r] + 1]++;
    for (size_t a = 0; a < k; a++)
        s->account_start[a + 1] += s->account_start[a];
    uint32_t *fill = malloc((k ? k : 1) * sizeof *fill);
    if (!fill)
        return hc_error_nomem(err);
    memcpy(fill, s->account_start, k * sizeof *fill);
    for (size_t r = 0; r < n; r++)
        s->order[fill[id->code[r]]++] = (uint32_t)r;
    free(fill);
    s->first_date = INT32_MAX;
    s->last_date = INT32_MIN;
    for (size_t a = 0; a < k; a++) {
        uint32_t *run = s->order + s->account_start[a];
        size_t m = s->account_start[a + 1] - s->account_start[a];
        sort_run(run, m, date);
        for (size_t i = 1; i < m; i++)
            if (date[run[i]] == date[run[i - 1]]) {
                char d[11];
                hc_date_format(date[run[i]], d);
                return hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, run[i]), 0,
                                    "duplicate snapshot for account '%s' on %s "
                                    "(also on line %u); several rows of an account "
                                    "on one date are user rows: a config's \"rollup\" "
                                    "rolls them up (fit, validate, backtest)",
                                    hc_strpool_get(id->pool, (int32_t)a), d,
                                    hc_table_line(t, run[i - 1]));
            }
        if (m) {
            if (date[run[0]] < s->first_date)
                s->first_date = date[run[0]];
            if (date[run[m - 1]] > s->last_date)
                s->last_date = date[run[m - 1]];
        }
    }
    return HC_OK;
}

static int role_column(hc_table *t, const char *name, hc_coltype type)
{
    int c = hc_table_find(t, name);
    return c >= 0 && t->cols[c].type == type ? c : -1;
}

/* Sort key of the same-day rule: account, date, time of day, row. */
typedef struct {
    const int32_t *id, *date, *tod;
} day_key;

static int by_account_day(const void *a, const void *b, void *ctx)
{
    const day_key *k = ctx;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (k->id[i] != k->id[j])
        return k->id[i] < k->id[j] ? -1 : 1;
    if (k->date[i] != k->date[j])
        return k->date[i] < k->date[j] ? -1 : 1;
    if (k->tod[i] != k->tod[j])
        return k->tod[i] < k->tod[j] ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Several snapshots of one account on one date, told apart by their
 * times (timestamps that became the same date in the time zone): the
 * latest wins and the others are dropped and counted. Rows without a
 * time, or two at the very same time, cannot be ordered and stay for
 * build_index to report as duplicates. Frees the time-of-day array. */
static hc_status supersede_same_day(hc_table *t, int id_col, int date_col,
                                    size_t *dropped, hc_error *err)
{
    hc_column *dc = &t->cols[date_col];
    *dropped = 0;
    if (!dc->tod)
        return HC_OK;
    size_t n = t->n_rows;
    uint32_t *idx = malloc((n ? n : 1) * sizeof *idx);
    unsigned char *keep = malloc(n ? n : 1);
    if (!idx || !keep) {
        free(idx);
        free(keep);
        return hc_error_nomem(err);
    }
    for (size_t r = 0; r < n; r++)
        idx[r] = (uint32_t)r;
    memset(keep, 1, n);
    day_key key = {t->cols[id_col].code, dc->code, dc->tod};
    qsort_r(idx, n, sizeof *idx, by_account_day, &key);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && key.id[idx[j]] == key.id[idx[i]] &&
               key.date[idx[j]] == key.date[idx[i]])
            j++;
        int orderable = key.id[idx[i]] >= 0 && key.tod[idx[i]] >= 0 &&
                        (j - i < 2 || key.tod[idx[j - 1]] != key.tod[idx[j - 2]]);
        if (orderable && j - i > 1) {
            for (size_t q = i; q + 1 < j; q++)
                keep[idx[q]] = 0;
            *dropped += j - i - 1;
        }
        i = j;
    }
    free(idx);
    hc_status st = *dropped ? hc_table_keep_rows(t, keep) : HC_OK;
    free(keep);
    if (st != HC_OK)
        return hc_error_nomem(err);
    free(dc->tod);
    dc->tod = NULL;
    return HC_OK;
}

hc_status hc_snapshots_from_table(hc_table *table, const hc_snapshot_columns *cols,
                                  hc_snapshots *out, hc_error *err)
{
    hc_snapshot_columns none = {0};
    if (!cols)
        cols = &none;
    memset(out, 0, sizeof *out);
    const char *id = or_default(cols->account_id, "account_id");
    const char *date = or_default(cols->snapshot_date, "snapshot_date");
    /* User rows first become account rows (the caller keeps `table` on
     * failure; on success it is replaced by the rolled-up one). */
    hc_table *orig = table;
    if (cols->rollup) {
        int ic = role_column(table, id, HC_COL_TEXT), dc = role_column(table, date, HC_COL_DATE);
        if (ic < 0 || dc < 0)
            return hc_error_set(err, HC_EDATA, table->source, 0, 0,
                                "required column '%s' is missing", ic < 0 ? id : date);
        hc_table *rolled;
        hc_rollup_counts rc;
        hc_status rs = hc_rollup_apply(table, cols->rollup, ic, dc, &rolled, &rc, err);
        if (rs != HC_OK)
            return rs;
        table = rolled;
        out->rollup = rc;
    }
    hc_rollup_counts keep_counts = out->rollup;
    out->table = table;
    out->id_col = role_column(table, id, HC_COL_TEXT);
    out->date_col = role_column(table, date, HC_COL_DATE);
    out->segment_col = role_column(table, or_default(cols->segment, "segment"), HC_COL_TEXT);
    out->arr_col = role_column(table, or_default(cols->arr, "arr"), HC_COL_NUM);
    hc_status st = HC_OK;
    if (out->id_col < 0 || out->date_col < 0)
        st = hc_error_set(err, HC_EDATA, table->source, 0, 0,
                          "required column '%s' is missing",
                          out->id_col < 0 ? id : date);
    else if (table->n_rows == 0)
        st = hc_error_set(err, HC_EDATA, table->source, 0, 0,
                          "no data rows after the header");
    else if ((st = supersede_same_day(table, out->id_col, out->date_col, &out->superseded,
                                      err)) == HC_OK)
        st = build_index(out, err);
    if (st != HC_OK) {
        out->table = NULL; /* ownership stays with the caller on failure */
        hc_snapshots_release(out);
        if (table != orig)
            hc_table_free(table);
    } else if (table != orig) {
        if (cols->keep_user_rows)
            out->users = orig;
        else
            hc_table_free(orig);
        out->rollup = keep_counts;
    }
    return st;
}

/* The header of a file, read by stopping after one record. */
typedef struct {
    char **names;
    size_t n;
    int got;
} header_ctx;

static hc_status on_header(void *ctx, const hc_csv_record *rec, hc_error *err)
{
    header_ctx *h = ctx;
    if (h->got)
        return HC_EIO;
    h->names = calloc(rec->n ? rec->n : 1, sizeof *h->names);
    if (!h->names)
        return hc_error_nomem(err);
    for (size_t i = 0; i < rec->n; i++) {
        if (!(h->names[i] = strdup(rec->fields[i])))
            return hc_error_nomem(err);
        h->n = i + 1;
    }
    h->got = 1;
    return HC_EIO; /* stop: the header is all we need */
}

/* Every column of the header in file order: the role specs, then each
 * other column, text when listed in `text` (n_text), else a number. *out
 * gets a malloc'd array (the names point into *h), *n its length; NULL
 * when the header cannot be read (the load then reports the file). */
static hc_status header_specs(const char *path, const hc_csv_options *co,
                              const hc_colspec *roles, size_t n_roles,
                              const char *const *text, size_t n_text, header_ctx *h,
                              hc_colspec **out, size_t *n, hc_error *err)
{
    hc_csv_options o = *co;
    hc_error herr;
    hc_error_clear(&herr);
    *out = NULL;
    if (hc_csv_read(path, &o, on_header, h, &herr) == HC_ENOMEM && !h->got)
        return hc_error_nomem(err);
    if (!h->got)
        return HC_OK;
    hc_colspec *spec = malloc((n_roles + h->n) * sizeof *spec);
    if (!spec)
        return hc_error_nomem(err);
    memcpy(spec, roles, n_roles * sizeof *spec);
    size_t c = n_roles;
    for (size_t i = 0; i < h->n; i++) {
        int role = 0, is_text = 0;
        for (size_t j = 0; j < n_roles; j++)
            role |= strcmp(roles[j].name, h->names[i]) == 0;
        for (size_t j = 0; j < n_text; j++)
            is_text |= strcmp(text[j], h->names[i]) == 0;
        if (!role)
            spec[c++] = (hc_colspec){h->names[i], is_text ? HC_COL_TEXT : HC_COL_NUM, 1};
    }
    *out = spec;
    /* A listed column the header lacks: required, so the loader names it. */
    for (size_t j = 0; j < n_text; j++) {
        size_t i = 0;
        while (i < h->n && strcmp(text[j], h->names[i]) != 0)
            i++;
        if (i == h->n) {
            spec[n_roles] = (hc_colspec){text[j], HC_COL_TEXT, 1};
            c = n_roles + 1;
            break;
        }
    }
    *n = c;
    return HC_OK;
}

hc_status hc_snapshots_load(const char *path, const hc_snapshot_load_options *opt,
                            hc_snapshots *out, hc_error *err)
{
    const hc_snapshot_columns *c = &opt->columns;
    hc_colspec spec[4 + 256];
    size_t n = 0;
    spec[n++] = (hc_colspec){or_default(c->account_id, "account_id"), HC_COL_TEXT, 1};
    spec[n++] = (hc_colspec){or_default(c->snapshot_date, "snapshot_date"), HC_COL_DATE, 1};
    spec[n++] = (hc_colspec){or_default(c->segment, "segment"), HC_COL_TEXT,
                             c->segment_explicit};
    spec[n++] = (hc_colspec){or_default(c->arr, "arr"), HC_COL_NUM, c->arr_explicit};
    if (opt->metrics && opt->n_metrics > 256)
        return hc_error_set(err, HC_EUSAGE, path, 0, 0,
                            "more than 256 metric columns requested");
    for (size_t i = 0; opt->metrics && i < opt->n_metrics; i++) {
        hc_coltype type = HC_COL_NUM;
        for (size_t j = 0; j < c->n_text_metrics; j++)
            if (strcmp(c->text_metrics[j], opt->metrics[i]) == 0)
                type = HC_COL_TEXT;
        spec[n++] = (hc_colspec){opt->metrics[i], type, 1};
    }
    hc_load_options lo = {
        .csv = {.delimiter = opt->delimiter},
        .cols = spec,
        .n_cols = n,
        .extra = opt->metrics ? HC_EXTRA_SKIP : HC_EXTRA_NUM,
        .negative_error_col = 3,
        .ingest = opt->ingest,
    };
    /* Every column loaded, some of them as text (label --text-cols): name
     * them all in the file's order, so that the table keeps it. */
    header_ctx h = {0};
    hc_colspec *all = NULL;
    hc_status st = HC_OK;
    if (!opt->metrics && c->n_text_metrics > 0) {
        if (strcmp(path, "-") != 0)
            st = header_specs(path, &lo.csv, spec, n, c->text_metrics, c->n_text_metrics,
                              &h, &all, &lo.n_cols, err);
        if (st == HC_OK && all) {
            lo.cols = all;
        } else if (st == HC_OK) {
            for (size_t j = 0; j < c->n_text_metrics && n < sizeof spec / sizeof *spec; j++)
                spec[n++] = (hc_colspec){c->text_metrics[j], HC_COL_TEXT, 1};
            lo.n_cols = n;
        }
    }
    hc_table *t = NULL;
    if (st == HC_OK)
        st = hc_table_load_csv(path, &lo, &t, err);
    free(all);
    for (size_t i = 0; i < h.n; i++)
        free(h.names[i]);
    free(h.names);
    if (st != HC_OK)
        return st;
    st = hc_snapshots_from_table(t, c, out, err);
    if (st != HC_OK)
        hc_table_free(t);
    return st;
}
