/* test_export.c - unit tests of the config exports (src/output/export_sql*.c, export_points.c, sha256.c). */
#include "test_util.h"

#include "hc_export.h"
#include "hc_model.h"

/* Canaries in every name the SQL carries: component, metric column, segment
 * value, band names, role columns. */
static const char *CANARY =
    "{\"schema\": \"healthcal-model/1\", \"name\": \"n\\n; DROP TABLE t;\","
    " \"columns\": {\"account_id\": \"id\\\"; DROP TABLE t;--\", \"snapshot_date\": \"d'x\","
    "   \"segment\": \"s\\\\eg\"},"
    " \"components\": ["
    "  {\"name\": \"x\\\"; DROP TABLE t;--\", \"weight\": 0.5, \"metrics\": ["
    "    {\"column\": \"c\\\"'; DROP TABLE t;--\", \"transform\": {\"type\": \"linear\","
    "      \"low\": 0, \"high\": 10, \"higher_is_healthier\": true}},"
    "    {\"column\": \"p\", \"transform\": {\"type\": \"piecewise\","
    "      \"points\": [[0, 100], [30, 60], [90, 0]]}}]},"
    "  {\"name\": \"B\", \"weight\": 0.5, \"metrics\": ["
    "    {\"column\": \"b\", \"transform\": {\"type\": \"log\", \"low\": 0, \"high\": 9,"
    "      \"higher_is_healthier\": false}}]}],"
    " \"bands\": [{\"name\": \"r'; DROP TABLE t;--\", \"min\": 0},"
    "   {\"name\": \"g\\\\'--\", \"min\": 50}],"
    " \"churn_model\": {\"intercept\": -1, \"slope\": -0.05,"
    "   \"recalibration\": {\"method\": \"isotonic\", \"x\": [0.1, 0.5], \"y\": [0.05, 0.6]}},"
    " \"segments\": {\"e'\\\"; DROP TABLE t;--\\\\\": {\"weights\": {\"x\\\"; DROP TABLE t;--\": 0.25,"
    "   \"B\": 0.75}, \"churn_model\": {\"intercept\": -2, \"slope\": -0.02}}}}";

static hc_model *load(const char *text)
{
    hc_error err;
    hc_error_clear(&err);
    hc_model *m = NULL;
    if (hc_model_load_string(text, "test", &m, &err) != HC_OK)
        fprintf(stderr, "load: %s\n", err.message);
    assert_non_null(m);
    return m;
}

static char *export_sql(const hc_model *m, hc_sql_dialect d, const char *view,
                        hc_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    hc_export_sql_options o;
    hc_export_sql_options_init(&o);
    o.dialect = d;
    o.view = view;
    o.table = "sn\"aps";
    o.config_path = "path\nDROP TABLE t;";
    hc_error err;
    hc_error_clear(&err);
    *st = hc_export_sql_write(f, m, &o, &err);
    assert_int_equal(fclose(f), 0);
    return buf;
}

/* A small SQL lexer: counts the semicolons outside identifiers, strings and
 * comments, and checks that every quote closes. PostgreSQL E'' strings
 * take backslash escapes; plain strings do not (standard_conforming_strings),
 * nor does SQLite. */
static int top_level_semicolons(const char *s, int pg)
{
    int n = 0;
    while (*s) {
        if (s[0] == '-' && s[1] == '-') {
            while (*s && *s != '\n')
                s++;
        } else if (*s == '"') {
            for (s++;; s++) {
                assert_true(*s != '\0');
                if (*s == '"' && s[1] == '"')
                    s++;
                else if (*s == '"')
                    break;
            }
            s++;
        } else if (*s == '\'' || (pg && (*s == 'E') && s[1] == '\'')) {
            int esc = *s == 'E';
            s += esc ? 2 : 1;
            for (;; s++) {
                assert_true(*s != '\0');
                if (esc && *s == '\\')
                    s++;
                else if (*s == '\'' && s[1] == '\'')
                    s++;
                else if (*s == '\'')
                    break;
            }
            s++;
        } else {
            n += *s == ';';
            s++;
        }
    }
    return n;
}

static void test_sql_canaries(void **state)
{
    (void)state;
    hc_model *m = load(CANARY);
    for (int d = HC_SQL_POSTGRES; d <= HC_SQL_ANSI; d++) {
        hc_status st;
        char *view = export_sql(m, (hc_sql_dialect)d, "v", &st);
        assert_int_equal(st, HC_OK);
        /* DROP VIEW; CREATE VIEW ...; (ANSI: no DROP VIEW IF EXISTS) */
        assert_int_equal(top_level_semicolons(view, d == HC_SQL_POSTGRES),
                         d == HC_SQL_ANSI ? 1 : 2);
        assert_non_null(strstr(view, "\"x\"\"; DROP TABLE t;--\""));
        assert_non_null(strstr(view, "t.\"c\"\"'; DROP TABLE t;--\""));
        assert_non_null(strstr(view, "\"x\"\"; DROP TABLE t;--.c\"\"'; DROP TABLE t;--\""));
        assert_non_null(strstr(view, "FROM \"sn\"\"aps\" AS t"));
        assert_non_null(strstr(view, "'r''; DROP TABLE t;--'"));
        /* the comment cannot be ended by a newline in a name or path */
        assert_non_null(strstr(view, "-- config: n?; DROP TABLE t; (path?DROP TABLE t;)"));
        if (d == HC_SQL_POSTGRES) {
            /* strings holding a backslash are E'' with it doubled */
            assert_non_null(strstr(view, "E'g\\\\''--'"));
            assert_non_null(strstr(view, "hc_seg = E'e''\"; DROP TABLE t;--\\\\'"));
        } else {
            assert_non_null(strstr(view, "'g\\''--'"));
        }
        free(view);
        char *sel = export_sql(m, (hc_sql_dialect)d, NULL, &st);
        assert_int_equal(st, HC_OK);
        assert_int_equal(top_level_semicolons(sel, d == HC_SQL_POSTGRES), 1);
        assert_null(strstr(sel, "CREATE VIEW"));
        free(sel);
    }
    hc_model_free(m);
}

static void test_sql_literals(void **state)
{
    (void)state;
    hc_model *m = load(CANARY);
    hc_status st;
    char *pg = export_sql(m, HC_SQL_POSTGRES, "v", &st);
    char *lite = export_sql(m, HC_SQL_SQLITE, "v", &st);
    char *ansi = export_sql(m, HC_SQL_ANSI, "v", &st);
    /* doubles, never exact numerics or integers: SQLite would divide
     * integers as integers, PostgreSQL would compute in numeric */
    assert_non_null(strstr(pg, "100::float8 * ((hc_x0 - 0::float8) / 10::float8)"));
    assert_non_null(strstr(lite, "100.0 * ((hc_x0 - 0.0) / 10.0)"));
    assert_non_null(strstr(ansi, "CAST(100 AS DOUBLE PRECISION)"));
    /* the 17-digit form of log1p(9) = ln 10 */
    char ln10[40];
    snprintf(ln10, sizeof ln10, "%.17g", log1p(9.0));
    assert_non_null(strstr(lite, ln10));
    /* a negative literal is parenthesised: "- -x" can never become "--" */
    assert_non_null(strstr(lite, "(-0.050000000000000003)"));
    assert_null(strstr(lite, "--0"));
    /* the steps are materialised except in ANSI */
    assert_non_null(strstr(lite, "hc_in AS MATERIALIZED ("));
    assert_null(strstr(ansi, "MATERIALIZED"));
    free(pg);
    free(lite);
    free(ansi);
    hc_model_free(m);
}

#define BANDS "\"bands\": [{\"name\": \"low\", \"min\": 0}]"

static void test_sql_refusals(void **state)
{
    (void)state;
    hc_status st;
    /* a component named like an output column */
    hc_model *m = load("{\"schema\": \"healthcal-model/1\", \"components\": ["
                       " {\"name\": \"health\", \"weight\": 1, \"metrics\": [{\"column\": \"h\","
                       "  \"transform\": {\"type\": \"identity\"}}]}], " BANDS "}");
    char *out = export_sql(m, HC_SQL_SQLITE, "v", &st);
    assert_int_equal(st, HC_EDATA);
    assert_int_equal(strlen(out), 0); /* nothing written on error */
    free(out);
    hc_model_free(m);
    /* quantile without cuts */
    m = load("{\"schema\": \"healthcal-model/1\", \"components\": ["
             " {\"name\": \"q\", \"weight\": 1, \"metrics\": [{\"column\": \"h\","
             "  \"transform\": {\"type\": \"quantile\", \"higher_is_healthier\": true}}]}], " BANDS "}");
    out = export_sql(m, HC_SQL_POSTGRES, "v", &st);
    assert_int_equal(st, HC_EDATA);
    free(out);
    hc_model_free(m);
    /* an identifier PostgreSQL would truncate (64 bytes) */
    char long_name[65];
    memset(long_name, 'a', 64);
    long_name[64] = '\0';
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "{\"schema\": \"healthcal-model/1\", \"components\": ["
             " {\"name\": \"%s\", \"weight\": 1, \"metrics\": [{\"column\": \"h\","
             "  \"transform\": {\"type\": \"identity\"}}]}], " BANDS "}", long_name);
    m = load(cfg);
    out = export_sql(m, HC_SQL_POSTGRES, "v", &st);
    assert_int_equal(st, HC_EDATA);
    free(out);
    out = export_sql(m, HC_SQL_SQLITE, "v", &st);
    assert_int_equal(st, HC_OK);
    free(out);
    hc_model_free(m);
}

/* FIPS 180-2 appendix B test vectors, and the empty message. */
static void test_sha256(void **state)
{
    (void)state;
    char hex[65];
    hc_export_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hc_export_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hc_export_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    char *million = malloc(1000000);
    assert_non_null(million);
    memset(million, 'a', 1000000);
    hc_export_sha256_hex(million, 1000000, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(million);
}

static void test_points_sum(void **state)
{
    (void)state;
    /* weights 0.29, 0.29, 0.42 are 29 + 29 + 42 = 100 points: 0.29 x 100 is
     * 28.999999999999996 in doubles and must still count 29 */
    hc_model *m = load("{\"schema\": \"healthcal-model/1\", \"components\": ["
                       " {\"name\": \"a\", \"weight\": 0.29, \"metrics\": [{\"column\": \"x\","
                       "  \"transform\": {\"type\": \"identity\"}}]},"
                       " {\"name\": \"b\", \"weight\": 0.29, \"metrics\": [{\"column\": \"y\","
                       "  \"transform\": {\"type\": \"identity\"}}]},"
                       " {\"name\": \"c\", \"weight\": 0.42, \"metrics\": [{\"column\": \"z\","
                       "  \"transform\": {\"type\": \"identity\"}}]}],"
                       " \"bands\": [{\"name\": \"C\", \"min\": 0}, {\"name\": \"b+\", \"min\": 50}]}");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hc_error err;
    hc_error_clear(&err);
    assert_int_equal(hc_export_points_write(f, m, &err), HC_OK);
    fclose(f);
    assert_non_null(strstr(buf, "weights,,a,,0.29,,29,,\n"));
    assert_non_null(strstr(buf, "weights,,b,,0.29,,29,,\n"));
    assert_non_null(strstr(buf, "weights,,c,,0.42,,42,,\n"));
    assert_non_null(strstr(buf, "band,,,,50,,50,b+,b+\n"));
    free(buf);
    hc_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sql_canaries),
        cmocka_unit_test(test_sql_literals),
        cmocka_unit_test(test_sql_refusals),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_points_sum),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
