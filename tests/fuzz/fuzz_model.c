/* fuzz_model.c - libFuzzer target: the config loader, round trip and scoring.
 *
 * Any input that loads must save and reload to the same text (round trip)
 * and score a small table without crashing. */
#include "hc_model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void score_small_table(const hc_model *m)
{
    hc_error e;
    hc_table *tb = hc_table_alloc("fuzz");
    for (size_t k = 0; k < m->n_components; k++)
        for (size_t j = 0; j < m->components[k].n_metrics; j++)
            if (hc_table_find(tb, m->components[k].metrics[j].column) < 0)
                hc_table_add_column(tb, m->components[k].metrics[j].column, HC_COL_NUM);
    if (hc_table_find(tb, m->columns.segment) < 0)
        hc_table_add_column(tb, m->columns.segment, HC_COL_TEXT);
    hc_table_resize(tb, 5);
    for (size_t col = 0; col < tb->n_cols; col++)
        if (tb->cols[col].type == HC_COL_NUM)
            for (size_t i = 0; i < 5; i++)
                hc_table_num_set(tb, col, i, i == 2 ? NAN : (double)i * 7 - 3);
    hc_scores *sc = hc_scores_alloc(m, 5);
    if (sc)
        hc_model_score(m, tb, sc, &e);
    hc_scores_free(sc);
    hc_table_free(tb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = 0;
    hc_model *m;
    hc_error e;
    if (hc_model_load_string(s, "fuzz", &m, &e) == HC_OK) {
        char *t = hc_model_to_string(m);
        hc_model *r;
        if (hc_model_load_string(t, "fuzz2", &r, &e) != HC_OK)
            abort();
        char *t2 = hc_model_to_string(r);
        if (strcmp(t, t2) != 0)
            abort();
        score_small_table(r);
        free(t);
        free(t2);
        hc_model_free(r);
        hc_model_free(m);
    }
    free(s);
    return 0;
}
