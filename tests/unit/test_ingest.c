/* test_ingest.c - exported files: the event vocabulary map, the unknown-type listing, same-day timestamps, money and percent cells through the loaders. */
#include "test_csv_util.h"

#include "hc_csv_load.h"
#include "hc_date.h"
#include "hc_history.h"
#include "hc_ingest.h"

static int32_t day(const char *iso)
{
    int32_t d;
    assert_int_equal(hc_date_parse(iso, strlen(iso), &d), 0);
    return d;
}

static void test_event_map(void **state)
{
    (void)state;
    hc_ingest_options in;
    hc_ingest_init(&in);
    hc_error err;
    assert_int_equal(hc_ingest_add_event_map(&in, "cancelled=churn, Closed Lost = churn,"
                                                  "upsell=expansion,downgrade=Contraction,"
                                                  "renewal=ignore",
                                             &err),
                     HC_OK);
    assert_int_equal(in.n_event_map, 5);
    assert_int_equal(hc_ingest_event_type(&in, "CANCELLED"), HC_EVENT_CHURN);
    assert_int_equal(hc_ingest_event_type(&in, "  closed lost "), HC_EVENT_CHURN);
    assert_int_equal(hc_ingest_event_type(&in, "Upsell"), HC_EVENT_EXPANSION);
    assert_int_equal(hc_ingest_event_type(&in, "downgrade"), HC_EVENT_CONTRACTION);
    assert_int_equal(hc_ingest_event_type(&in, "renewal"), HC_EVENT_MAP_IGNORE);
    assert_int_equal(hc_ingest_event_type(&in, "Churn"), HC_EVENT_CHURN);  /* built in */
    assert_int_equal(hc_ingest_event_type(&in, "closed"), -1);
    assert_int_equal(hc_ingest_event_type(&in, NULL), -1);
    /* A later pair wins (the flags come after the config's pairs). */
    assert_int_equal(hc_ingest_add_event_map(&in, "CANCELLED=ignore", &err), HC_OK);
    assert_int_equal(hc_ingest_event_type(&in, "cancelled"), HC_EVENT_MAP_IGNORE);
    assert_int_equal(hc_ingest_add_event_map(&in, "cancelled", &err), HC_EUSAGE);
    assert_non_null(strstr(err.message, "'cancelled' is not TYPE="));
    assert_int_equal(hc_ingest_add_event_map(&in, "x=lost", &err), HC_EUSAGE);
    assert_int_equal(hc_ingest_add_event_map(&in, " =churn", &err), HC_EUSAGE);
    hc_ingest_release(&in);
    assert_int_equal(in.n_event_map, 0);
}

/* Loads `snap` (and `events` when not NULL) with `in`. */
static hc_status load(const char *snap, const char *events, const hc_ingest_options *in,
                      hc_snapshots *s, hc_events *e, hc_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s", temp_file(snap, strlen(snap)));
    hc_snapshot_load_options so = {.ingest = in};
    hc_status st = hc_snapshots_load(path, &so, s, err);
    unlink(path);
    if (st != HC_OK || !events)
        return st;
    snprintf(path, sizeof path, "%s", temp_file(events, strlen(events)));
    hc_event_load_options eo = {.ingest = in};
    st = hc_events_load(path, &eo, s, e, err);
    unlink(path);
    if (st != HC_OK)
        hc_snapshots_release(s);
    return st;
}

static const char snaps[] = "account_id,snapshot_date,segment,arr,usage\n"
                            "a,2024-01-01,smb,\"$1,200.00\",50%\n"
                            "b,2024-01-01,smb,900,12.5%\n";

static void test_unknown_types_listed(void **state)
{
    (void)state;
    hc_ingest_options in;
    hc_ingest_init(&in);
    hc_snapshots s;
    hc_events e;
    hc_error err;
    const char *ev = "account_id,event_date,event_type,amount\n"
                     "a,2024-02-01,expansion,10\n"
                     "a,2024-02-02,Cancelled,\n"
                     "b,2024-02-03,cancelled,\n"
                     "b,2024-02-04,upsell,5\n";
    assert_int_equal(load(snaps, ev, &in, &s, &e, &err), HC_EDATA);
    /* The first unknown row, then every type with its rows. */
    assert_int_equal(err.line, 3);
    assert_non_null(strstr(err.message, "unknown event type 'Cancelled'"));
    assert_non_null(strstr(err.message, "'Cancelled' 1 (unknown), 'cancelled' 1 (unknown), "
                                        "'upsell' 1 (unknown), 'expansion' 1"));
    assert_non_null(strstr(err.message, "--event-map"));
    /* Mapped, they load; ignored rows are counted. */
    assert_int_equal(hc_ingest_add_event_map(&in, "cancelled=churn,upsell=ignore", &err), HC_OK);
    assert_int_equal(load(snaps, ev, &in, &s, &e, &err), HC_OK);
    assert_int_equal(e.by_type[HC_EVENT_CHURN], 2);
    assert_int_equal(e.by_type[HC_EVENT_EXPANSION], 1);
    assert_int_equal(e.ignored_type, 1);
    assert_int_equal(e.n, 3);
    hc_events_release(&e);
    hc_snapshots_release(&s);
    hc_ingest_release(&in);
}

/* Money and percent cells: the ARR column is money, metrics take '%'. */
static void test_money_and_percent_cells(void **state)
{
    (void)state;
    hc_snapshots s;
    hc_error err;
    assert_int_equal(load(snaps, NULL, NULL, &s, NULL, &err), HC_OK);
    const hc_table *t = s.table;
    assert_true(hc_table_num(t, s.arr_col, 0) == strtod("1200.00", NULL));
    int u = hc_table_find(t, "usage");
    assert_true(hc_table_num(t, u, 0) == strtod("0.5", NULL));
    assert_true(hc_table_num(t, u, 1) == strtod("0.125", NULL));
    hc_snapshots_release(&s);
    /* Currency in a metric column is not a number. */
    const char *bad = "account_id,snapshot_date,arr,usage\na,2024-01-01,1,$5\n";
    assert_int_equal(load(bad, NULL, NULL, &s, NULL, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 4, "'$5' is not a number");
    /* Negative money is still negative ARR. */
    const char *neg = "account_id,snapshot_date,arr\na,2024-01-01,\"($1,200)\"\n";
    assert_int_equal(load(neg, NULL, NULL, &s, NULL, &err), HC_EDATA);
    assert_error(&err, HC_EDATA, 2, 3, "negative value");
}

/* Several snapshots of one account on one date: the latest timestamp wins,
 * counted; a timestamp at 23:30-05:00 is the next UTC date. */
static void test_same_day_latest_wins(void **state)
{
    (void)state;
    hc_snapshots s;
    hc_error err;
    const char *csv = "account_id,snapshot_date,usage\n"
                      "a,2024-01-01T23:30:00-05:00,1\n"  /* 2024-01-02 04:30 UTC */
                      "a,2024-01-02T09:00:00Z,2\n"       /* the latest of 01-02 */
                      "a,2024-01-02T01:00:00+00:00,3\n"
                      "b,2024-01-01 08:00:00,4\n"
                      "a,2024-01-09T00:00:00Z,5\n"
                      "b,2024-01-08,6\n";
    assert_int_equal(load(csv, NULL, NULL, &s, NULL, &err), HC_OK);
    assert_int_equal(s.superseded, 2);
    const hc_table *t = s.table;
    assert_int_equal(t->n_rows, 4);
    int u = hc_table_find(t, "usage");
    /* The rows left, in file order, with their own source lines. */
    double want_usage[4] = {2, 4, 5, 6};
    uint32_t want_line[4] = {3, 5, 6, 7};
    int32_t want_day[4] = {day("2024-01-02"), day("2024-01-01"), day("2024-01-09"),
                           day("2024-01-08")};
    for (size_t r = 0; r < 4; r++) {
        assert_true(hc_table_num(t, u, r) == want_usage[r]);
        assert_int_equal(hc_table_line(t, r), want_line[r]);
        assert_int_equal(t->cols[s.date_col].code[r], want_day[r]);
    }
    assert_null(t->cols[s.date_col].tod);
    assert_int_equal(s.n_accounts, 2);
    hc_snapshots_release(&s);

    /* At the same instant, or as plain dates, rows cannot be ordered. */
    const char *tie = "account_id,snapshot_date,usage\n"
                      "a,2024-01-02T09:00:00Z,1\n"
                      "a,2024-01-02T10:00:00+01:00,2\n";
    assert_int_equal(load(tie, NULL, NULL, &s, NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "duplicate snapshot for account 'a' on 2024-01-02"));
    const char *mixed = "account_id,snapshot_date,usage\n"
                        "a,2024-01-02,1\n"
                        "a,2024-01-02T10:00:00Z,2\n";
    assert_int_equal(load(mixed, NULL, NULL, &s, NULL, &err), HC_EDATA);
    assert_non_null(strstr(err.message, "duplicate snapshot"));
}

/* The time of day survives a split load (two halves merged): the same
 * rows win as in one piece. */
static void test_same_day_split_load(void **state)
{
    (void)state;
    gbuf b = {0};
    gb_str(&b, "account_id,snapshot_date,usage\n");
    for (int i = 0; i < 4000; i++) {
        /* Two snapshots per account and date; the later one in the second
         * half of the file for odd accounts. */
        gb_printf(&b, "a%d,2024-01-01T%02d:00:00Z,%d\n", i, 5 + i % 2 * 10, i);
    }
    for (int i = 0; i < 4000; i++)
        gb_printf(&b, "a%d,2024-01-01T10:00:00Z,%d\n", i, 100000 + i);
    for (int split = 0; split < 2; split++) {
        const char *path = temp_file(b.p, strlen(b.p));
        hc_colspec spec[] = {{"account_id", HC_COL_TEXT, 1}, {"snapshot_date", HC_COL_DATE, 1},
                             {"usage", HC_COL_NUM, 1}};
        hc_load_report rep;
        hc_load_options lo = {.cols = spec, .n_cols = 3, .extra = HC_EXTRA_SKIP,
                              .negative_error_col = -1,
                              .split_min_bytes = split ? 1 : SIZE_MAX, .report = &rep};
        hc_table *t;
        hc_error err;
        assert_int_equal(hc_table_load_csv(path, &lo, &t, &err), HC_OK);
        unlink(path);
        assert_int_equal(rep.split_at != 0, split);
        assert_non_null(t->cols[1].tod);
        for (size_t r = 0; r < t->n_rows; r++) {
            int i = (int)(r % 4000);
            int32_t want = r < 4000 ? (5 + i % 2 * 10) * 3600000 : 10 * 3600000;
            assert_int_equal(t->cols[1].tod[r], want);
        }
        hc_table_free(t);
        /* The same-day rule on the loaded halves: 05:00 loses to 10:00,
         * 15:00 wins over it. */
        setenv("HEALTHCAL_SPLIT_MIN_BYTES", split ? "1" : "1000000000", 1);
        path = temp_file(b.p, strlen(b.p));
        hc_snapshots s;
        hc_snapshot_load_options so = {0};
        assert_int_equal(hc_snapshots_load(path, &so, &s, &err), HC_OK);
        unlink(path);
        unsetenv("HEALTHCAL_SPLIT_MIN_BYTES");
        assert_int_equal(s.superseded, 4000);
        assert_int_equal(s.table->n_rows, 4000);
        int u = hc_table_find(s.table, "usage");
        for (size_t r = 0; r < 4000; r++) {
            double v = hc_table_num(s.table, u, r);
            int i = (int)v % 100000;
            assert_true(i % 2 ? v < 100000 : v >= 100000);
        }
        hc_snapshots_release(&s);
    }
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_map),
        cmocka_unit_test(test_unknown_types_listed),
        cmocka_unit_test(test_money_and_percent_cells),
        cmocka_unit_test(test_same_day_latest_wins),
        cmocka_unit_test(test_same_day_split_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
