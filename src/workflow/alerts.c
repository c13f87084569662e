/* alerts.c - alerts from a predict run: worsened bands and crossed P(churn) levels, new ones only, as JSON Lines. */
#include "hc_alerts.h"
#include "hc_date.h"
#include "hc_outfile.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[] = {"band_worsened", "p_churn_crossed"};
#define N_REASONS 2

void hc_alert_options_init(hc_alert_options *opt)
{
    opt->p_level = NAN;
    opt->previous = NULL;
}

void hc_alert_list_release(hc_alert_list *l)
{
    if (!l)
        return;
    free(l->alerts);
    memset(l, 0, sizeof *l);
}

/* ---- alerts already sent ------------------------------------------------ */

/* One alert already sent: its key "account\ndate" and reasons (bits). */
typedef struct {
    char *key;
    int reasons;
} sent_alert;

typedef struct {
    size_t n, cap;
    sent_alert *a;
} sent_set;

static void sent_release(sent_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->a[i].key);
    free(s->a);
}

static char *make_key(const char *account, const char *date)
{
    size_t n = strlen(account) + strlen(date) + 2;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s\n%s", account, date);
    return k;
}

static int cmp_sent(const void *a, const void *b)
{
    return strcmp(((const sent_alert *)a)->key, ((const sent_alert *)b)->key);
}

/* Reads the JSON Lines file at `path` into *s, sorted by key, merging the
 * reasons of repeated keys. Blank lines are skipped. */
static hc_status read_sent(const char *path, sent_set *s, hc_error *err)
{
    memset(s, 0, sizeof *s);
    FILE *f = fopen(path, "r");
    if (!f)
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    size_t lineno = 0;
    hc_status st = HC_OK;
    while (st == HC_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (strspn(line, " \t\r\n") == (size_t)len)
            continue;
        json_error_t je;
        json_t *o = json_loadb(line, (size_t)len, 0, &je);
        json_t *acc = json_object_get(o, "account_id");
        json_t *date = json_object_get(o, "snapshot_date");
        json_t *rs = json_object_get(o, "reasons");
        if (!json_is_object(o) || !json_is_string(acc) || !json_is_string(date) ||
            !json_is_array(rs)) {
            json_decref(o);
            st = hc_error_set(err, HC_EDATA, path, lineno, 0,
                              "not a healthcal alert (a JSON object with "
                              "account_id, snapshot_date and reasons)");
            break;
        }
        int bits = 0;
        size_t i;
        json_t *r;
        json_array_foreach(rs, i, r)
            for (int b = 0; b < N_REASONS; b++)
                if (json_is_string(r) && strcmp(json_string_value(r), reason_names[b]) == 0)
                    bits |= 1 << b;
        if (s->n == s->cap) {
            size_t nc = s->cap ? 2 * s->cap : 64;
            sent_alert *na = realloc(s->a, nc * sizeof *na);
            if (!na) {
                json_decref(o);
                st = hc_error_nomem(err);
                break;
            }
            s->a = na;
            s->cap = nc;
        }
        char *key = make_key(json_string_value(acc), json_string_value(date));
        json_decref(o);
        if (!key) {
            st = hc_error_nomem(err);
            break;
        }
        s->a[s->n++] = (sent_alert){key, bits};
    }
    if (st == HC_OK && ferror(f))
        st = hc_error_set(err, HC_EIO, path, 0, 0, "read error");
    free(line);
    fclose(f);
    if (st != HC_OK) {
        sent_release(s);
        memset(s, 0, sizeof *s);
        return st;
    }
    qsort(s->a, s->n, sizeof *s->a, cmp_sent);
    size_t o = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (o > 0 && strcmp(s->a[o - 1].key, s->a[i].key) == 0) {
            s->a[o - 1].reasons |= s->a[i].reasons;
            free(s->a[i].key);
        } else {
            s->a[o++] = s->a[i];
        }
    }
    s->n = o;
    return HC_OK;
}

static int sent_reasons(const sent_set *s, const char *key)
{
    sent_alert probe = {(char *)key, 0};
    const sent_alert *hit = bsearch(&probe, s->a, s->n, sizeof *s->a, cmp_sent);
    return hit ? hit->reasons : 0;
}

/* ---- finding alerts ----------------------------------------------------- */

/* The table row of the account's snapshot just before `row`, or -1. */
static long previous_row(const hc_snapshots *s, int32_t account, uint32_t row)
{
    const uint32_t *o = s->order;
    for (uint32_t i = s->account_start[account]; i < s->account_start[account + 1]; i++)
        if (o[i] == row)
            return i > s->account_start[account] ? (long)o[i - 1] : -1;
    return -1;
}

hc_status hc_alerts_find(const hc_predict_result *res, const hc_alert_options *opt,
                         hc_alert_list *out, hc_error *err)
{
    memset(out, 0, sizeof *out);
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    const hc_table *t = s->table;
    sent_set sent = {0, 0, NULL};
    hc_status st;
    if (opt->previous && (st = read_sent(opt->previous, &sent, err)) != HC_OK)
        return st;
    out->previous_read = sent.n;
    size_t n = res->n ? res->n : 1;
    size_t *prow = malloc(n * sizeof *prow);
    long *which = malloc(n * sizeof *which);
    double *ph = malloc(n * sizeof *ph), *pp = malloc(n * sizeof *pp);
    int32_t *pb = malloc(n * sizeof *pb);
    out->alerts = malloc(n * sizeof *out->alerts);
    if (!prow || !which || !ph || !pp || !pb || !out->alerts) {
        st = hc_error_nomem(err);
        goto done;
    }
    /* Score every previous snapshot at once, with the same function. */
    size_t np = 0;
    for (size_t i = 0; i < res->n; i++) {
        long r = previous_row(s, res->rows[i].account, res->rows[i].row);
        which[i] = r < 0 ? -1 : (long)np;
        if (r >= 0)
            prow[np++] = (size_t)r;
    }
    hc_score_out so = {0};
    so.health = ph;
    so.band = pb;
    so.p_churn = pp;
    if (np && (st = hc_model_score_rows(m, t, prow, 0, np, 1, &so, err)) != HC_OK)
        goto done;
    const int32_t *date = t->cols[s->date_col].code;
    for (size_t i = 0; i < res->n; i++) {
        const hc_prediction *p = &res->rows[i];
        if (p->status == HC_PREDICT_CHURNED)
            continue;
        hc_alert a = {i, 0, which[i] >= 0, 0, NAN, -1, NAN};
        if (a.has_previous) {
            size_t j = (size_t)which[i];
            a.previous_date = date[prow[j]];
            a.previous_health = ph[j];
            a.previous_band = pb[j];
            a.previous_p_churn = pp[j];
        }
        if (p->fell)
            a.reasons |= HC_ALERT_BAND_WORSENED;
        if (!isnan(opt->p_level) && p->p_churn >= opt->p_level &&
            !(a.previous_p_churn >= opt->p_level))
            a.reasons |= HC_ALERT_P_CROSSED;
        if (!a.reasons)
            continue;
        if (sent.n) {
            char d[11];
            hc_date_format(p->date, d);
            char *key = make_key(hc_table_text(t, s->id_col, p->row), d);
            if (!key) {
                st = hc_error_nomem(err);
                goto done;
            }
            int old = sent_reasons(&sent, key);
            free(key);
            if ((a.reasons & ~old) == 0) {
                out->suppressed++;
                continue;
            }
            a.reasons &= ~old;
        }
        out->alerts[out->n++] = a;
    }
    st = HC_OK;
done:
    free(prow);
    free(which);
    free(ph);
    free(pp);
    free(pb);
    sent_release(&sent);
    if (st != HC_OK)
        hc_alert_list_release(out);
    return st;
}

/* ---- writing ------------------------------------------------------------ */

static json_t *jnum(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *jdate(int has, int32_t day)
{
    char d[11];
    if (!has || day == HC_DATE_MISSING)
        return json_null();
    hc_date_format(day, d);
    return json_string(d);
}

static json_t *jband(const hc_model *m, int32_t b)
{
    return b >= 0 && (size_t)b < m->n_bands ? json_string(m->bands[b].name) : json_null();
}

static void put(json_t *o, const char *key, json_t *v, int *bad)
{
    if (!v || json_object_set_new(o, key, v) != 0)
        *bad = 1;
}

static json_t *alert_json(const hc_predict_result *res, const hc_alert_options *opt,
                          const hc_alert *a)
{
    const hc_model *m = res->model;
    const hc_snapshots *s = res->snapshots;
    const hc_prediction *p = &res->rows[a->row];
    int bad = 0;
    json_t *o = json_object();
    if (!o)
        return NULL;
    put(o, "schema", json_string(HC_ALERT_SCHEMA), &bad);
    put(o, "account_id", json_string(hc_table_text(s->table, s->id_col, p->row)), &bad);
    put(o, "snapshot_date", jdate(1, p->date), &bad);
    put(o, "previous_date", jdate(a->has_previous, a->previous_date), &bad);
    json_t *rs = json_array();
    for (int b = 0; b < N_REASONS && rs; b++)
        if (a->reasons & (1 << b) && json_array_append_new(rs, json_string(reason_names[b])))
            bad = 1;
    put(o, "reasons", rs, &bad);
    put(o, "band", jband(m, p->band), &bad);
    put(o, "previous_band", jband(m, a->previous_band), &bad);
    put(o, "health", jnum(p->health), &bad);
    put(o, "previous_health", jnum(a->previous_health), &bad);
    put(o, "p_churn", jnum(p->p_churn), &bad);
    put(o, "previous_p_churn", jnum(a->previous_p_churn), &bad);
    put(o, "alert_p", jnum(opt->p_level), &bad);
    const char *seg = s->segment_col >= 0 ? hc_table_text(s->table, s->segment_col, p->row)
                                          : NULL;
    put(o, "segment", seg && *seg ? json_string(seg) : json_null(), &bad);
    put(o, "arr", jnum(p->arr), &bad);
    put(o, "arr_at_risk", jnum(p->at_risk), &bad);
    json_t *dr = json_array();
    for (int j = 0; j < HC_PREDICT_DRIVERS && dr; j++) {
        if (p->driver[j] < 0)
            continue;
        json_t *d = json_object();
        int dbad = 0;
        if (d) {
            put(d, "component", json_string(m->components[p->driver[j]].name), &dbad);
            put(d, "points", jnum(p->driver_points[j]), &dbad);
        }
        if (!d || dbad || json_array_append_new(dr, d))
            bad = 1;
    }
    put(o, "drivers", dr, &bad);
    put(o, "status", json_string(hc_predict_status_name(p->status)), &bad);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

hc_status hc_alerts_write(const hc_predict_result *res, const hc_alert_options *opt,
                          const hc_alert_list *l, const char *path, hc_error *err)
{
    hc_outfile *of;
    hc_status st = hc_outfile_open(path, &of, err);
    if (st != HC_OK)
        return st;
    FILE *f = hc_outfile_stream(of);
    for (size_t i = 0; i < l->n; i++) {
        json_t *o = alert_json(res, opt, &l->alerts[i]);
        /* JSON_ENSURE_ASCII: \u escapes keep every line plain ASCII, so no
         * id or name can break a line (jansson escapes control bytes). */
        int rc = o ? json_dumpf(o, f, JSON_COMPACT | JSON_ENSURE_ASCII |
                                          JSON_REAL_PRECISION(17))
                   : -1;
        int built = o != NULL;
        json_decref(o);
        if (rc != 0) {
            hc_outfile_abort(of);
            return built ? hc_error_set(err, HC_EIO, path, 0, 0, "cannot write JSON")
                         : hc_error_nomem(err);
        }
        putc('\n', f);
    }
    return hc_outfile_commit(of, err);
}
