/* backtest_csv.h - the cells and files of the backtest's CSV writers (backtest_write.c, backtest_write_plot.c). */
#ifndef HEALTHCAL_BACKTEST_CSV_H
#define HEALTHCAL_BACKTEST_CSV_H

#include <stdio.h>

#include "hc_csv.h"
#include "hc_error.h"
#include "hc_outfile.h"

/* Opens DIR/NAME for atomic writing. */
static inline hc_status open_in(const char *dir, const char *name, hc_outfile **of,
                                hc_error *err)
{
    char path[4096];
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (w < 0 || (size_t)w >= sizeof path)
        return hc_error_set(err, HC_EIO, dir, 0, 0, "directory name is too long");
    return hc_outfile_open(path, of, err);
}

/* A cell after a comma: a number (round-trips), a count, text (escaped). */
static inline void num(FILE *f, double v)
{
    putc(',', f);
    hc_csv_write_num(f, v);
}

static inline void cnt(FILE *f, size_t v)
{
    fprintf(f, ",%zu", v);
}

static inline void text(FILE *f, const char *s)
{
    putc(',', f);
    hc_csv_write_text(f, s);
}

#endif
