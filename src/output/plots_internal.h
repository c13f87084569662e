/* plots_internal.h - the machinery the figure files share: script buffer, plot state, data files, row selection, looks (private to src/output/plots*.c). */
#ifndef HC_PLOTS_INTERNAL_H
#define HC_PLOTS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hc_csv_load.h"
#include "hc_error.h"
#include "hc_table.h"

/* Safety rule for every figure file: text from a data file reaches the
 * script only through hc_pl_quote or hc_pl_title (single-quoted literals,
 * hc_gnuplot_quote), numbers only through hc_pl_num (finite values printed
 * with %g), and the temporary data files hold only numbers and dates that
 * we formatted ourselves (hc_pl_df_num). hc_pl_add and hc_pl_printf are for
 * our own constant text and numbers only, never for strings from data. */

#define HC_PL_MAX_SERIES 12 /* lines per plot; more would not be readable */

/* ---- the one palette of every figure ----
 *
 * Okabe & Ito (2008), "Color Universal Design": eight colours that stay
 * apart under protanopia, deuteranopia and tritanopia. Every figure takes
 * its data colours from here (series through the line types of
 * hc_pl_style_common, bands through hc_pl_band_colour / _rank); only the
 * neutral greys of reference lines and grids are outside it. */
#define HC_PL_OI_BLACK "#000000"
#define HC_PL_OI_ORANGE "#E69F00"
#define HC_PL_OI_SKY_BLUE "#56B4E9"
#define HC_PL_OI_BLUISH_GREEN "#009E73"
#define HC_PL_OI_YELLOW "#F0E442"
#define HC_PL_OI_BLUE "#0072B2"
#define HC_PL_OI_VERMILLION "#D55E00"
#define HC_PL_OI_REDDISH_PURPLE "#CC79A7"
/* Neutral greys: reference lines (the diagonal, "no skill"), their text,
 * secondary bars (an old value beside a new one). */
#define HC_PL_GREY_REFERENCE "#888888"
#define HC_PL_GREY_TEXT "#444444"
#define HC_PL_GREY_LIGHT "#BBBBBB"

/* The series order of line types 1..8: configs get blue, orange, sky blue,
 * reddish purple first (the report's current / tuned pairs), then bluish
 * green, vermillion, black and yellow (least visible on white, last). */
#define HC_PL_PALETTE_N 8
extern const char *const hc_pl_palette[HC_PL_PALETTE_N];

/* ---- the script buffer (plots_script.c) ---- */

/* A growing gnuplot script. Zeroed is empty; the text `s` is freed by the
 * runner (plots.c). Out of memory sets `oom` and makes every later append a
 * no-op, so the figure functions need not check each call. */
typedef struct {
    char *s;
    size_t len, cap;
    int oom;
} hc_pl_script;

/* Appends our own constant text `s`. */
void hc_pl_add(hc_pl_script *b, const char *s);

/* Appends printf-formatted text of our own (at most 1023 bytes; more is a
 * programming error and sets `oom`); never with data strings. */
void hc_pl_printf(hc_pl_script *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends `text` (from data) as a quoted, sanitised gnuplot string
 * expression cut to HC_GP_LABEL_MAX characters (HC_GP_SHORT). */
void hc_pl_quote(hc_pl_script *b, const char *text);

/* Appends a title made of our own `prefix` and `suffix` (never cut) around
 * a name from the data (cut to HC_GP_LABEL_MAX), as a gnuplot string
 * concatenation, so a long config name cannot push the title's own words
 * off the end. */
void hc_pl_title(hc_pl_script *b, const char *prefix, const char *name,
                 const char *suffix);

/* Appends a number with %.10g; gnuplot would read "nan" or "inf" as
 * variable names, so a non-finite value is written as gnuplot's own NaN. */
void hc_pl_num(hc_pl_script *b, double v);

/* ---- the state of one plot being built (plots_data.c) ---- */

/* One figure in the making, zeroed by the runner (plots.c), which also
 * closes and removes the data file, frees the tables and the script. */
typedef struct {
    const char *data_dir;
    int skip;             /* set by a figure function: nothing to draw */
    char note[1024];      /* why skipped, or a note on what was drawn */
    hc_pl_script sc;      /* the script body */
    char data[4096];      /* temporary numeric data file */
    FILE *df;
    int blocks;           /* data blocks written (gnuplot "index") */
    char dq[8192];        /* the data file name as a gnuplot literal */
    hc_table *t[2];       /* loaded data files, freed by the runner */
} hc_pl_ctx;

/* A figure function: loads its data files, writes the numeric data file
 * and the script body into `c`; returns HC_OK with c->skip set when there
 * is nothing to draw, or a failure with `err` filled. */
typedef hc_status (*hc_pl_draw_fn)(hc_pl_ctx *c, hc_error *err);

/* Marks the plot as skipped, with the reason (our own words) in c->note. */
void hc_pl_skip(hc_pl_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds a note on what was drawn to c->note, after "; " when there is one. */
void hc_pl_note(hc_pl_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Adds "only the first KEPT WHAT are drawn" when `more` is set. */
void hc_pl_note_truncated(hc_pl_ctx *c, int more, size_t kept,
                          const char *what);

/* ---- the temporary numeric data file (plots_data.c) ---- */

/* Creates c->data (hc_gnuplot_temp_create), opens it as c->df and puts its
 * name as a gnuplot literal in c->dq. */
hc_status hc_pl_df_open(hc_pl_ctx *c, hc_error *err);

/* Writes a number with %.12g; missing (not finite) is '?' (the scripts say
 * "set datafile missing '?'"). */
void hc_pl_df_num(hc_pl_ctx *c, double v);

/* Ends a row. */
void hc_pl_df_endrow(hc_pl_ctx *c);

/* Ends a block and returns its index for "index N" in the script; two
 * blank lines separate gnuplot data blocks. */
int hc_pl_df_endblock(hc_pl_ctx *c);

/* Closes c->df (a no-op when it is not open); HC_EIO when a write failed. */
hc_status hc_pl_df_close(hc_pl_ctx *c, hc_error *err);

/* Appends "DATA index N " (the data file and block `block`) to `b`, ready
 * for a "using" clause. */
void hc_pl_data(hc_pl_script *b, const hc_pl_ctx *c, int block);

/* ---- reading the plot data files (plots_data.c) ---- */

/* Loads DATA_DIR/FILE with the columns `cols` (extra columns skipped) into
 * *t, which the caller frees (the figures load into c->t[], freed by the
 * runner). *present is 0, *t NULL and HC_OK returned when the file does not
 * exist. */
hc_status hc_pl_load(hc_pl_ctx *c, const char *file, const hc_colspec *cols,
                     size_t n_cols, hc_table **t, int *present, hc_error *err);

/* Loads the single data file of a plot into c->t[0] and opens the data
 * file; sets c->skip when it is absent or has no rows. */
hc_status hc_pl_load_main(hc_pl_ctx *c, const char *file,
                          const hc_colspec *cols, size_t n_cols,
                          hc_error *err);

/* A numeric or date cell as a double (a date as its day number); NaN when
 * missing or when `col` is -1 (an absent optional column). */
double hc_pl_cell(const hc_table *t, int col, size_t row);

/* The text code of a cell: -1 missing, -2 when `col` is -1. */
int32_t hc_pl_text_code(const hc_table *t, int col, size_t row);

/* The display text of text code `code` of column `col` (owned by the
 * table): "" for an absent column, "(missing)" for a missing cell. */
const char *hc_pl_label(const hc_table *t, int col, int32_t code);

/* The largest finite value of column `col`, at least 0 (0 when absent). */
double hc_pl_column_max(const hc_table *t, int col);

/* The distinct values of text column `col` in order of first appearance,
 * at most `max` of them written to `codes`; *more is set when there were
 * others. Returns how many were written. */
size_t hc_pl_distinct(const hc_table *t, int col, int32_t *codes, size_t max,
                      int *more);

/* A selected row with its sort keys. */
typedef struct {
    double k1, k2;
    size_t row;
} hc_pl_keyed;

/* Room for every row of `t` (at least one), which the caller frees; NULL
 * with `err` filled when out of memory. */
hc_pl_keyed *hc_pl_keyed_alloc(const hc_table *t, hc_error *err);

/* Writes to `out` the rows whose text columns match (col1 == code1 when
 * col1 >= 0, and col2 == code2 when col2 >= 0) and whose first sort key
 * (column key1) is not missing, sorted by (key1, key2) with file order
 * breaking ties; key2 -1 or a missing key2 counts as 0, and `sign2` flips
 * the second key. Returns the number of rows written. */
size_t hc_pl_select_rows(const hc_table *t, int col1, int32_t code1,
                         int col2, int32_t code2, int key1, int key2,
                         double sign2, hc_pl_keyed *out);

/* ---- looks and axes (plots_script.c) ---- */

/* Dash and point types of the eight line types, for figures that set
 * colour, dash and point separately (bands: colour by band, dash by
 * config). */
extern const char *const hc_pl_dashes[8];
extern const int hc_pl_points[8];

/* Appends the settings every figure starts with: missing values, border,
 * grid, key, fill, and the eight line types (colour-blind-safe colours,
 * each with its own dash and point type). */
void hc_pl_style_common(hc_pl_script *b);

/* The colour of a band: names that say a colour get its Okabe-Ito
 * stand-in (red, at-risk: vermillion; orange, amber, yellow: orange;
 * green, champion: bluish green; blue: blue), others the i-th palette
 * entry. A static string. */
const char *hc_pl_band_colour(const char *name, size_t i);

/* The colour of band `band` of `n_bands` by rank (riskiest first): band 0
 * vermillion, the top band bluish green, those between orange, sky blue,
 * reddish purple, yellow, blue. A static string. */
const char *hc_pl_band_colour_rank(size_t band, size_t n_bands);

/* A "nice" upper limit (0.005 to 0.1 steps, or 1) above the largest
 * probability `m`, so the axis zooms in on the range the predictions
 * occupy. */
double hc_pl_nice_upper(double m);

/* The line type (1-based) of a series named `name`, shared between the
 * panels of one figure so a config keeps its look: `names` (room for
 * HC_PL_MAX_SERIES, *n in use; the pointers are kept, not copied) grows by
 * new names; the i-th type when the list is full. */
int hc_pl_series_lt(const char **names, size_t *n, const char *name,
                    size_t i);

/* Appends a date x axis on day numbers, with tics at the distinct dates of
 * column `dc` thinned to at most `max_tics`; `labels` 0 leaves the tics
 * unlabelled (an upper panel sharing the axis). */
hc_status hc_pl_date_axis(hc_pl_script *b, const hc_table *t, int dc,
                          size_t max_tics, int labels, hc_error *err);

/* The divisor that keeps money tic labels short for values up to `max`,
 * with its unit name (static) in *unit. */
double hc_pl_money_scale(double max, const char **unit);

/* ---- the figures, one file per family ---- */

/* plots_reliability.c: reliability.csv and prediction_hist.csv. */
hc_status hc_pl_draw_reliability(hc_pl_ctx *c, hc_error *err);

/* plots_roc_pr_gains.c: roc.csv, pr.csv, gains.csv. */
hc_status hc_pl_draw_roc(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_pr(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_gains(hc_pl_ctx *c, hc_error *err);

/* plots_bands.c: bands_over_time.csv, band_arr.csv. */
hc_status hc_pl_draw_bands_over_time(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_band_arr(hc_pl_ctx *c, hc_error *err);

/* plots_score_distribution.c: score_distribution.csv. */
hc_status hc_pl_draw_score_distribution(hc_pl_ctx *c, hc_error *err);

/* plots_weights.c: weights.csv. */
hc_status hc_pl_draw_weights(hc_pl_ctx *c, hc_error *err);

/* plots_thresholds.c: thresholds.csv with cutpoints.csv. */
hc_status hc_pl_draw_thresholds(hc_pl_ctx *c, hc_error *err);

/* plots_folds.c: folds.csv. */
hc_status hc_pl_draw_folds(hc_pl_ctx *c, hc_error *err);

/* plots_headline.c: the report's band_rates.csv (headline) and trend.csv
 * (trend); plots_lead_time.c: its lead_time.csv. */
hc_status hc_pl_draw_headline(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_trend(hc_pl_ctx *c, hc_error *err);
hc_status hc_pl_draw_lead_time(hc_pl_ctx *c, hc_error *err);

#endif
