/* hc_plot.h - plots drawn by gnuplot run safely as a child process (layer: output).
 *
 * gnuplot is found on PATH and started with an argument vector, never
 * through a shell. Every script line that carries a string from data gets it
 * as single-quoted gnuplot literals built by hc_gnuplot_quote, because
 * gnuplot's double-quoted strings and bare command lines run `backquoted`
 * commands. Data files handed to gnuplot hold numbers and dates only; text
 * (config, band, component and outcome names) reaches gnuplot only through
 * quoted titles and tic labels.
 *
 * The plot data files (one CSV with a header per plot family, the contract
 * with the report and backtest code) are listed in hc_plot_all's comment
 * and beside each drawing function in src/output/plots_*.c, one file per
 * figure family; src/output/plots.c holds the table of plots and runs them.
 */
#ifndef HC_PLOT_H
#define HC_PLOT_H

#include <stddef.h>
#include <stdio.h>

#include "hc_error.h"

/* Output formats, or-ed together. */
#define HC_PLOT_SVG 1u /* terminal svg: inline-able in HTML */
#define HC_PLOT_PNG 2u /* terminal pngcairo (png when cairo is absent) */

/* How gnuplot is run. Zeroed means the defaults. */
typedef struct {
    const char *gnuplot; /* program: NULL means "gnuplot" looked up on PATH;
                            a name holding '/' is used as given */
    double timeout;      /* seconds a gnuplot run may take before it is
                            killed; <= 0 means 60 */
    int width;           /* image size in pixels; <= 0 means 800 */
    int height;          /* <= 0 means 500 */
    int keep_script;     /* hc_gnuplot_render also writes the figure's
                            commands (the body, without terminal and
                            output) to OUT_DIR/BASE.gp; its data file is
                            temporary, so the copy documents the axes and
                            colours rather than replays the figure */
} hc_gnuplot_options;

/* ---- escaping (gnuplot_escape.c) ---- */

/* hc_gnuplot_quote flags. */
#define HC_GP_ENHANCED 1u /* also escape enhanced-text markup ^ _ @ & { } ~ \
                             for a terminal in enhanced mode */
#define HC_GP_PATH 2u     /* a file name: bytes are kept as they are; a
                             control character is an error */
#define HC_GP_SHORT 4u    /* a label: cut after HC_GP_LABEL_MAX characters,
                             marked with "..." */

#define HC_GP_LABEL_MAX 60 /* characters (code points) kept by HC_GP_SHORT */

/* Writes `s` into `dst` as a gnuplot string expression and NUL-terminates
 * it: single-quoted literals that contain no quote character, joined by
 * . "'" . where `s` has a quote (O'Brien becomes 'O' . "'" . 'Brien'),
 * because gnuplot 5.4's scanner mis-reads '' after a quote or at the start
 * of a literal. Inside single quotes gnuplot performs no backquote
 * substitution, no macro (@) expansion and no escape processing, so the
 * expression always reads back as the text. Without HC_GP_PATH the text is
 * made safe to display: control characters (C0, DEL, C1) become spaces,
 * invalid UTF-8 bytes and the XML non-characters U+FFFE/U+FFFF become '?',
 * and "]]>" becomes "]] >" (gnuplot's SVG terminal escapes < and & but not
 * >). NULL is written as ''. The expression is accepted wherever gnuplot
 * takes a string: titles, labels, tic labels, set output.
 * Returns the length of the expression (excluding the NUL), like snprintf;
 * when that is >= size it did not fit and `dst` holds "" (never a cut
 * literal). With HC_GP_PATH a control character in `s` (which no literal can
 * hold on one line) makes it return (size_t)-1 with `dst` holding "". */
size_t hc_gnuplot_quote(char *dst, size_t size, const char *s, unsigned flags);

/* ---- running gnuplot (gnuplot.c) ---- */

/* Resolves the gnuplot program of `opt` (NULL means defaults) to an
 * executable path written into `path` (size bytes). PATH entries that are
 * empty or relative are skipped, so a gnuplot in the current directory is
 * never run by accident; an unset PATH means the system default path.
 * Returns HC_OK or HC_EIO with a message saying how to install gnuplot. */
hc_status hc_gnuplot_find(const hc_gnuplot_options *opt, char *path,
                          size_t size, hc_error *err);

/* Returns 1 when a default gnuplot can be run; otherwise 0 with the reason
 * (one lower-case sentence) in `why` (which may be NULL). */
int hc_plot_available(char *why, size_t size);

/* Runs gnuplot on `script`: writes it to a temporary file made by mkstemp
 * in $TMPDIR (default /tmp), runs `gnuplot -d FILE` with posix_spawn (no
 * shell; -d skips the user's ~/.gnuplot), stdin and stdout on /dev/null and
 * stderr captured, kills gnuplot after opt->timeout seconds, and removes the
 * script on every path. Returns HC_OK when gnuplot exits 0, HC_EIO otherwise
 * with gnuplot's first error line in the message. `opt` may be NULL. */
hc_status hc_gnuplot_run(const char *script, const hc_gnuplot_options *opt,
                         hc_error *err);

/* Draws `body` (gnuplot commands that set up and draw one figure, without
 * terminal or output) once per format in `formats` into
 * OUT_DIR/BASE.svg and OUT_DIR/BASE.png, using one gnuplot run. Each image
 * is written by gnuplot to a temporary name beside its target and renamed
 * into place only when the run succeeded, so a reader never sees a partial
 * image. `base` must be a plain file name (no '/'). `opt` may be NULL. */
hc_status hc_gnuplot_render(const char *body, const char *out_dir,
                            const char *base, unsigned formats,
                            const hc_gnuplot_options *opt, hc_error *err);

/* Creates an empty temporary file with mkstemp in $TMPDIR (default /tmp),
 * registers it with hc_outfile_track_temp so a signal removes it, and
 * returns it open for writing in *f with its name in `path`. The caller
 * closes the stream and calls hc_gnuplot_temp_remove. */
hc_status hc_gnuplot_temp_create(const char *tag, char *path, size_t size,
                                 FILE **f, hc_error *err);

/* Removes and untracks a temporary file made by hc_gnuplot_temp_create.
 * An empty `path` is a no-op. */
void hc_gnuplot_temp_remove(const char *path);

/* ---- the plots (plots.c; one figure family per plots_*.c) ---- */

typedef enum {
    HC_PLOT_DRAWN = 0,
    HC_PLOT_SKIPPED,  /* its data file is absent or holds no rows */
    HC_PLOT_FAILED    /* bad data or gnuplot failed: see reason */
} hc_plot_state;

/* The outcome for one plot. */
typedef struct {
    const char *name;      /* output base name, e.g. "reliability" (static) */
    const char *data_file; /* main data file, e.g. "reliability.csv" (static) */
    hc_plot_state state;
    hc_status status;      /* HC_OK unless HC_PLOT_FAILED */
    char reason[1024];     /* why skipped or failed; a note when drawn */
} hc_plot_result;

#define HC_PLOT_COUNT 13

typedef struct {
    hc_plot_result plots[HC_PLOT_COUNT]; /* in drawing order */
    size_t n_plots;
    size_t n_drawn;
    size_t n_skipped;
    size_t n_failed;
    unsigned formats;      /* what was drawn: HC_PLOT_SVG | HC_PLOT_PNG */
} hc_plot_summary;

/* Draws every plot whose data file exists in `data_dir` into `out_dir`
 * (created when missing) as OUT_DIR/NAME.svg and/or OUT_DIR/NAME.png. The
 * data files are CSV with a header; columns in [] may be absent, others are
 * required, extra columns are ignored, empty/NA cells are missing:
 *   reliability      reliability.csv: config,[bin],p_mean,observed,[n],
 *                    [ci_low],[ci_high] and/or prediction_hist.csv:
 *                    config,bin_low,bin_high,count
 *   roc              roc.csv: config,fpr,tpr
 *   pr               pr.csv: config,recall,precision
 *   gains            gains.csv: config,share_flagged,capture,[lift]
 *   bands_over_time  bands_over_time.csv: config,[fold],test_start,band,
 *                    churn_rate,[arr_latest] (ARR once per account)
 *   band_arr         band_arr.csv: band,[accounts],arr,[expected_churned_arr]
 *   score_distribution score_distribution.csv: config,outcome,bin_low,
 *                    bin_high,[count],share
 *   weights          weights.csv: component,[old_weight],new_weight,
 *                    [ci_low],[ci_high]
 *   thresholds       thresholds.csv: threshold,[share_flagged],[recall],
 *                    [precision],[arr_recall],[config], with cut points from
 *                    cutpoints.csv: band,min (when present)
 *   folds            folds.csv: [fold],config,test_start,[test_end],[n],
 *                    [positives],[roc_auc],[pr_auc],[brier],[log_loss],[ece],
 *                    [roc_auc_ci_low],[roc_auc_ci_high]
 * Dates are YYYY-MM-DD; probabilities, rates and shares are fractions.
 * A plot whose data is bad or whose gnuplot run fails is recorded as failed
 * and the others are still drawn. Returns HC_OK when none failed; otherwise
 * the status of the first failure with `err` filled. When gnuplot cannot be
 * found nothing is drawn and HC_EIO is returned (check hc_plot_available
 * first to degrade gracefully). `summary` (required) says what was drawn,
 * skipped and why. `opt` may be NULL. */
hc_status hc_plot_all(const char *data_dir, const char *out_dir,
                      unsigned formats, const hc_gnuplot_options *opt,
                      hc_plot_summary *summary, hc_error *err);

/* Draws the single plot `name` (one of the names above). Returns HC_OK with
 * *state HC_PLOT_DRAWN or HC_PLOT_SKIPPED (reason in `err->message`), or
 * the failure status with `err` filled. */
hc_status hc_plot_one(const char *name, const char *data_dir,
                      const char *out_dir, unsigned formats,
                      const hc_gnuplot_options *opt, hc_plot_state *state,
                      hc_error *err);

#endif
