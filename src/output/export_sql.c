/* export_sql.c - the config as one SQL statement that scores a snapshot table the way score.c does. */
#include "hc_export.h"
#include "hc_model_segkey.h"
#include "hc_metrics.h"

#include "export_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL truncates longer identifiers (NAMEDATALEN - 1). */
#define PG_MAX_IDENT 63

int hc_export_sql_dialect_parse(const char *name, hc_sql_dialect *out)
{
    if (strcmp(name, "postgres") == 0 || strcmp(name, "postgresql") == 0)
        *out = HC_SQL_POSTGRES;
    else if (strcmp(name, "sqlite") == 0)
        *out = HC_SQL_SQLITE;
    else if (strcmp(name, "ansi") == 0)
        *out = HC_SQL_ANSI;
    else
        return -1;
    return 0;
}

void hc_export_sql_options_init(hc_export_sql_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->dialect = HC_SQL_POSTGRES;
    opt->table = "snapshots";
    opt->view = "healthcal_scores";
}

#define WT(k) (wt ? wt[k] : m->components[k].weight)

/* The sum of the weights of the present components (hc_c<k> not NULL). */
static void present_weights(sqlw *w, const hc_model *m, const double *wt)
{
    for (size_t k = 0; k < m->n_components; k++) {
        fprintf(w->f, "%sCASE WHEN hc_c%zu IS NULL THEN ", k ? " + " : "", k);
        hc_sqlw_lit(w, 0);
        fputs(" ELSE ", w->f);
        hc_sqlw_lit(w, WT(k));
        fputs(" END", w->f);
    }
}

/* Health under the weights wt (NULL: the components' own): the sum of
 * the present w_k s_k over the sum of the present w_k. */
static void health_expr(sqlw *w, const hc_model *m, const double *wt)
{
    size_t K = m->n_components;
    fputs("CASE WHEN (", w->f);
    present_weights(w, m, wt);
    fputs(") > ", w->f);
    hc_sqlw_lit(w, 0);
    fputs("\n        THEN (", w->f);
    for (size_t k = 0; k < K; k++) {
        fprintf(w->f, "%sCOALESCE(", k ? " + " : "");
        hc_sqlw_lit(w, WT(k));
        fprintf(w->f, " * hc_c%zu, ", k);
        hc_sqlw_lit(w, 0);
        fputs(")", w->f);
    }
    fputs(")\n        / (", w->f);
    present_weights(w, m, wt);
    fputs(") END", w->f);
}
#undef WT

static void churn_eta(sqlw *w, const hc_churn_model *c)
{
    if (!c->present) {
        hc_sqlw_null(w, 1);
        return;
    }
    hc_sqlw_lit(w, c->intercept);
    fputs(" + ", w->f);
    hc_sqlw_lit(w, c->slope);
    fputs(" * hc_h", w->f);
}

static void expansion_eta(sqlw *w, const hc_expansion_model *e, size_t K)
{
    if (!e->present || !e->coef) {
        hc_sqlw_null(w, 1);
        return;
    }
    fputs("CASE WHEN hc_h IS NULL THEN NULL ELSE ", w->f);
    for (size_t k = 0; k < K; k++)
        fputs("(", w->f);
    hc_sqlw_lit(w, e->intercept);
    for (size_t k = 0; k < K; k++) {
        fputs(" + ", w->f);
        hc_sqlw_lit(w, e->coef[k]);
        fprintf(w->f, " * COALESCE(hc_c%zu, hc_h))", k);
    }
    fputs(" END", w->f);
}

/* A CASE over the segments that override a part (has(seg)), each
 * written by part(seg), the top level (seg NULL) in the ELSE. */
typedef int (*has_fn)(const hc_segment *sg);
typedef void (*part_fn)(sqlw *w, const hc_model *m, const hc_segment *sg);

static void by_segment(sqlw *w, const hc_model *m, has_fn has, part_fn part)
{
    size_t n = 0;
    for (size_t s = 0; s < m->n_segments; s++)
        n += has(&m->segments[s]) != 0;
    if (n == 0) {
        part(w, m, NULL);
        return;
    }
    fputs("CASE", w->f);
    for (size_t s = 0; s < m->n_segments; s++) {
        if (!has(&m->segments[s]))
            continue;
        fputs("\n      WHEN hc_seg = ", w->f);
        hc_sqlw_str(w, m->segments[s].value);
        fputs(" THEN ", w->f);
        part(w, m, &m->segments[s]);
    }
    fputs("\n      ELSE ", w->f);
    part(w, m, NULL);
    fputs(" END", w->f);
}

static int has_weights(const hc_segment *sg) { return sg->weights != NULL; }
static int has_churn(const hc_segment *sg) { return sg->churn.present; }
static int has_expansion(const hc_segment *sg)
{
    return sg->expansion.present && sg->expansion.coef;
}

static void part_health(sqlw *w, const hc_model *m, const hc_segment *sg)
{
    health_expr(w, m, sg ? sg->weights : NULL);
}

static void part_churn(sqlw *w, const hc_model *m, const hc_segment *sg)
{
    churn_eta(w, sg ? &sg->churn : &m->churn);
}

static void part_expansion(sqlw *w, const hc_model *m, const hc_segment *sg)
{
    expansion_eta(w, sg ? &sg->expansion : &m->expansion, m->n_components);
}

/* ---- checks ------------------------------------------------------------ */

/* The output column names, in order (owned strings), for the collision
 * and length checks. */
static hc_status check_names(const hc_model *m, const hc_export_sql_options *o,
                             hc_error *err)
{
    size_t K = m->n_components, nm = 0;
    for (size_t k = 0; k < K; k++)
        nm += m->components[k].n_metrics;
    size_t cap = 8 + nm + K;
    char **names = calloc(cap, sizeof *names);
    if (!names)
        return hc_error_nomem(err);
    size_t n = 0;
    int bad = 0;
    char hz[2][48];
    snprintf(hz[0], sizeof hz[0], "p_churn_%dd", m->horizon_days);
    snprintf(hz[1], sizeof hz[1], "p_expansion_%dd", m->horizon_days);
    const char *fixed[] = {m->columns.account_id, m->columns.snapshot_date,
                           m->n_segments ? m->columns.segment : NULL,
                           "health", "band", hz[0], hz[1]};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (fixed[i] && !(names[n++] = strdup(fixed[i])))
            bad = 1;
    for (size_t k = 0; k < K && !bad; k++) {
        const hc_component *cp = &m->components[k];
        if (!(names[n++] = strdup(cp->name)))
            bad = 1;
        for (size_t j = 0; j < cp->n_metrics && !bad; j++) {
            size_t len = strlen(cp->name) + strlen(cp->metrics[j].column) + 2;
            if (!(names[n] = malloc(len)))
                bad = 1;
            else
                snprintf(names[n++], len, "%s.%s", cp->name, cp->metrics[j].column);
        }
    }
    hc_status st = bad ? hc_error_nomem(err) : HC_OK;
    for (size_t i = 0; i < n && st == HC_OK; i++) {
        if (o->dialect == HC_SQL_POSTGRES && strlen(names[i]) > PG_MAX_IDENT)
            st = hc_error_set(err, HC_EDATA, m->source, 0, 0,
                              "sql export: the output column '%s' is longer than "
                              "PostgreSQL's %d-byte identifiers (it would be "
                              "truncated): shorten the component or column name",
                              names[i], PG_MAX_IDENT);
        for (size_t j = 0; j < i && st == HC_OK; j++)
            if (strcmp(names[i], names[j]) == 0)
                st = hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                  "sql export: two output columns would both be "
                                  "named '%s' (a component, a metric "
                                  "'COMPONENT.COLUMN', a role column or one of "
                                  "health, band, %s, %s): rename one", names[i],
                                  hz[0], hz[1]);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    const char *idents[] = {o->table, o->schema, o->view};
    for (size_t i = 0; i < 3 && st == HC_OK; i++)
        if (idents[i] && o->dialect == HC_SQL_POSTGRES && strlen(idents[i]) > PG_MAX_IDENT)
            st = hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                              "sql export: the name '%s' is longer than "
                              "PostgreSQL's %d-byte identifiers", idents[i],
                              PG_MAX_IDENT);
    return st;
}

/* ---- the statement ------------------------------------------------------ */

static void header(sqlw *w, const hc_model *m, const hc_export_sql_options *o)
{
    static const char *const dn[] = {"PostgreSQL", "SQLite", "ANSI SQL"};
    FILE *f = w->f;
    fputs("-- healthcal score", f);
    if (o->tool) {
        fputs(", generated by ", f);
        hc_sqlw_comment(f, o->tool);
    }
    fprintf(f, " for %s", dn[w->d]);
    if (o->date) {
        fputs(" on ", f);
        hc_sqlw_comment(f, o->date);
    }
    fputs("\n-- config: ", f);
    hc_sqlw_comment(f, m->name ? m->name : "(no name)");
    if (o->config_path) {
        fputs(" (", f);
        hc_sqlw_comment(f, o->config_path);
        fputs(")", f);
    }
    if (o->config_hash) {
        fputs("\n-- config sha256: ", f);
        hc_sqlw_comment(f, o->config_hash);
    }
    fprintf(f, "\n-- schema %s, horizon %d days, lead %d days, %zu components, "
               "%zu bands, %zu segment overrides%s\n",
            HC_MODEL_SCHEMA, m->horizon_days, m->lead_days, m->n_components,
            m->n_bands, m->n_segments,
            m->recalibration && m->recalibration->method != HC_RECAL_NONE
                ? ", recalibrated P(churn)"
                : "");
    fputs("-- Computes per snapshot row what 'healthcal predict --all-snapshots' "
          "computes:\n-- metric sub-scores, component scores (missing: "
          "renormalize), health, band,\n-- P(churn) and P(expansion) within the "
          "horizon. NULL is missing.\n", f);
    if (m->rollup)
        fputs("-- The table holds user rows: they are rolled up to one row per account\n"
              "-- and date first (GROUP BY), as the config's rollup says; columns it\n"
              "-- does not name take their smallest value among the users.\n", f);
    if (w->d == HC_SQL_SQLITE)
        fputs("-- Needs SQLite built with the math functions (ln, exp): check with\n"
              "--   sqlite3 :memory: 'select exp(1)'\n"
              "-- A metric cell that does not hold a number (NULL, '', 'NA', or a number\n"
              "-- stored as text: declare the metric columns REAL) is missing.\n", f);
}

/* " AS (" opening a step. PostgreSQL (12+) and SQLite (3.35+) are told
 * to materialise it: both would otherwise inline each step into the
 * next, and since a step names the previous one's columns several times
 * (a clamp reads its value three times) the expression trees grow
 * multiplicatively (seconds instead of milliseconds per thousand rows). */
static void cte_as(sqlw *w)
{
    fputs(w->d == HC_SQL_ANSI ? " AS (\n" : " AS MATERIALIZED (\n", w->f);
}

static void from_table(sqlw *w, const hc_export_sql_options *o)
{
    if (o->schema) {
        hc_sqlw_ident(w, o->schema);
        putc('.', w->f);
    }
    hc_sqlw_ident(w, o->table);
}

/* The value of metric column `col` of the input row as a double or NULL. */
static void metric_value(sqlw *w, const char *col)
{
    FILE *f = w->f;
    switch (w->d) {
    case HC_SQL_POSTGRES:
        fputs("NULLIF(CAST(t.", f);
        hc_sqlw_ident(w, col);
        fputs(" AS DOUBLE PRECISION), 'NaN'::float8)", f);
        break;
    case HC_SQL_SQLITE:
        fputs("CASE WHEN typeof(t.", f);
        hc_sqlw_ident(w, col);
        fputs(") IN ('integer', 'real') THEN CAST(t.", f);
        hc_sqlw_ident(w, col);
        fputs(" AS REAL) END", f);
        break;
    case HC_SQL_ANSI:
        fputs("CAST(t.", f);
        hc_sqlw_ident(w, col);
        fputs(" AS DOUBLE PRECISION)", f);
        break;
    }
}

/* The input value of metric `mt`: a categorical level's matching form
 * (score.c ignores case and surrounding spaces; SQL's TRIM removes spaces
 * only), else the number. With a roll-up, its aggregate over the user
 * rows of the account and date: the rule of hc_rollup.h, where a column
 * the roll-up does not name takes its smallest value (an account's users
 * share it in a well-formed export; healthcal takes the first row's). */
static void input_value(sqlw *w, const hc_metric *mt, const hc_rollup *r)
{
    FILE *f = w->f;
    const hc_rollup_metric *rm = NULL;
    for (size_t q = 0; r && q < r->n_metrics && !rm; q++)
        if (strcmp(r->metrics[q].column, mt->column) == 0)
            rm = &r->metrics[q];
    if (mt->transform.type == HC_TF_CATEGORICAL) {
        fputs(r ? "MIN(LOWER(TRIM(CAST(t." : "LOWER(TRIM(CAST(t.", f);
        hc_sqlw_ident(w, mt->column);
        fputs(w->d == HC_SQL_ANSI ? " AS VARCHAR(255)))" : " AS TEXT))", f);
        fputs(r ? "))" : ")", f);
        return;
    }
    if (!r) {
        metric_value(w, mt->column);
        return;
    }
    switch (rm ? rm->agg : HC_AGG_MIN) {
    case HC_AGG_MEAN: fputs("AVG(", f); break;
    case HC_AGG_SUM: fputs("SUM(", f); break;
    case HC_AGG_MIN: fputs("MIN(", f); break;
    case HC_AGG_MAX: fputs("MAX(", f); break;
    case HC_AGG_MEDIAN: fputs("PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY ", f); break;
    case HC_AGG_SHARE_ABOVE: fputs("AVG(CASE WHEN ", f); break;
    case HC_AGG_COUNT_ACTIVE: fputs("1.0 * COUNT(CASE WHEN ", f); break;
    }
    metric_value(w, mt->column);
    if (rm && rm->agg == HC_AGG_SHARE_ABOVE) {
        fputs(" > ", f);
        hc_sqlw_lit(w, rm->threshold);
        fputs(" THEN 1.0 WHEN ", f);
        metric_value(w, mt->column);
        fputs(" IS NOT NULL THEN 0.0 END", f);
    } else if (rm && rm->agg == HC_AGG_COUNT_ACTIVE) {
        fputs(" > 0 THEN 1 END", f);
    }
    putc(')', f);
}

hc_status hc_export_sql_write(FILE *f, const hc_model *m,
                              const hc_export_sql_options *o, hc_error *err)
{
    if (!o->table || !o->table[0])
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0, "sql export: no table name");
    if ((o->view && !o->view[0]) || (o->schema && !o->schema[0]))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "sql export: an empty view or schema name");
    size_t K = m->n_components;
    if (K == 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "components: needs at least one component");
    for (size_t k = 0; k < K; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++)
            if (m->components[k].metrics[j].transform.type == HC_TF_QUANTILE &&
                !m->components[k].metrics[j].transform.cuts)
                return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].transform.cuts: "
                                    "the quantile transform of column '%s' has no "
                                    "cuts; learn them first (healthcal fit)", k, j,
                                    m->components[k].metrics[j].column);
            else if (m->components[k].metrics[j].seasonal) /* model_seasonal.c */
                return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].seasonal: the SQL export "
                                    "does not apply seasonal adjustments (column '%s'); "
                                    "score with healthcal predict", k, j,
                                    m->components[k].metrics[j].column);
            else if (m->components[k].metrics[j].trend != HC_TREND_NONE)
                return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].trend: the SQL export "
                                    "does not compute trends (the %s of column '%s' over "
                                    "%d days needs each account's earlier rows); add the "
                                    "trend as a column of the table and use a plain metric",
                                    k, j, hc_trend_kind_name(m->components[k].metrics[j].trend),
                                    m->components[k].metrics[j].column,
                                    m->components[k].metrics[j].trend_days);
            else if (m->components[k].metrics[j].transform.type == HC_TF_CATEGORICAL &&
                     (!m->components[k].metrics[j].transform.cat ||
                      m->components[k].metrics[j].transform.cat->n_levels == 0))
                return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                    "components[%zu].metrics[%zu].transform.levels: "
                                    "the categorical transform of column '%s' has no "
                                    "levels; learn them first (healthcal fit)", k, j,
                                    m->components[k].metrics[j].column);
    if (hc_model_segkey_active(m) && m->n_segments > 0)
        return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                            "columns.segment: the SQL export does not derive segment keys "
                            "(the key '%s' combines columns and lifecycle stages); add the "
                            "key as a column of the table and name it in columns.segment",
                            m->columns.segment);
    for (size_t q = 0; m->rollup && q < m->rollup->n_metrics; q++)
        if (m->rollup->metrics[q].agg == HC_AGG_MEDIAN && o->dialect == HC_SQL_SQLITE)
            return hc_error_set(err, HC_EDATA, m->source, 0, 0,
                                "rollup.metrics.%s: SQLite has no median aggregate "
                                "(PERCENTILE_CONT); export for postgres or ansi, or roll "
                                "the column up another way", m->rollup->metrics[q].column);
    hc_status st = check_names(m, o, err);
    if (st != HC_OK)
        return st;

    sqlw w = {f, o->dialect};
    const hc_recalibration *recal =
        m->recalibration && m->recalibration->method != HC_RECAL_NONE && m->churn.present
            ? m->recalibration
            : NULL;
    header(&w, m, o);
    if (o->view) {
        if (o->dialect != HC_SQL_ANSI) {
            fputs("DROP VIEW IF EXISTS ", f);
            if (o->schema) {
                hc_sqlw_ident(&w, o->schema);
                putc('.', f);
            }
            hc_sqlw_ident(&w, o->view);
            fputs(";\n", f);
        }
        fputs("CREATE VIEW ", f);
        if (o->schema) {
            hc_sqlw_ident(&w, o->schema);
            putc('.', f);
        }
        hc_sqlw_ident(&w, o->view);
        fputs(" AS\n", f);
    }

    /* 1. the input columns */
    fputs("WITH hc_in", f);
    cte_as(&w);
    /* With a roll-up, one row per account and date (hc_rollup.h). */
    const hc_rollup *r = m->rollup;
    fputs("  SELECT t.", f);
    hc_sqlw_ident(&w, m->columns.account_id);
    fputs(" AS hc_id, t.", f);
    hc_sqlw_ident(&w, m->columns.snapshot_date);
    fputs(" AS hc_date", f);
    if (m->n_segments) {
        fputs(r ? ", MIN(t." : ", t.", f);
        hc_sqlw_ident(&w, m->columns.segment);
        fputs(r ? ") AS hc_seg" : " AS hc_seg", f);
    }
    for (size_t k = 0, q = 0; k < K; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++, q++) {
            fputs(",\n    ", f);
            input_value(&w, &m->components[k].metrics[j], r);
            fprintf(f, " AS hc_x%zu", q);
        }
    fputs("\n  FROM ", f);
    from_table(&w, o);
    fputs(" AS t", f);
    if (r) {
        fputs("\n  GROUP BY t.", f);
        hc_sqlw_ident(&w, m->columns.account_id);
        fputs(", t.", f);
        hc_sqlw_ident(&w, m->columns.snapshot_date);
    }
    fputs("\n),\n", f);

    /* 2. metric sub-scores */
    fputs("hc_m", f);
    cte_as(&w);
    fputs("  SELECT hc_in.*", f);
    for (size_t k = 0, q = 0; k < K; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++, q++) {
            char x[32];
            snprintf(x, sizeof x, "hc_x%zu", q);
            fputs(",\n    -- ", f);
            hc_sqlw_comment(f, m->components[k].name);
            fputs(": ", f);
            hc_sqlw_comment(f, m->components[k].metrics[j].column);
            fprintf(f, " (%s)\n    ",
                    hc_transform_type_name(m->components[k].metrics[j].transform.type));
            hc_sqlw_transform(&w, &m->components[k].metrics[j].transform, x);
            fprintf(f, " AS hc_m%zu", q);
        }
    fputs("\n  FROM hc_in\n),\n", f);

    /* 3. component scores: weighted mean of the present metrics */
    fputs("hc_c", f);
    cte_as(&w);
    fputs("  SELECT hc_m.*", f);
    for (size_t k = 0, q0 = 0; k < K; q0 += m->components[k].n_metrics, k++) {
        const hc_component *cp = &m->components[k];
        fputs(",\n    ", f);
        if (cp->n_metrics == 1) {
            fprintf(f, "hc_m%zu", q0);
        } else {
            fputs("CASE WHEN (", f);
            for (size_t j = 0; j < cp->n_metrics; j++) {
                fprintf(f, "%sCASE WHEN hc_m%zu IS NULL THEN ", j ? " + " : "", q0 + j);
                hc_sqlw_lit(&w, 0);
                fputs(" ELSE ", f);
                hc_sqlw_lit(&w, cp->metrics[j].weight);
                fputs(" END", f);
            }
            fputs(") > ", f);
            hc_sqlw_lit(&w, 0);
            fputs(" THEN (", f);
            for (size_t j = 0; j < cp->n_metrics; j++) {
                fprintf(f, "%sCOALESCE(", j ? " + " : "");
                hc_sqlw_lit(&w, cp->metrics[j].weight);
                fprintf(f, " * hc_m%zu, ", q0 + j);
                hc_sqlw_lit(&w, 0);
                fputs(")", f);
            }
            fputs(") / (", f);
            for (size_t j = 0; j < cp->n_metrics; j++) {
                fprintf(f, "%sCASE WHEN hc_m%zu IS NULL THEN ", j ? " + " : "", q0 + j);
                hc_sqlw_lit(&w, 0);
                fputs(" ELSE ", f);
                hc_sqlw_lit(&w, cp->metrics[j].weight);
                fputs(" END", f);
            }
            fputs(") END", f);
        }
        fprintf(f, " AS hc_c%zu", k);
    }
    fputs("\n  FROM hc_m\n),\n", f);

    /* 4. health */
    fputs("hc_hl", f);
    cte_as(&w);
    fputs("  SELECT hc_c.*,\n    ", f);
    by_segment(&w, m, has_weights, part_health);
    fputs(" AS hc_h\n  FROM hc_c\n),\n", f);

    /* 5. linear predictors */
    fputs("hc_e", f);
    cte_as(&w);
    fputs("  SELECT hc_hl.*,\n    ", f);
    by_segment(&w, m, has_churn, part_churn);
    fputs(" AS hc_ec,\n    ", f);
    by_segment(&w, m, has_expansion, part_expansion);
    fputs(" AS hc_ee\n  FROM hc_hl\n),\n", f);

    /* 6. probabilities */
    fputs("hc_p", f);
    cte_as(&w);
    fputs("  SELECT hc_e.*,\n    ", f);
    hc_sqlw_logistic(&w, "hc_ec");
    fputs(" AS hc_p0,\n    ", f);
    hc_sqlw_logistic(&w, "hc_ee");
    fputs(" AS hc_pe\n  FROM hc_e\n)", f);
    const char *last = "hc_p";
    if (recal && recal->method == HC_RECAL_PLATT) {
        /* clipped_logit, then the map's linear predictor */
        double eps = HC_METRICS_CLIP_EPS;
        fputs(",\nhc_q", f);
        cte_as(&w);
        fputs("  SELECT hc_p.*, CASE WHEN hc_p0 < ", f);
        hc_sqlw_lit(&w, eps);
        fputs(" THEN ", f);
        hc_sqlw_lit(&w, eps);
        fputs(" WHEN hc_p0 > ", f);
        hc_sqlw_lit(&w, 1 - eps);
        fputs(" THEN ", f);
        hc_sqlw_lit(&w, 1 - eps);
        fputs(" ELSE hc_p0 END AS hc_pq\n  FROM hc_p\n),\n", f);
        fputs("hc_r", f);
        cte_as(&w);
        fputs("  SELECT hc_q.*, ", f);
        hc_sqlw_lit(&w, recal->a);
        fputs(" + ", f);
        hc_sqlw_lit(&w, recal->b);
        fputs(" * LN(hc_pq / (", f);
        hc_sqlw_lit(&w, 1);
        fputs(" - hc_pq)) AS hc_er\n  FROM hc_q\n)", f);
        last = "hc_r";
    }

    /* 7. the result */
    fputs("\nSELECT hc_id AS ", f);
    hc_sqlw_ident(&w, m->columns.account_id);
    fputs(", hc_date AS ", f);
    hc_sqlw_ident(&w, m->columns.snapshot_date);
    if (m->n_segments) {
        fputs(", hc_seg AS ", f);
        hc_sqlw_ident(&w, m->columns.segment);
    }
    for (size_t k = 0, q = 0; k < K; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++, q++) {
            fprintf(f, ",\n  hc_m%zu AS ", q);
            hc_sqlw_ident2(&w, m->components[k].name, m->components[k].metrics[j].column);
        }
    for (size_t k = 0; k < K; k++) {
        fprintf(f, ",\n  hc_c%zu AS ", k);
        hc_sqlw_ident(&w, m->components[k].name);
    }
    fputs(",\n  hc_h AS \"health\",\n  ", f);
    if (m->n_bands == 0) {
        hc_sqlw_null(&w, 0);
    } else {
        fputs("CASE WHEN hc_h IS NULL THEN NULL", f);
        for (size_t b = m->n_bands - 1; b > 0; b--) {
            fputs(" WHEN hc_h >= ", f);
            hc_sqlw_lit(&w, m->bands[b].min);
            fputs(" THEN ", f);
            hc_sqlw_str(&w, m->bands[b].name);
        }
        fputs(" ELSE ", f);
        hc_sqlw_str(&w, m->bands[0].name);
        fputs(" END", f);
    }
    fputs(" AS \"band\",\n  ", f);
    hc_sqlw_recalibrated(&w, recal);
    fprintf(f, " AS \"p_churn_%dd\",\n  hc_pe AS \"p_expansion_%dd\"\nFROM %s;\n",
            m->horizon_days, m->horizon_days, last);
    return HC_OK;
}
