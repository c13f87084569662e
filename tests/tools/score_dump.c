/* score_dump.c - what `healthcal predict --all-snapshots` computes, at full precision, for the SQL export parity test.
 *
 * usage: score_dump CONFIG SNAPSHOTS
 *
 * Runs the predict workflow exactly as `healthcal predict --all-snapshots`
 * does (hc_predict_run, no events) and prints one CSV line per row:
 * account_id, snapshot_date, the segment column when the config has
 * segment overrides, each metric's sub-score (the metric's transform
 * of the row's value, hc_transform_apply), each component's sub-score
 * (hc_predict_result.sub), health, band, p_churn and p_expansion, numbers
 * with 17 significant digits, missing values empty. The predict CSV
 * rounds health to 4 decimals and probabilities to 6 significant digits and
 * has no sub-scores, so the test compares the databases with this (to 1e-9)
 * and this with the predict CSV (to its printed precision). Ids and names
 * in the test data hold no comma or newline, so no CSV quoting is done.
 */
#include "hc_date.h"
#include "hc_model.h"
#include "hc_predict.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void num(double v)
{
    putchar(',');
    if (!isnan(v))
        printf("%.17g", v);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: score_dump CONFIG SNAPSHOTS\n");
        return 1;
    }
    hc_error err;
    hc_error_clear(&err);
    hc_model *m;
    hc_snapshots s;
    if (hc_model_load(argv[1], &m, &err) != HC_OK ||
        hc_predict_load_snapshots(m, argv[2], 0, &s, &err) != HC_OK) {
        fprintf(stderr, "score_dump: %s\n", err.message);
        return 2;
    }
    hc_predict_options o;
    hc_predict_options_init(&o);
    o.model = m;
    o.snapshots = &s;
    o.all_snapshots = 1;
    o.risk_draws = 0;
    hc_predict_result r;
    if (hc_predict_run(&o, &r, &err) != HC_OK) {
        fprintf(stderr, "score_dump: %s\n", err.message);
        return 2;
    }
    const hc_table *t = s.table;
    size_t K = m->n_components;
    /* A trend metric's input: its trend over the table (hc_model.h). */
    size_t nq = 0;
    for (size_t k = 0; k < K; k++)
        nq += m->components[k].n_metrics;
    double **tv = calloc(nq ? nq : 1, sizeof *tv);
    for (size_t k = 0, q = 0; tv && k < K; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++, q++)
            if (m->components[k].metrics[j].trend != HC_TREND_NONE &&
                ((tv[q] = malloc((t->n_rows ? t->n_rows : 1) * sizeof *tv[q])) == NULL ||
                 hc_model_metric_values(m, k, j, t, NULL, t->n_rows, tv[q], &err) != HC_OK)) {
                fprintf(stderr, "score_dump: trend: %s\n", err.message);
                return 2;
            }
    for (size_t i = 0; i < r.n; i++) {
        const hc_prediction *p = &r.rows[i];
        char d[11];
        hc_date_format(p->date, d);
        printf("%s,%s", hc_table_text(t, s.id_col, p->row), d);
        if (m->n_segments)
            printf(",%s", s.segment_col >= 0 ? hc_table_text(t, s.segment_col, p->row) : "");
        for (size_t k = 0, q = 0; k < K; k++)
            for (size_t j = 0; j < m->components[k].n_metrics; j++, q++) {
                const hc_metric *mt = &m->components[k].metrics[j];
                int col = hc_table_find(t, mt->column);
                if (tv && tv[q]) {
                    num(hc_transform_apply(&mt->transform, tv[q][p->row]));
                    continue;
                }
                if (col >= 0 && mt->transform.type == HC_TF_CATEGORICAL) {
                    /* A text level: its score by name (scoring maps codes). */
                    const char *v = hc_table_text(t, col, p->row);
                    const hc_categorical *c = mt->transform.cat;
                    int l = v ? hc_categorical_find(c, v) : -1;
                    num(!v ? NAN : l >= 0 ? c->score[l] : c->unseen_other ? c->other : NAN);
                    continue;
                }
                num(col < 0 ? NAN : hc_transform_apply(&mt->transform,
                                                       hc_table_num(t, col, p->row)));
            }
        for (size_t k = 0; k < K; k++)
            num(r.sub[i * K + k]);
        num(p->health);
        printf(",%s", p->band >= 0 ? m->bands[p->band].name : "");
        num(p->p_churn);
        num(p->p_expansion);
        putchar('\n');
    }
    for (size_t q = 0; tv && q < nq; q++)
        free(tv[q]);
    free(tv);
    hc_predict_result_release(&r);
    hc_snapshots_release(&s);
    hc_model_free(m);
    return fflush(stdout) || ferror(stdout) ? 4 : 0;
}
