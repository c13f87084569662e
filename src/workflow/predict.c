/* predict.c - the predict workflow: score each account's latest snapshot, drivers, band changes, churned and stale accounts, summary. */
#include "hc_predict.h"
#include "hc_trace.h"
#include "hc_csv.h"
#include "hc_date.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hc_predict_options_init(hc_predict_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->as_of = HC_DATE_MISSING;
    opt->risk_draws = HC_PREDICT_RISK_DRAWS;
    opt->seed = HC_PREDICT_SEED_DEFAULT;
    opt->stale_days = -1;
}

void hc_predict_result_release(hc_predict_result *res)
{
    if (!res)
        return;
    free(res->rows);
    free(res->sub);
    free(res->reference);
    free(res->reference_rule);
    free(res->band_accounts);
    free(res->band_arr);
    free(res->stale_rows);
    free(res->keep_cols);
    memset(res, 0, sizeof *res);
}

/* ---- drivers ------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The reference sub-scores r_k of every segment group (see hc_predict.h).
 * `book` lists, per account, the scored index of its latest snapshot. */
static hc_status build_reference(hc_predict_result *res, const int32_t *group,
                                 const size_t *book, size_t n_book,
                                 const double *sub, size_t stride,
                                 const double *health, const int32_t *band,
                                 hc_error *err)
{
    size_t G = res->n_groups, K = res->n_components;
    int top = res->n_bands ? (int)res->n_bands - 1 : -2;
    res->reference = malloc(G * K * sizeof *res->reference);
    res->reference_rule = malloc(G * sizeof *res->reference_rule);
    size_t *members = malloc((G + 1) * sizeof *members);
    size_t *n_top = calloc(G, sizeof *n_top);
    double *hbuf = malloc((n_book ? n_book : 1) * sizeof *hbuf);
    double *sum = malloc(K * sizeof *sum);
    size_t *cnt = malloc(K * sizeof *cnt);
    size_t *idx = malloc((n_book ? n_book : 1) * sizeof *idx);
    if (!res->reference || !res->reference_rule || !members || !n_top ||
        !hbuf || !sum || !cnt || !idx) {
        free(members);
        free(n_top);
        free(hbuf);
        free(sum);
        free(cnt);
        free(idx);
        return hc_error_nomem(err);
    }
    /* Group the book by segment (counting sort keeps it O(accounts)). */
    memset(members, 0, (G + 1) * sizeof *members);
    for (size_t a = 0; a < n_book; a++)
        members[group[book[a]] + 1]++;
    for (size_t g = 0; g < G; g++)
        members[g + 1] += members[g];
    size_t *fill = calloc(G, sizeof *fill);
    if (!fill) {
        free(members);
        free(n_top);
        free(hbuf);
        free(sum);
        free(cnt);
        free(idx);
        return hc_error_nomem(err);
    }
    for (size_t a = 0; a < n_book; a++) {
        size_t g = (size_t)group[book[a]];
        idx[members[g] + fill[g]++] = book[a];
        n_top[g] += band[book[a]] == top;
    }
    free(fill);
    for (size_t g = 0; g < G; g++) {
        const size_t *gi = idx + members[g];
        size_t ng = members[g + 1] - members[g];
        double median = NAN;
        int rule;
        if (ng == 0) {
            rule = -1;
        } else if (n_top[g] > 0) {
            rule = 0;
        } else {
            size_t nh = 0;
            for (size_t i = 0; i < ng; i++)
                if (!isnan(health[gi[i]]))
                    hbuf[nh++] = health[gi[i]];
            rule = 2;
            if (nh > 0) {
                qsort(hbuf, nh, sizeof *hbuf, cmp_double);
                median = nh % 2 ? hbuf[nh / 2]
                                : 0.5 * (hbuf[nh / 2 - 1] + hbuf[nh / 2]);
                if (hbuf[nh - 1] > median)
                    rule = 1;
            }
        }
        res->reference_rule[g] = rule;
        for (size_t k = 0; k < K; k++) {
            sum[k] = 0;
            cnt[k] = 0;
        }
        for (size_t i = 0; i < ng && (rule == 0 || rule == 1); i++) {
            size_t r = gi[i];
            int healthy = rule == 0 ? band[r] == top
                                    : !isnan(health[r]) && health[r] > median;
            if (!healthy)
                continue;
            for (size_t k = 0; k < K; k++) {
                double s = sub[k * stride + r];
                if (!isnan(s)) {
                    sum[k] += s;
                    cnt[k]++;
                }
            }
        }
        for (size_t k = 0; k < K; k++)
            res->reference[g * K + k] = cnt[k] ? sum[k] / (double)cnt[k] : 100.0;
    }
    free(members);
    free(n_top);
    free(hbuf);
    free(sum);
    free(cnt);
    free(idx);
    return HC_OK;
}

/* Fills the drivers of one row: d_k = w'_k (r_k - s_k), the top three
 * d_k >= HC_PREDICT_DRIVER_MIN. `w` is a K-double scratch buffer. */
static void find_drivers(const hc_model *m, int seg, const double *sub,
                         size_t stride, const double *ref, double *w,
                         hc_prediction *p)
{
    size_t K = m->n_components;
    for (int j = 0; j < HC_PREDICT_DRIVERS; j++) {
        p->driver[j] = -1;
        p->driver_points[j] = NAN;
    }
    hc_model_weights_for(m, seg, w);
    double wsum = 0;
    for (size_t k = 0; k < K; k++)
        if (!isnan(sub[k * stride]))
            wsum += w[k];
    if (!(wsum > 0))
        return;
    for (size_t k = 0; k < K; k++) {
        double s = sub[k * stride];
        if (isnan(s))
            continue;
        double d = w[k] / wsum * (ref[k] - s);
        if (!(d >= HC_PREDICT_DRIVER_MIN))
            continue;
        /* Insert into the sorted top list; equal points keep component
         * order because only a strictly larger value moves ahead. */
        int pos = HC_PREDICT_DRIVERS;
        while (pos > 0 && (p->driver[pos - 1] < 0 ||
                           d > p->driver_points[pos - 1]))
            pos--;
        if (pos >= HC_PREDICT_DRIVERS)
            continue;
        for (int j = HC_PREDICT_DRIVERS - 1; j > pos; j--) {
            p->driver[j] = p->driver[j - 1];
            p->driver_points[j] = p->driver_points[j - 1];
        }
        p->driver[pos] = (int32_t)k;
        p->driver_points[pos] = d;
    }
}

/* ---- ordering ----------------------------------------------------------- */

/* qsort has no context argument; the comparison reads the id column here.
 * Predict runs one sort at a time (the library is not used from threads). */
static const hc_column *sort_ids;

/* Descending order of a key with missing values last; 0 on a tie. */
static int desc_missing_last(double a, double b)
{
    int na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na - nb;
    return a > b ? -1 : a < b;
}

static int cmp_prediction(const void *pa, const void *pb)
{
    const hc_prediction *a = pa, *b = pb;
    int c;
    if (a->status != b->status)
        return a->status < b->status ? -1 : 1;
    if ((c = desc_missing_last(a->at_risk, b->at_risk)) != 0 ||
        (c = desc_missing_last(a->p_churn, b->p_churn)) != 0 ||
        (c = desc_missing_last(-a->health, -b->health)) != 0)
        return c;
    if (a->account != b->account) {
        c = strcmp(hc_strpool_get(sort_ids->pool, a->account),
                   hc_strpool_get(sort_ids->pool, b->account));
        if (c != 0)
            return c;
    }
    return a->date < b->date ? -1 : a->date > b->date;
}

/* ---- the workflow ------------------------------------------------------- */

/* Scored rows: for each account a contiguous run of its snapshots in date
 * order, the last one its latest on or before as_of. */
typedef struct {
    size_t n;
    size_t *row;        /* table rows, for hc_model_score_rows */
    uint32_t *account;  /* account code of each scored row */
    size_t *book;       /* per account in the book: scored index of its latest */
    size_t n_book;
} selection;

static void selection_release(selection *s)
{
    free(s->row);
    free(s->account);
    free(s->book);
}

static hc_status select_rows(const hc_snapshots *s, int32_t as_of, int all,
                             selection *sel, size_t *later, hc_error *err)
{
    const int32_t *date = s->table->cols[s->date_col].code;
    size_t A = s->n_accounts;
    memset(sel, 0, sizeof *sel);
    *later = 0;
    /* First pass: how many rows. */
    size_t n = 0;
    for (size_t a = 0; a < A; a++) {
        size_t lo = s->account_start[a], hi = s->account_start[a + 1];
        size_t j = hi;
        while (j > lo && date[s->order[j - 1]] > as_of)
            j--;
        if (j == lo) {
            (*later)++;
            continue;
        }
        n += all ? j - lo : (j - lo >= 2 ? 2 : 1);
    }
    sel->row = malloc((n ? n : 1) * sizeof *sel->row);
    sel->account = malloc((n ? n : 1) * sizeof *sel->account);
    sel->book = malloc((A ? A : 1) * sizeof *sel->book);
    if (!sel->row || !sel->account || !sel->book) {
        selection_release(sel);
        return hc_error_nomem(err);
    }
    for (size_t a = 0; a < A; a++) {
        size_t lo = s->account_start[a], hi = s->account_start[a + 1];
        size_t j = hi;
        while (j > lo && date[s->order[j - 1]] > as_of)
            j--;
        if (j == lo)
            continue;
        size_t from = all ? lo : (j - lo >= 2 ? j - 2 : j - 1);
        for (size_t q = from; q < j; q++) {
            sel->row[sel->n] = s->order[q];
            sel->account[sel->n] = (uint32_t)a;
            sel->n++;
        }
        sel->book[sel->n_book++] = sel->n - 1;
    }
    return HC_OK;
}


/* Which book accounts have churned (hc_predict.h, "Churned accounts"):
 * gone[a] = 1 for such an account code. Compacts sel->book to the other
 * accounts and fills the churned and returned counts. O(rows + events). */
static void leave_out_churned(const hc_snapshots *s, const hc_events *e, int32_t as_of,
                              selection *sel, unsigned char *gone, hc_predict_result *res)
{
    const hc_table *t = s->table;
    const int32_t *date = t->cols[s->date_col].code;
    size_t kept = 0;
    for (size_t a = 0; a < sel->n_book; a++) {
        size_t i = sel->book[a];
        uint32_t acct = sel->account[i];
        int32_t latest = date[sel->row[i]];
        /* The last churn event on or before as_of (events are sorted by
         * date within the account). */
        int32_t churn = HC_DATE_MISSING;
        int found = 0;
        for (uint32_t k = e->account_start[acct + 1]; k > e->account_start[acct]; k--)
            if (e->type[k - 1] == HC_EVENT_CHURN && e->date[k - 1] <= as_of) {
                churn = e->date[k - 1];
                found = 1;
                break;
            }
        if (found && latest <= churn) {
            double arr = s->arr_col >= 0 ? hc_table_num(t, s->arr_col, sel->row[i]) : NAN;
            gone[acct] = 1;
            res->churned_accounts++;
            res->churned_arr += isnan(arr) ? 0.0 : arr;
            continue;
        }
        res->returned_accounts += found;
        sel->book[kept++] = i;
    }
    sel->n_book = kept;
}

/* Resolves the kept columns to table indexes (res->keep_cols). */
static hc_status resolve_keep(const hc_predict_options *opt, hc_predict_result *res,
                              hc_error *err)
{
    const hc_table *t = opt->snapshots->table;
    hc_status st = hc_predict_check_keep(opt->keep, opt->n_keep, opt->model->horizon_days,
                                         err);
    if (st != HC_OK || opt->n_keep == 0)
        return st;
    res->keep_cols = malloc(opt->n_keep * sizeof *res->keep_cols);
    if (!res->keep_cols)
        return hc_error_nomem(err);
    res->n_keep = opt->n_keep;
    for (size_t i = 0; i < opt->n_keep; i++)
        if ((res->keep_cols[i] = hc_table_find(t, opt->keep[i])) < 0)
            return hc_error_set(err, HC_EDATA, t->source, 1, 0,
                                "kept column '%.200s' is not in the header", opt->keep[i]);
    return HC_OK;
}

hc_status hc_predict_run(const hc_predict_options *opt, hc_predict_result *res,
                         hc_error *err)
{
    memset(res, 0, sizeof *res);
    const hc_model *m = opt->model;
    const hc_snapshots *s = opt->snapshots;
    if (!m || !s || !s->table)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "predict: a model and snapshots are required");
    const hc_table *t = s->table;
    const hc_events *ev = opt->events;
    if (ev && ev->n_accounts != s->n_accounts)
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "predict: the events were matched to another snapshot table");
    int32_t as_of = opt->as_of == HC_DATE_MISSING ? s->last_date : opt->as_of;
    if (as_of < s->first_date) {
        char a[11], f[11];
        hc_date_format(as_of, a);
        hc_date_format(s->first_date, f);
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "the as-of date %s is before the first snapshot "
                            "(%s) of %s", a, f, t->source);
    }
    hc_status st = resolve_keep(opt, res, err);
    if (st != HC_OK) {
        hc_predict_result_release(res);
        return st;
    }
    size_t K = m->n_components;
    res->model = m;
    res->snapshots = s;
    res->as_of = as_of;
    res->all_snapshots = opt->all_snapshots;
    res->horizon_days = m->horizon_days;
    res->n_components = K;
    res->n_bands = m->n_bands;
    res->stale_days = opt->stale_days < 0 ? m->horizon_days : opt->stale_days;
    res->recent_cutoff = as_of - res->stale_days;
    res->churned_excluded = ev != NULL;

    selection sel;
    st = select_rows(s, as_of, opt->all_snapshots, &sel, &res->accounts_later, err);
    if (st != HC_OK) {
        hc_predict_result_release(res);
        return st;
    }
    size_t N = sel.n;
    size_t Kc = K ? K : 1;
    double *sub = malloc(Kc * (N ? N : 1) * sizeof *sub);
    double *health = malloc((N ? N : 1) * sizeof *health);
    int32_t *band = malloc((N ? N : 1) * sizeof *band);
    double *pc = malloc((N ? N : 1) * sizeof *pc);
    double *pe = malloc((N ? N : 1) * sizeof *pe);
    int32_t *seg = malloc((N ? N : 1) * sizeof *seg);
    int32_t *group = malloc((N ? N : 1) * sizeof *group);
    double *w = malloc(Kc * sizeof *w);
    unsigned char *gone = calloc(s->n_accounts ? s->n_accounts : 1, 1);
    int *in_output = NULL;
    double *risk_p = NULL, *risk_a = NULL;
    if (!sub || !health || !band || !pc || !pe || !seg || !group || !w || !gone) {
        st = hc_error_nomem(err);
        goto done;
    }
    hc_score_out out = {sub, N, health, band, pc, pe, seg};
    st = hc_model_score_rows(m, t, sel.row, 0, N, 1, &out, err);
    if (st != HC_OK)
        goto done;

    /* The book: every account's latest snapshot, less those that have
     * churned (sel.book is compacted to the rest). */
    res->accounts = sel.n_book;
    if (ev)
        leave_out_churned(s, ev, as_of, &sel, gone, res);
    res->book_accounts = sel.n_book;

    /* Segment groups of the drivers' reference: the snapshot's segment
     * value (code + 1; 0 for a missing value or no segment column). */
    const int32_t *segcode =
        s->segment_col >= 0 ? t->cols[s->segment_col].code : NULL;
    res->n_groups = 1 + (segcode && t->cols[s->segment_col].pool
                             ? hc_strpool_count(t->cols[s->segment_col].pool)
                             : 0);
    for (size_t i = 0; i < N; i++)
        group[i] = segcode ? segcode[sel.row[i]] + 1 : 0;
    st = build_reference(res, group, sel.book, sel.n_book, sub, N, health,
                         band, err);
    if (st != HC_OK)
        goto done;

    /* Output rows: the book, or every selected row. */
    res->n = opt->all_snapshots ? N : sel.n_book;
    res->rows = malloc((res->n ? res->n : 1) * sizeof *res->rows);
    in_output = malloc((N ? N : 1) * sizeof *in_output);
    if (!res->rows || !in_output) {
        st = hc_error_nomem(err);
        goto done;
    }
    int arrcol = s->arr_col;
    const int32_t *date = t->cols[s->date_col].code;
    for (size_t i = 0; i < N; i++)
        in_output[i] = opt->all_snapshots;
    for (size_t a = 0; a < sel.n_book; a++)
        in_output[sel.book[a]] = 1;
    size_t o = 0;
    for (size_t i = 0; i < N; i++) {
        if (!in_output[i])
            continue;
        hc_prediction *p = &res->rows[o++];
        size_t r = sel.row[i];
        p->row = (uint32_t)r;
        p->account = (int32_t)sel.account[i];
        p->date = date[r];
        p->arr = arrcol >= 0 ? hc_table_num(t, arrcol, r) : NAN;
        p->health = health[i];
        p->band = band[i];
        p->p_churn = pc[i];
        p->p_expansion = pe[i];
        p->at_risk = p->p_churn * p->arr; /* NaN when either is */
        p->segment = seg[i];
        find_drivers(m, seg[i], sub + i, N, res->reference + (size_t)group[i] * K,
                     w, p);
        p->has_previous = i > 0 && sel.account[i - 1] == sel.account[i];
        p->previous_band = p->has_previous ? band[i - 1] : -1;
        p->health_change = p->has_previous ? health[i] - health[i - 1] : NAN;
        p->fell = p->has_previous && band[i] >= 0 && band[i - 1] >= 0 &&
                  band[i] < band[i - 1];
        p->status = gone[sel.account[i]]          ? HC_PREDICT_CHURNED
                    : p->date < res->recent_cutoff ? HC_PREDICT_STALE
                                                   : HC_PREDICT_CURRENT;
    }

    /* The summary over the book: current accounts by band and their
     * revenue at risk; stale accounts apart. */
    res->band_accounts = calloc(res->n_bands ? res->n_bands : 1,
                                sizeof *res->band_accounts);
    res->band_arr = calloc(res->n_bands ? res->n_bands : 1, sizeof *res->band_arr);
    res->stale_rows = malloc((sel.n_book ? sel.n_book : 1) * sizeof *res->stale_rows);
    /* The current accounts' P(churn) and ARR (missing as 0), for the
     * range of the churned ARR. */
    risk_p = malloc((sel.n_book ? sel.n_book : 1) * sizeof *risk_p);
    risk_a = malloc((sel.n_book ? sel.n_book : 1) * sizeof *risk_a);
    if (!res->band_accounts || !res->band_arr || !res->stale_rows || !risk_p || !risk_a) {
        st = hc_error_nomem(err);
        goto done;
    }
    for (size_t a = 0; a < sel.n_book; a++) {
        size_t i = sel.book[a];
        size_t r = sel.row[i];
        double arr = arrcol >= 0 ? hc_table_num(t, arrcol, r) : NAN;
        double arr0 = isnan(arr) ? 0.0 : arr;
        res->arr_missing += isnan(arr);
        res->total_arr += arr0;
        res->fell_accounts += i > 0 && sel.account[i - 1] == sel.account[i] &&
                              band[i] >= 0 && band[i - 1] >= 0 &&
                              band[i] < band[i - 1];
        if (date[r] < res->recent_cutoff) {
            res->stale_rows[res->stale_accounts++] = (uint32_t)r;
            res->stale_arr += arr0;
            if (!isnan(pc[i])) {
                res->stale_churn_scored++;
                res->stale_at_risk += pc[i] * arr0;
            }
            continue;
        }
        res->current_accounts++;
        res->current_arr += arr0;
        if (band[i] >= 0) {
            res->band_accounts[band[i]]++;
            res->band_arr[band[i]] += arr0;
        } else {
            res->unscored_accounts++;
            res->unscored_arr += arr0;
        }
        if (!isnan(pc[i])) {
            risk_p[res->churn_scored] = pc[i];
            risk_a[res->churn_scored] = arr0 > 0 ? arr0 : 0.0;
            res->churn_scored++;
            res->expected_churners += pc[i];
            res->expected_churned_arr += pc[i] * arr0;
        }
    }

    if (res->churn_scored && opt->risk_draws &&
        (st = hc_predict_risk_range_compute(risk_p, risk_a, res->churn_scored,
                                            opt->risk_draws, opt->seed, &res->risk_range,
                                            err)) != HC_OK)
        goto done;

    /* Sort the rows and carry the sub-scores along: sort copies whose `row`
     * field holds their unsorted position, then gather both by it. */
    {
        hc_prediction *rows = res->rows;
        /* scored[q]: the scored index of unsorted output row q. */
        size_t *scored = malloc((res->n ? res->n : 1) * sizeof *scored);
        if (!scored) {
            st = hc_error_nomem(err);
            goto done;
        }
        for (size_t i = 0, q = 0; i < N; i++)
            if (in_output[i])
                scored[q++] = i;
        hc_prediction *tmp = malloc((res->n ? res->n : 1) * sizeof *tmp);
        res->sub = malloc(Kc * (res->n ? res->n : 1) * sizeof *res->sub);
        size_t *perm = malloc((res->n ? res->n : 1) * sizeof *perm);
        if (!tmp || !res->sub || !perm) {
            free(scored);
            free(tmp);
            free(perm);
            st = hc_error_nomem(err);
            goto done;
        }
        for (size_t q = 0; q < res->n; q++) {
            tmp[q] = rows[q];
            tmp[q].row = (uint32_t)q;
        }
        sort_ids = &t->cols[s->id_col];
        qsort(tmp, res->n, sizeof *tmp, cmp_prediction);
        sort_ids = NULL;
        for (size_t q = 0; q < res->n; q++)
            perm[q] = tmp[q].row;
        for (size_t q = 0; q < res->n; q++) {
            size_t from = perm[q];
            tmp[q] = rows[from];
            for (size_t k = 0; k < K; k++)
                res->sub[q * K + k] = sub[k * N + scored[from]];
        }
        memcpy(rows, tmp, res->n * sizeof *rows);
        free(tmp);
        free(perm);
        free(scored);
    }

    /* Stale accounts listed by account id, for a stable summary. */
    if (res->stale_accounts > 1) {
        hc_prediction *tmp = malloc(res->stale_accounts * sizeof *tmp);
        if (!tmp) {
            st = hc_error_nomem(err);
            goto done;
        }
        const int32_t *ids = t->cols[s->id_col].code;
        for (size_t q = 0; q < res->stale_accounts; q++) {
            memset(&tmp[q], 0, sizeof tmp[q]);
            tmp[q].at_risk = tmp[q].p_churn = tmp[q].health = NAN;
            tmp[q].account = ids[res->stale_rows[q]];
            tmp[q].date = date[res->stale_rows[q]];
            tmp[q].row = res->stale_rows[q];
        }
        sort_ids = &t->cols[s->id_col];
        qsort(tmp, res->stale_accounts, sizeof *tmp, cmp_prediction);
        sort_ids = NULL;
        for (size_t q = 0; q < res->stale_accounts; q++)
            res->stale_rows[q] = tmp[q].row;
        free(tmp);
    }

done:
    free(risk_p);
    free(risk_a);
    free(sub);
    free(health);
    free(band);
    free(pc);
    free(pe);
    free(seg);
    free(group);
    free(w);
    free(gone);
    free(in_output);
    selection_release(&sel);
    if (st != HC_OK)
        hc_predict_result_release(res);
    return st;
}
