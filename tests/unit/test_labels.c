/* test_labels.c - outcome labels: window boundaries, lead, censoring, post-churn, counts. */
#include "test_util.h"

#include <limits.h>
#include <unistd.h>

#include "hc_date.h"
#include "hc_history.h"
#include "hc_labels.h"

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static int32_t day(const char *s)
{
    int32_t d;
    assert_int_equal(hc_date_parse(s, strlen(s), &d), 0);
    return d;
}

typedef struct {
    const char *id;
    const char *date;
} snap_row;

/* A snapshot table built in memory: account_id (text), snapshot_date. Its
 * rows get lines 2, 3, ... as if read after a header. */
static hc_table *make_table(const snap_row *rows, size_t n)
{
    hc_table *t = hc_table_alloc("snap.csv");
    assert_non_null(t);
    assert_int_equal(hc_table_add_column(t, "account_id", HC_COL_TEXT), 0);
    assert_int_equal(hc_table_add_column(t, "snapshot_date", HC_COL_DATE), 1);
    assert_int_equal(hc_table_resize(t, n), HC_OK);
    for (size_t r = 0; r < n; r++) {
        assert_int_equal(hc_table_set_text(t, 0, r, rows[r].id), HC_OK);
        if (rows[r].date)
            t->cols[1].code[r] = day(rows[r].date);
    }
    return t;
}

static void make_snapshots(const snap_row *rows, size_t n, hc_snapshots *s)
{
    hc_table *t = make_table(rows, n);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_snapshots_from_table(t, NULL, s, &err), HC_OK);
}

static char temp_path[256];

/* Loads events from CSV text (header account_id,event_date,event_type,amount)
 * through a temporary file. */
static hc_status load_events(const char *csv, const hc_snapshots *s, int ignore_unknown,
                             hc_events *e, hc_error *err)
{
    const char *dir = getenv("TMPDIR");
    snprintf(temp_path, sizeof temp_path, "%s/hc-test-events.XXXXXX",
             dir && *dir ? dir : "/tmp");
    int fd = mkstemp(temp_path);
    assert_true(fd >= 0);
    size_t len = strlen(csv);
    assert_int_equal(write(fd, csv, len), (ssize_t)len);
    close(fd);
    hc_event_load_options opt = {.ignore_unknown_types = ignore_unknown};
    hc_error_clear(err);
    hc_status st = hc_events_load(temp_path, &opt, s, e, err);
    unlink(temp_path);
    return st;
}

static void must_load_events(const char *csv, const hc_snapshots *s, hc_events *e)
{
    hc_error err;
    hc_status st = load_events(csv, s, 0, e, &err);
    if (st != HC_OK) {
        fprintf(stderr, "events: %s (line %ld)\n", err.message, err.line);
        fail();
    }
}

static hc_status build(const hc_snapshots *s, const hc_events *e, int horizon, int lead,
                       const char *as_of, hc_labels *l, hc_error *err)
{
    hc_label_options opt = {.horizon = horizon,
                            .lead = lead,
                            .as_of = as_of ? day(as_of) : HC_DATE_MISSING};
    hc_error_clear(err);
    return hc_labels_build(s, e, &opt, l, err);
}

static void must_build(const hc_snapshots *s, const hc_events *e, int horizon, int lead,
                       const char *as_of, hc_labels *l)
{
    hc_error err;
    hc_status st = build(s, e, horizon, lead, as_of, l, &err);
    if (st != HC_OK) {
        fprintf(stderr, "labels: %s\n", err.message);
        fail();
    }
}

#define EV_HEADER "account_id,event_date,event_type,amount\n"

/* ------------------------------------------------------------------ */
/* Window boundaries                                                   */

/* churn = 1 iff a churn falls in (t + lead, t + lead + H] (hc_labels.h):
 * an event at exactly t + H is in, one day later is out, one at t is not
 * in the window. One account per case, each with one snapshot at t. */
static void test_window_boundaries(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"A", "2024-01-01"}, {"B", "2024-01-01"}, {"C", "2024-01-01"},
        {"D", "2024-01-01"}, {"E", "2024-01-01"}, {"F", "2024-01-01"},
        {"G", "2024-01-01"},
    };
    hc_snapshots s;
    make_snapshots(rows, 7, &s);
    hc_events e;
    must_load_events(EV_HEADER
                     "A,2024-01-31,churn,1\n"     /* t + 30: in */
                     "B,2024-02-01,churn,1\n"     /* t + 31: out */
                     "C,2024-01-01,expansion,1\n" /* t: out */
                     "D,2024-01-02,expansion,1\n" /* t + 1: in */
                     "E,2024-01-31,expansion,1\n" /* t + 30: in */
                     "F,2024-02-01,expansion,1\n" /* t + 31: out */
                     "G,2024-01-01,churn,1\n",    /* on t: the row is post-churn */
                     &s, &e);
    hc_labels l;
    must_build(&s, &e, 30, 0, "2024-06-01", &l);
    static const uint8_t churn[] = {1, 0, 0, 0, 0, 0, 0};
    static const uint8_t expansion[] = {0, 0, 0, 1, 1, 0, 0};
    for (size_t r = 0; r < 6; r++) {
        assert_int_equal(l.status[r], HC_ROW_OBSERVATION);
        assert_int_equal(l.churn[r], churn[r]);
        assert_int_equal(l.expansion[r], expansion[r]);
    }
    assert_int_equal(l.status[6], HC_ROW_POST_CHURN);
    assert_int_equal(l.observations, 6);
    assert_int_equal(l.post_churn, 1);
    assert_int_equal(l.churn_positive, 1);
    assert_int_equal(l.expansion_positive, 2);
    assert_int_equal(l.churn_events_matched, 1);
    assert_int_equal(l.expansion_events_matched, 2);
    assert_int_equal(e.by_type[HC_EVENT_CHURN], 3);
    assert_int_equal(e.by_type[HC_EVENT_EXPANSION], 4);
    assert_int_equal(l.as_of, day("2024-06-01"));
    hc_labels_release(&l);
    /* H = 1: only t + 1 is in. */
    must_build(&s, &e, 1, 0, "2024-06-01", &l);
    assert_int_equal(l.churn[0], 0);
    assert_int_equal(l.expansion[3], 1);
    assert_int_equal(l.expansion[4], 0);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* With a lead L the window is (t + L, t + L + H]; a churn inside the gap
 * (t, t + L] excludes the row (it cannot be acted on in time). */
static void test_lead(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"A", "2024-01-01"}, {"B", "2024-01-01"}, {"C", "2024-01-01"}, {"D", "2024-01-01"},
        {"E", "2024-01-01"}, {"F", "2024-01-01"}, {"G", "2024-01-01"},
    };
    hc_snapshots s;
    make_snapshots(rows, 7, &s);
    hc_events e;
    must_load_events(EV_HEADER
                     "A,2024-01-06,churn,1\n"     /* t + 5: in the lead gap */
                     "B,2024-01-07,churn,1\n"     /* t + 6: first day in */
                     "C,2024-02-05,churn,1\n"     /* t + 35: last day in */
                     "D,2024-02-06,churn,1\n"     /* t + 36: out */
                     "E,2024-01-06,expansion,1\n" /* t + 5: out */
                     "F,2024-02-05,expansion,1\n" /* t + 35: in */
                     "G,2024-02-06,expansion,1\n", /* t + 36: out */
                     &s, &e);
    hc_labels l;
    must_build(&s, &e, 30, 5, "2024-06-01", &l);
    assert_int_equal(l.status[0], HC_ROW_LEAD_CHURN);
    assert_int_equal(l.lead_churn, 1);
    static const uint8_t churn[] = {0, 1, 1, 0, 0, 0, 0};
    static const uint8_t expansion[] = {0, 0, 0, 0, 0, 1, 0};
    for (size_t r = 1; r < 7; r++) {
        assert_int_equal(l.status[r], HC_ROW_OBSERVATION);
        assert_int_equal(l.churn[r], churn[r]);
        assert_int_equal(l.expansion[r], expansion[r]);
    }
    assert_int_equal(l.lead, 5);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* A window ending exactly on the as-of date is observed; one day later it
 * is censored. The default as-of is the latest date in either file,
 * including events of accounts without snapshots. */
static void test_censoring(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"A", "2024-01-01"}, {"A", "2024-01-08"}, {"A", "2024-01-15"}};
    hc_snapshots s;
    make_snapshots(rows, 3, &s);
    hc_events e;
    must_load_events(EV_HEADER "zz,2024-03-01,churn,5\n", &s, &e);
    assert_int_equal(e.n, 0);
    assert_int_equal(e.unknown_account, 1);
    hc_labels l;
    /* 2024-01-08 + 30 = 2024-02-07. */
    must_build(&s, &e, 30, 0, "2024-02-07", &l);
    assert_int_equal(l.status[0], HC_ROW_OBSERVATION);
    assert_int_equal(l.status[1], HC_ROW_OBSERVATION);
    assert_int_equal(l.status[2], HC_ROW_CENSORED);
    assert_int_equal(l.censored, 1);
    hc_labels_release(&l);
    must_build(&s, &e, 30, 0, "2024-02-06", &l);
    assert_int_equal(l.status[1], HC_ROW_CENSORED);
    assert_int_equal(l.censored, 2);
    hc_labels_release(&l);
    /* With a lead, the window end is t + lead + H. */
    must_build(&s, &e, 30, 2, "2024-02-08", &l);
    assert_int_equal(l.status[1], HC_ROW_CENSORED);
    hc_labels_release(&l);
    /* Regression: with no matched event, the event file's last date was
     * ignored and the default as-of fell back to the last snapshot. */
    must_build(&s, &e, 30, 0, NULL, &l);
    assert_int_equal(l.as_of, day("2024-03-01"));
    assert_int_equal(l.observations, 3);
    hc_labels_release(&l);
    /* Without events the default is the last snapshot date. */
    hc_error err;
    assert_int_equal(build(&s, NULL, 7, 0, NULL, &l, &err), HC_OK);
    assert_int_equal(l.as_of, day("2024-01-15"));
    assert_int_equal(l.observations, 2); /* 01-01 and 01-08 (+7 = 01-15) */
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* Rows on or after the first churn are not observations; a later churn
 * (after a win-back) is counted as a repeat and labels nothing. */
static void test_post_churn_and_repeat_churn(void **state)
{
    (void)state;
    static const char *weeks[] = {"2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22",
                                  "2024-01-29", "2024-02-05", "2024-02-12", "2024-02-19",
                                  "2024-02-26", "2024-03-04", "2024-03-11", "2024-03-18"};
    snap_row rows[13];
    for (size_t i = 0; i < 12; i++)
        rows[i] = (snap_row){"A", weeks[i]};
    rows[12] = (snap_row){"B", "2024-02-01"}; /* churns on its snapshot date */
    hc_snapshots s;
    make_snapshots(rows, 13, &s);
    hc_events e;
    must_load_events(EV_HEADER "A,2024-02-01,churn,1\n"
                               "A,2024-03-10,churn,1\n"
                               "B,2024-02-01,churn,1\n",
                     &s, &e);
    hc_labels l;
    must_build(&s, &e, 30, 0, "2024-12-31", &l);
    /* (01-01, 01-31] misses 02-01; the next four windows hold it. */
    static const uint8_t churn[5] = {0, 1, 1, 1, 1};
    for (size_t r = 0; r < 5; r++) {
        assert_int_equal(l.status[r], HC_ROW_OBSERVATION);
        assert_int_equal(l.churn[r], churn[r]);
    }
    for (size_t r = 5; r < 13; r++)
        assert_int_equal(l.status[r], HC_ROW_POST_CHURN);
    assert_int_equal(l.post_churn, 8);
    assert_int_equal(l.repeat_churn_events, 1);
    assert_int_equal(l.churn_events_matched, 1);
    assert_int_equal(l.churn_positive, 4);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* Expansion windows: several expansions in one window make one label; an
 * expansion that falls in no observed window is not matched; contraction
 * labels nothing; rows given out of date order are labelled by date. */
static void test_expansion_windows(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"A", "2024-02-01"}, {"A", "2024-01-15"}, {"A", "2024-01-01"}, {"A", "2024-03-20"}};
    hc_snapshots s;
    make_snapshots(rows, 4, &s);
    hc_events e;
    must_load_events(EV_HEADER "A,2024-01-20,expansion,1\n"
                               "A,2024-01-10,expansion,1\n"
                               "A,2024-01-25,contraction,1\n"
                               "A,2024-01-12,expansion,1\n"
                               "A,2024-04-10,expansion,1\n",
                     &s, &e);
    /* Events come back sorted by date within the account, lines kept. */
    assert_int_equal(e.n, 5);
    for (size_t i = 1; i < e.n; i++)
        assert_true(e.date[i - 1] <= e.date[i]);
    assert_int_equal(e.line[0], 3); /* 2024-01-10 is on line 3 */
    hc_labels l;
    must_build(&s, &e, 30, 0, "2024-04-15", &l);
    /* Rows: 02-01 (02-01, 03-02]: none; 01-15 (01-15, 02-14]: 01-20;
     * 01-01 (01-01, 01-31]: 01-10, 01-12, 01-20; 03-20: censored. */
    assert_int_equal(l.expansion[0], 0);
    assert_int_equal(l.expansion[1], 1);
    assert_int_equal(l.expansion[2], 1);
    assert_int_equal(l.status[3], HC_ROW_CENSORED);
    assert_int_equal(l.expansion_positive, 2);
    assert_int_equal(l.expansion_events_matched, 3); /* not the 04-10 one */
    assert_int_equal(e.by_type[HC_EVENT_EXPANSION], 4);
    assert_int_equal(e.by_type[HC_EVENT_CONTRACTION], 1);
    for (size_t r = 0; r < 3; r++)
        assert_int_equal(l.churn[r], 0);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* ------------------------------------------------------------------ */
/* Events: unknown accounts and types, events before the first snapshot */

static void test_unknown_accounts_and_types(void **state)
{
    (void)state;
    static const snap_row rows[] = {{"A", "2024-01-01"}, {"B", "2024-01-01"}};
    hc_snapshots s;
    make_snapshots(rows, 2, &s);
    const char *csv = EV_HEADER "A,2024-01-10,churn,1\n"
                                "zz,2024-01-10,churn,1\n"
                                "yy,2024-01-11,expansion,1\n"
                                "B,2024-01-12,Expansion,1\n"
                                "B,2024-01-13,upsell,1\n";
    hc_events e;
    hc_error err;
    /* An unknown type is an error naming the file, line and column key. */
    assert_int_equal(load_events(csv, &s, 0, &e, &err), HC_EDATA);
    assert_int_equal(err.line, 6);
    assert_non_null(strstr(err.message, "unknown event type 'upsell'"));
    assert_non_null(strstr(err.message, "event_type"));
    assert_string_equal(err.file, temp_path);
    /* ... or skipped and counted when asked. */
    assert_int_equal(load_events(csv, &s, 1, &e, &err), HC_OK);
    assert_int_equal(e.rows_read, 5);
    assert_int_equal(e.unknown_type, 1);
    assert_int_equal(e.unknown_account, 2); /* counted, not an error */
    assert_int_equal(e.n, 2);
    assert_int_equal(e.by_type[HC_EVENT_CHURN], 1); /* matched accounts only */
    assert_int_equal(e.by_type[HC_EVENT_EXPANSION], 1); /* any case */
    hc_events_release(&e);
    /* A missing account id is an error. */
    assert_int_equal(load_events(EV_HEADER ",2024-01-10,churn,1\n", &s, 0, &e, &err), HC_EDATA);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.message, "account id is missing"));
    hc_snapshots_release(&s);
}

/* Events dated before an account's first snapshot label nothing and are
 * counted; a churn among them ends the account's observable life (the
 * documented post-churn rule: win-backs are not modelled). */
static void test_events_before_first_snapshot(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"A", "2024-01-01"}, {"B", "2024-01-01"}, {"B", "2024-01-08"}};
    hc_snapshots s;
    make_snapshots(rows, 3, &s);
    hc_events e;
    must_load_events(EV_HEADER "A,2023-06-01,expansion,1\n"
                               "A,2023-12-31,contraction,1\n"
                               "A,2024-01-01,expansion,1\n" /* on the first snapshot: not before */
                               "B,2023-05-01,churn,1\n",
                     &s, &e);
    hc_labels l;
    must_build(&s, &e, 30, 0, "2024-06-01", &l);
    assert_int_equal(l.events_before_first_snapshot, 3);
    assert_int_equal(l.status[0], HC_ROW_OBSERVATION);
    assert_int_equal(l.expansion[0], 0);
    assert_int_equal(l.status[1], HC_ROW_POST_CHURN);
    assert_int_equal(l.status[2], HC_ROW_POST_CHURN);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
}

/* ------------------------------------------------------------------ */
/* Snapshot checks and argument errors                                 */

static void test_duplicate_snapshot_names_both_lines(void **state)
{
    (void)state;
    static const snap_row rows[] = {
        {"a", "2024-01-01"}, {"b", "2024-01-01"}, {"a", "2024-01-08"}, {"a", "2024-01-01"}};
    hc_table *t = make_table(rows, 4);
    hc_snapshots s;
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_snapshots_from_table(t, NULL, &s, &err), HC_EDATA);
    assert_int_equal(err.line, 5); /* row 3 is line 5 */
    assert_string_equal(err.file, "snap.csv");
    assert_non_null(strstr(err.message, "duplicate snapshot for account 'a' on 2024-01-01"));
    assert_non_null(strstr(err.message, "also on line 2"));
    hc_table_free(t); /* ownership stayed with the caller */
}

static void test_missing_id_or_date(void **state)
{
    (void)state;
    static const snap_row no_id[] = {{"a", "2024-01-01"}, {NULL, "2024-01-08"}};
    hc_table *t = make_table(no_id, 2);
    hc_snapshots s;
    hc_error err;
    assert_int_equal(hc_snapshots_from_table(t, NULL, &s, &err), HC_EDATA);
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "account id is missing"));
    hc_table_free(t);
    /* Regression: a missing date in an in-memory table reached the labels
     * as INT32_MIN. */
    static const snap_row no_date[] = {{"a", "2024-01-01"}, {"a", NULL}};
    t = make_table(no_date, 2);
    assert_int_equal(hc_snapshots_from_table(t, NULL, &s, &err), HC_EDATA);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 2);
    assert_non_null(strstr(err.message, "snapshot date is missing"));
    hc_table_free(t);
    /* No rows, or no date column. */
    t = make_table(no_date, 0);
    assert_int_equal(hc_snapshots_from_table(t, NULL, &s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no data rows"));
    hc_snapshot_columns cols = {.snapshot_date = "date"};
    assert_int_equal(hc_snapshots_from_table(t, &cols, &s, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "required column 'date' is missing"));
    hc_table_free(t);
}

static void test_argument_errors(void **state)
{
    (void)state;
    static const snap_row rows[] = {{"A", "2024-01-01"}, {"A", "2024-03-01"}};
    hc_snapshots s;
    make_snapshots(rows, 2, &s);
    hc_labels l;
    hc_error err;
    assert_int_equal(build(&s, NULL, 0, 0, NULL, &l, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "horizon"));
    assert_int_equal(build(&s, NULL, -5, 0, NULL, &l, &err), HC_EUSAGE);
    assert_int_equal(build(&s, NULL, 30, -1, NULL, &l, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "lead"));
    assert_int_equal(build(&s, NULL, 30, 0, "2023-12-31", &l, &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "as-of date 2023-12-31 is before the first snapshot"));
    /* A horizon longer than the data leaves nothing to observe. */
    assert_int_equal(build(&s, NULL, 3000, 0, NULL, &l, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "no observations"));
    /* Regression: t + lead + H overflowed int32 for huge values (undefined
     * behaviour caught by -fsanitize=undefined). */
    assert_int_equal(build(&s, NULL, INT_MAX, 0, NULL, &l, &err), HC_EDATA);
    assert_int_equal(build(&s, NULL, INT_MAX, INT_MAX, NULL, &l, &err), HC_EDATA);
    assert_int_equal(build(&s, NULL, 1, INT_MAX, "9999-12-31", &l, &err), HC_EDATA);
    hc_snapshots_release(&s);
}

/* ------------------------------------------------------------------ */
/* Property: agreement with a direct reading of the rules               */

static uint64_t rng = 7;

static unsigned below(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* On random histories (dates shuffled, repeat churns, events before and
 * after the snapshots, unknown accounts), hc_labels_build agrees row by row
 * with an O(rows x events) implementation written straight from the rule
 * text in hc_labels.h. */
static void test_random_histories_match_rules(void **state)
{
    (void)state;
    enum { ACCOUNTS = 40, MAX_SNAPS = 30, MAX_EVENTS = 8 };
    size_t seen[4] = {0}, positives = 0, rounds_built = 0;
    for (int round = 0; round < 30; round++) {
        snap_row rows[ACCOUNTS * MAX_SNAPS];
        static char ids[ACCOUNTS][8], dates[ACCOUNTS * MAX_SNAPS][11];
        size_t n = 0;
        int32_t base = day("2024-01-01");
        for (int a = 0; a < ACCOUNTS; a++) {
            snprintf(ids[a], sizeof ids[a], "acc%d", a);
            int step = 1 + (int)below(10);
            int m = (int)below(MAX_SNAPS) + 1;
            for (int k = 0; k < m; k++) {
                hc_date_format(base + (int32_t)below(20) + k * step, dates[n]);
                /* skip a duplicate date of this account */
                int dup = 0;
                for (size_t j = 0; j < n; j++)
                    dup |= strcmp(rows[j].id, ids[a]) == 0 && strcmp(dates[j], dates[n]) == 0;
                if (!dup) {
                    rows[n] = (snap_row){ids[a], dates[n]};
                    n++;
                }
            }
        }
        for (size_t i = n - 1; i > 0; i--) { /* shuffle the row order */
            size_t j = below((unsigned)i + 1);
            snap_row tmp = rows[i];
            rows[i] = rows[j];
            rows[j] = tmp;
        }
        hc_snapshots s;
        make_snapshots(rows, n, &s);
        static char csv[ACCOUNTS * MAX_EVENTS * 48 + 64];
        size_t len = (size_t)snprintf(csv, sizeof csv, EV_HEADER);
        static const char *types[] = {"churn", "expansion", "contraction"};
        for (int a = 0; a < ACCOUNTS + 3; a++) {
            int m = (int)below(MAX_EVENTS);
            for (int k = 0; k < m; k++) {
                char d[11];
                hc_date_format(base - 30 + (int32_t)below(400), d);
                len += (size_t)snprintf(csv + len, sizeof csv - len, "%s%d,%s,%s,1\n",
                                        a < ACCOUNTS ? "acc" : "ghost", a, d,
                                        types[below(k == 0 ? 2 : 3)]);
            }
        }
        hc_events e;
        must_load_events(csv, &s, &e);
        int horizon = 1 + (int)below(60), lead = (int)below(3) == 0 ? (int)below(15) : 0;
        int32_t as_of = base + 100 + (int32_t)below(300);
        char as_of_text[11];
        hc_date_format(as_of, as_of_text);
        hc_labels l;
        hc_error err;
        if (build(&s, &e, horizon, lead, as_of_text, &l, &err) != HC_OK) {
            assert_non_null(strstr(err.message, "no observations"));
            hc_events_release(&e);
            hc_snapshots_release(&s);
            continue;
        }
        const hc_table *t = s.table;
        for (size_t r = 0; r < n; r++) {
            int32_t acc = t->cols[s.id_col].code[r], td = t->cols[s.date_col].code[r];
            int32_t first_churn = INT32_MAX;
            int churn = 0, expansion = 0;
            for (size_t i = 0; i < e.n; i++) {
                if (e.account[i] != acc)
                    continue;
                int64_t lo = (int64_t)td + lead, hi = lo + horizon;
                int in = e.date[i] > lo && e.date[i] <= hi;
                if (e.type[i] == HC_EVENT_CHURN) {
                    if (e.date[i] < first_churn)
                        first_churn = e.date[i];
                    churn |= in;
                }
                if (e.type[i] == HC_EVENT_EXPANSION)
                    expansion |= in;
            }
            int want;
            if (td >= first_churn)
                want = HC_ROW_POST_CHURN;
            else if ((int64_t)first_churn <= (int64_t)td + lead)
                want = HC_ROW_LEAD_CHURN;
            else if ((int64_t)td + lead + horizon > as_of)
                want = HC_ROW_CENSORED;
            else
                want = HC_ROW_OBSERVATION;
            assert_int_equal(l.status[r], want);
            seen[want]++;
            positives += want == HC_ROW_OBSERVATION && churn && expansion;
            if (want == HC_ROW_OBSERVATION) {
                assert_int_equal(l.churn[r], churn);
                assert_int_equal(l.expansion[r], expansion);
            }
        }
        assert_int_equal(l.observations + l.censored + l.post_churn + l.lead_churn, n);
        rounds_built++;
        hc_labels_release(&l);
        hc_events_release(&e);
        hc_snapshots_release(&s);
    }
    /* The histories reached every rule, and rows with both labels. */
    assert_true(rounds_built >= 20);
    for (int k = 0; k < 4; k++)
        assert_true(seen[k] > 20);
    assert_true(positives > 5);
}

/* A history of 1.1M rows, above the size from which the accounts are
 * labelled in two halves on two threads: every row's status and labels,
 * and the counts, agree with the rules of hc_labels.h applied account by
 * account (each account has at most three events, so the oracle is
 * direct). */
static void test_large_history_two_threads(void **state)
{
    (void)state;
    enum { ACCOUNTS = 11000, WEEKS = 100, HORIZON = 30 };
    size_t n = (size_t)ACCOUNTS * WEEKS;
    snap_row *rows = malloc(n * sizeof *rows);
    char (*ids)[12] = malloc(ACCOUNTS * sizeof *ids);
    char (*dates)[11] = malloc(WEEKS * sizeof *dates);
    int32_t *churn1 = malloc(ACCOUNTS * sizeof *churn1), *churn2 = malloc(ACCOUNTS * sizeof *churn2);
    int32_t *expand = malloc(ACCOUNTS * sizeof *expand);
    size_t cap = (size_t)ACCOUNTS * 3 * 40 + 64;
    char *csv = malloc(cap);
    assert_true(rows && ids && dates && churn1 && churn2 && expand && csv);
    int32_t base = day("2024-01-01");
    for (int w = 0; w < WEEKS; w++)
        hc_date_format(base + 7 * w, dates[w]);
    size_t len = (size_t)snprintf(csv, cap, EV_HEADER);
    int32_t last_event = INT32_MIN;
    for (int a = 0; a < ACCOUNTS; a++) {
        snprintf(ids[a], sizeof ids[a], "acc%d", a);
        churn1[a] = a % 3 == 0 ? base + (a * 37) % 900 : INT32_MAX;
        churn2[a] = a % 9 == 0 ? churn1[a] + 20 : INT32_MAX;
        expand[a] = a % 2 == 0 ? base + (a * 53) % 700 : INT32_MAX;
        const int32_t ev[3] = {churn1[a], churn2[a], expand[a]};
        for (int k = 0; k < 3; k++) {
            if (ev[k] == INT32_MAX)
                continue;
            char d[11];
            hc_date_format(ev[k], d);
            len += (size_t)snprintf(csv + len, cap - len, "acc%d,%s,%s,1\n", a, d,
                                    k < 2 ? "churn" : "expansion");
            last_event = ev[k] > last_event ? ev[k] : last_event;
        }
        for (int w = 0; w < WEEKS; w++)
            rows[(size_t)a * WEEKS + (size_t)w] = (snap_row){ids[a], dates[w]};
    }
    hc_snapshots s;
    make_snapshots(rows, n, &s);
    hc_events e;
    must_load_events(csv, &s, &e);
    hc_labels l;
    must_build(&s, &e, HORIZON, 0, NULL, &l);
    int32_t last_snap = base + 7 * (WEEKS - 1);
    int32_t as_of = last_event > last_snap ? last_event : last_snap;
    size_t count[4] = {0}, positives = 0, repeats = 0;
    for (int a = 0; a < ACCOUNTS; a++) {
        repeats += churn2[a] != INT32_MAX;
        for (int w = 0; w < WEEKS; w++) {
            size_t r = (size_t)a * WEEKS + (size_t)w;
            int32_t t = base + 7 * w;
            int64_t hi = (int64_t)t + HORIZON;
            int want = t >= churn1[a] ? HC_ROW_POST_CHURN
                       : churn1[a] <= t ? HC_ROW_LEAD_CHURN
                       : hi > as_of     ? HC_ROW_CENSORED
                                        : HC_ROW_OBSERVATION;
            assert_int_equal(l.status[r], want);
            count[want]++;
            if (want == HC_ROW_OBSERVATION) {
                int c = (churn1[a] > t && churn1[a] <= hi) || (churn2[a] > t && churn2[a] <= hi);
                int x = expand[a] > t && expand[a] <= hi;
                assert_int_equal(l.churn[r], c);
                assert_int_equal(l.expansion[r], x);
                positives += (size_t)c;
            }
        }
    }
    assert_int_equal(l.observations, count[HC_ROW_OBSERVATION]);
    assert_int_equal(l.censored, count[HC_ROW_CENSORED]);
    assert_int_equal(l.post_churn, count[HC_ROW_POST_CHURN]);
    assert_int_equal(l.lead_churn, count[HC_ROW_LEAD_CHURN]);
    assert_int_equal(l.churn_positive, positives);
    assert_int_equal(l.repeat_churn_events, repeats);
    assert_true(count[HC_ROW_OBSERVATION] > 0 && count[HC_ROW_POST_CHURN] > 0 && positives > 0);
    hc_labels_release(&l);
    hc_events_release(&e);
    hc_snapshots_release(&s);
    free(rows);
    free(ids);
    free(dates);
    free(churn1);
    free(churn2);
    free(expand);
    free(csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_boundaries),
        cmocka_unit_test(test_large_history_two_threads),
        cmocka_unit_test(test_lead),
        cmocka_unit_test(test_censoring),
        cmocka_unit_test(test_post_churn_and_repeat_churn),
        cmocka_unit_test(test_expansion_windows),
        cmocka_unit_test(test_unknown_accounts_and_types),
        cmocka_unit_test(test_events_before_first_snapshot),
        cmocka_unit_test(test_duplicate_snapshot_names_both_lines),
        cmocka_unit_test(test_missing_id_or_date),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_random_histories_match_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
