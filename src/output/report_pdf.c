/* report_pdf.c - index.pdf of the quarterly report: finding a converter (Debian's chromium, headless) and printing index.html with it, without a shell, with a timeout. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "hc_outfile.h"
#include "hc_report_render.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* The converters tried, in order: Debian's package, then other names. */
static const char *const converters[] = {"chromium", "chromium-browser", "google-chrome"};

hc_status hc_report_pdf_find(char *path, size_t size, hc_error *err)
{
    for (size_t i = 0; i < sizeof converters / sizeof converters[0]; i++) {
        hc_gnuplot_options o = {.gnuplot = converters[i]};
        hc_error e;
        hc_error_clear(&e);
        if (hc_gnuplot_find(&o, path, size, &e) == HC_OK)
            return HC_OK;
    }
    return hc_error_set(err, HC_EIO, NULL, 0, 0,
                        "--pdf needs a converter and none was found: chromium, "
                        "chromium-browser or google-chrome on PATH (Debian/Ubuntu: apt-get "
                        "install chromium); the report itself needs none, and a browser's "
                        "'print to PDF' of index.html gives the same document");
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

hc_status hc_report_write_pdf(const char *converter, const char *html, const char *pdf,
                              double timeout, hc_error *err)
{
    char abs_html[PATH_MAX], url[PATH_MAX + 16], out_arg[PATH_MAX + 32], tmp[PATH_MAX];
    char profile[] = "/tmp/healthcal-pdf-XXXXXX", prof_arg[64];
    if (!realpath(html, abs_html))
        return hc_error_set(err, HC_EIO, html, 0, 0, "cannot resolve: %s", strerror(errno));
    int w = snprintf(tmp, sizeof tmp, "%s.tmp", pdf);
    if (w < 0 || (size_t)w >= sizeof tmp)
        return hc_error_set(err, HC_EIO, pdf, 0, 0, "path is too long");
    snprintf(url, sizeof url, "file://%s", abs_html);
    snprintf(out_arg, sizeof out_arg, "--print-to-pdf=%s", tmp);
    if (!mkdtemp(profile))
        return hc_error_set(err, HC_EIO, profile, 0, 0, "cannot create: %s", strerror(errno));
    snprintf(prof_arg, sizeof prof_arg, "--user-data-dir=%s", profile);
    char a1[] = "--headless", a2[] = "--no-sandbox", a3[] = "--disable-gpu",
         a4[] = "--no-first-run", a5[] = "--disable-extensions",
         a6[] = "--no-pdf-header-footer", prog[PATH_MAX];
    snprintf(prog, sizeof prog, "%s", converter);
    char *argv[] = {prog, a1, a2, a3, a4, a5, a6, prof_arg, out_arg, url, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    hc_outfile_track_temp(tmp);
    pid_t pid;
    int rc = posix_spawn(&pid, converter, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    hc_status st = HC_OK;
    if (rc != 0) {
        st = hc_error_set(err, HC_EIO, converter, 0, 0, "cannot run: %s", strerror(rc));
    } else {
        if (timeout <= 0)
            timeout = 120;
        struct timespec nap = {0, 50 * 1000 * 1000};
        double waited = 0;
        int status = 0;
        for (;;) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid)
                break;
            if (r < 0 && errno != EINTR) {
                status = -1;
                break;
            }
            if (waited > timeout) {
                kill(pid, SIGKILL);
                waitpid(pid, &status, 0);
                st = hc_error_set(err, HC_EIO, converter, 0, 0,
                                  "did not finish the PDF within %.0f seconds", timeout);
                break;
            }
            nanosleep(&nap, NULL);
            waited += 0.05;
        }
        struct stat sb;
        if (st == HC_OK && (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0))
            st = hc_error_set(err, HC_EIO, converter, 0, 0,
                              "failed to print %s to PDF (exit status %d)", html,
                              WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        else if (st == HC_OK && (stat(tmp, &sb) != 0 || sb.st_size == 0))
            st = hc_error_set(err, HC_EIO, converter, 0, 0, "wrote no PDF for %s", html);
        else if (st == HC_OK && rename(tmp, pdf) != 0)
            st = hc_error_set(err, HC_EIO, pdf, 0, 0, "cannot write: %s", strerror(errno));
    }
    if (st != HC_OK)
        remove(tmp);
    hc_outfile_untrack_temp(tmp);
    nftw(profile, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return st;
}
