/* obs_table.c - loading a labelled table with numeric columns for fit and validate. */
#include "hc_obs_table.h"
#include "hc_csv.h"
#include "hc_csv_load.h"
#include "hc_outfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int hc_parse_binary_label(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    static const char *const ones[] = {"1", "true", "yes"};
    static const char *const zeros[] = {"0", "false", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strlen(ones[i]) == len && strncasecmp(s, ones[i], len) == 0) {
            *v = 1;
            return 0;
        }
        if (strlen(zeros[i]) == len && strncasecmp(s, zeros[i], len) == 0) {
            *v = 0;
            return 0;
        }
    }
    return -1;
}

void hc_obs_table_release(hc_obs_table *t)
{
    if (!t)
        return;
    free(t->y);
    free(t->X);
    free(t->cluster);
    memset(t, 0, sizeof *t);
}

hc_status hc_obs_table_load(const hc_obs_table_options *opt, hc_obs_table *out,
                            hc_error *err)
{
    memset(out, 0, sizeof *out);
    size_t p = opt->n_columns;
    hc_colspec *spec = malloc((p + 2) * sizeof *spec);
    if (!spec)
        return hc_error_nomem(err);
    size_t ns = 0;
    spec[ns++] = (hc_colspec){opt->label, HC_COL_TEXT, 1};
    for (size_t j = 0; j < p; j++) {
        if (strcmp(opt->columns[j], opt->label) == 0) {
            free(spec);
            return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                                "column '%s' is both the label and a feature",
                                opt->label);
        }
        spec[ns++] = (hc_colspec){opt->columns[j], HC_COL_NUM, 1};
    }
    if (opt->cluster)
        spec[ns++] = (hc_colspec){opt->cluster, HC_COL_TEXT, 1};
    hc_load_options lo = {.csv = {.delimiter = opt->delimiter},
                          .cols = spec,
                          .n_cols = ns,
                          .extra = HC_EXTRA_SKIP,
                          .negative_error_col = -1};
    hc_outfile_protect_input(opt->path);
    hc_table *t;
    hc_status st = hc_table_load_csv(opt->path, &lo, &t, err);
    free(spec);
    if (st != HC_OK)
        return st;
    /* Column indexes in the table (a feature listed twice maps to one). */
    int label_col = hc_table_find(t, opt->label);
    int cluster_col = opt->cluster ? hc_table_find(t, opt->cluster) : -1;
    int *cols = malloc((p ? p : 1) * sizeof *cols);
    size_t n = t->n_rows;
    out->p = p;
    out->rows_read = n;
    out->y = malloc((n ? n : 1) * sizeof *out->y);
    out->X = malloc((n ? n : 1) * (p ? p : 1) * sizeof *out->X);
    if (opt->cluster)
        out->cluster = malloc((n ? n : 1) * sizeof *out->cluster);
    if (!cols || !out->y || !out->X || (opt->cluster && !out->cluster)) {
        free(cols);
        hc_table_free(t);
        hc_obs_table_release(out);
        return hc_error_nomem(err);
    }
    for (size_t j = 0; j < p; j++)
        cols[j] = hc_table_find(t, opt->columns[j]);
    size_t k = 0;
    for (size_t r = 0; r < n && st == HC_OK; r++) {
        const char *lab = hc_table_text(t, label_col, r);
        int missing = lab == NULL;
        for (size_t j = 0; j < p; j++)
            missing |= isnan(hc_table_num(t, cols[j], r));
        if (cluster_col >= 0)
            missing |= t->cols[cluster_col].code[r] < 0;
        if (missing) {
            out->rows_missing++;
            continue;
        }
        double v;
        if (hc_parse_binary_label(lab, &v) != 0) {
            st = hc_error_set(err, HC_EDATA, t->source, hc_table_line(t, r), 0,
                              "label column '%s': '%.40s' is not 0/1, "
                              "true/false or yes/no",
                              opt->label, lab);
            break;
        }
        out->y[k] = v;
        for (size_t j = 0; j < p; j++)
            out->X[k * p + j] = hc_table_num(t, cols[j], r);
        if (cluster_col >= 0)
            out->cluster[k] = t->cols[cluster_col].code[r];
        k++;
    }
    if (cluster_col >= 0)
        out->n_clusters = hc_strpool_count(t->cols[cluster_col].pool);
    out->n = k;
    free(cols);
    hc_table_free(t);
    if (st == HC_OK && k == 0)
        st = hc_error_set(err, HC_EDATA, opt->path, 0, 0,
                          "no complete rows: all %zu rows have a missing value",
                          n);
    if (st != HC_OK)
        hc_obs_table_release(out);
    return st;
}
