/* hc_outfile.h - atomic output files and protection of inputs (layer: io).
 *
 * Every output is written to a temporary file in the target's directory and
 * renamed into place by hc_outfile_commit, so a reader never sees a partial
 * file. Temporary files still open when SIGINT or SIGTERM arrives are
 * removed by the handler that hc_outfile_install_signal_handlers sets.
 */
#ifndef HC_OUTFILE_H
#define HC_OUTFILE_H

#include <stdio.h>

#include "hc_error.h"

typedef struct hc_outfile hc_outfile;

/* Registers `path` as an input of this run: opening an output that is the
 * same file (same device and inode, or same path) fails with HC_EUSAGE. */
void hc_outfile_protect_input(const char *path);

/* Opens an output. "-" means stdout (commit then only flushes). Returns
 * HC_OK and a handle, HC_EUSAGE when `path` is a protected input, HC_EIO
 * when the temporary file cannot be created. */
hc_status hc_outfile_open(const char *path, hc_outfile **out, hc_error *err);

/* The stream to write to; owned by the handle. */
FILE *hc_outfile_stream(hc_outfile *of);

/* Flushes, checks for write errors (a full disk is HC_EIO), fsyncs and
 * renames the temporary file over `path`. Always frees the handle; on
 * failure the temporary file is removed and the target is untouched. */
hc_status hc_outfile_commit(hc_outfile *of, hc_error *err);

/* Removes the temporary file and frees the handle. NULL is a no-op. */
void hc_outfile_abort(hc_outfile *of);

/* Registers a temporary path (e.g. a gnuplot data file) to be removed if a
 * signal ends the process; hc_outfile_untrack_temp forgets it. */
void hc_outfile_track_temp(const char *path);
void hc_outfile_untrack_temp(const char *path);

/* Installs SIGINT/SIGTERM/SIGHUP handlers that unlink every open temporary
 * file and then re-raise the signal with the default action. */
void hc_outfile_install_signal_handlers(void);

/* Creates directory `path` and missing parents (mode 0777 & umask). */
hc_status hc_mkdir_p(const char *path, hc_error *err);

#endif
