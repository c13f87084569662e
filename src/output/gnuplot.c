/* gnuplot.c - finding gnuplot and running it as a child, without a shell, with a timeout. */
#include "hc_outfile.h"
#include "hc_plot.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define DEFAULT_TIMEOUT 60.0
#define DEFAULT_WIDTH 800
#define DEFAULT_HEIGHT 500
#define INSTALL_HINT "install gnuplot (Debian/Ubuntu: apt-get install gnuplot-nox)"

/* ---- finding the program ---- */

static int is_executable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
           access(path, X_OK) == 0;
}

hc_status hc_gnuplot_find(const hc_gnuplot_options *opt, char *path,
                          size_t size, hc_error *err)
{
    const char *prog = opt && opt->gnuplot && opt->gnuplot[0] ? opt->gnuplot
                                                               : "gnuplot";
    if (strchr(prog, '/')) {
        if (!is_executable_file(prog))
            return hc_error_set(err, HC_EIO, NULL, 0, 0,
                                "gnuplot program '%s' is not an executable "
                                "file; " INSTALL_HINT, prog);
        if ((size_t)snprintf(path, size, "%s", prog) >= size)
            return hc_error_set(err, HC_EIO, NULL, 0, 0,
                                "gnuplot program path is too long");
        return HC_OK;
    }
    const char *env = getenv("PATH");
    char deflt[256];
    if (!env) {
        /* POSIX: with PATH unset the search is implementation-defined;
         * use the system's standard utility path. */
        size_t n = confstr(_CS_PATH, deflt, sizeof deflt);
        if (n == 0 || n > sizeof deflt)
            snprintf(deflt, sizeof deflt, "/usr/bin:/bin");
        env = deflt;
    }
    const char *p = env;
    while (*p) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        /* Empty and relative entries name the current directory (POSIX):
         * skip them so a file named gnuplot planted there never runs. */
        if (n > 0 && p[0] == '/') {
            int w = snprintf(path, size, "%.*s/%s", (int)n, p, prog);
            if (w > 0 && (size_t)w < size && is_executable_file(path))
                return HC_OK;
        }
        if (!colon)
            break;
        p = colon + 1;
    }
    if (size)
        path[0] = '\0';
    return hc_error_set(err, HC_EIO, NULL, 0, 0,
                        "%s was not found on PATH; " INSTALL_HINT
                        " to draw plots",
                        prog);
}

int hc_plot_available(char *why, size_t size)
{
    char path[4096];
    hc_error err;
    hc_error_clear(&err);
    if (hc_gnuplot_find(NULL, path, sizeof path, &err) == HC_OK) {
        if (why && size)
            why[0] = '\0';
        return 1;
    }
    if (why && size)
        snprintf(why, size, "%s", err.message);
    return 0;
}

/* ---- temporary files ---- */

static const char *tmp_dir(void)
{
    const char *d = getenv("TMPDIR");
    return d && d[0] == '/' ? d : "/tmp";
}

hc_status hc_gnuplot_temp_create(const char *tag, char *path, size_t size,
                                 FILE **f, hc_error *err)
{
    *f = NULL;
    int w = snprintf(path, size, "%s/healthcal-%s.XXXXXX", tmp_dir(),
                     tag ? tag : "gp");
    if (w < 0 || (size_t)w >= size) {
        if (size)
            path[0] = '\0';
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "temporary directory name is too long");
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        int e = errno;
        char dir[512];
        snprintf(dir, sizeof dir, "%s", tmp_dir());
        path[0] = '\0';
        return hc_error_set(err, HC_EIO, dir, 0, 0,
                            "cannot create a temporary file: %s", strerror(e));
    }
    hc_outfile_track_temp(path);
    *f = fdopen(fd, "w");
    if (!*f) {
        close(fd);
        hc_gnuplot_temp_remove(path);
        return hc_error_nomem(err);
    }
    return HC_OK;
}

void hc_gnuplot_temp_remove(const char *path)
{
    if (!path || !path[0])
        return;
    unlink(path);
    hc_outfile_untrack_temp(path);
}

/* ---- running ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Copies gnuplot's diagnostics into `out` as one line: control characters
 * (a terminal escape sequence could come back from a script line that
 * echoes data) become spaces, line breaks become "; ", blank runs shrink. */
static void clean_message(const char *in, size_t n, char *out, size_t size)
{
    size_t k = 0;
    int last_space = 1;
    for (size_t i = 0; i < n && k + 3 < size; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\n' || c == '\r') {
            if (k > 0 && !last_space) {
                out[k++] = ';';
                out[k++] = ' ';
                last_space = 1;
            }
            continue;
        }
        if (c < 0x20 || c == 0x7F || c == ' ') {
            if (!last_space)
                out[k++] = ' ';
            last_space = 1;
            continue;
        }
        out[k++] = (char)c;
        last_space = 0;
    }
    while (k > 0 && (out[k - 1] == ' ' || out[k - 1] == ';'))
        k--;
    out[k] = '\0';
}

/* Spawns `prog -d script` and waits at most `timeout` seconds, keeping the
 * first 2 KiB of its stderr for the error message. */
static hc_status spawn_and_wait(char *prog, char *script, double timeout,
                                hc_error *err)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return hc_error_set(err, HC_EIO, NULL, 0, 0, "cannot create a pipe: %s",
                            strerror(errno));
    /* Close-on-exec keeps our ends out of the child; the child's stderr is
     * a dup2 copy, which does not inherit the flag. */
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(pfd[1], F_SETFD, FD_CLOEXEC);

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0) {
        close(pfd[0]);
        close(pfd[1]);
        return hc_error_nomem(err);
    }
    rc = posix_spawnattr_init(&attr);
    if (rc != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(pfd[0]);
        close(pfd[1]);
        return hc_error_nomem(err);
    }
    rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    if (rc == 0)
        rc = posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    /* The child starts with default dispositions and an empty mask, whatever
     * the caller ignores or blocks (e.g. SIGPIPE). It stays in our process
     * group so that Ctrl-C stops it together with us. */
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGHUP);
    sigaddset(&defaults, SIGCHLD);
    if (rc == 0)
        rc = posix_spawnattr_setsigmask(&attr, &none);
    if (rc == 0)
        rc = posix_spawnattr_setsigdefault(&attr, &defaults);
    if (rc == 0)
        rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                                 POSIX_SPAWN_SETSIGDEF);
    /* The argument vector is passed as is: no shell ever sees the program
     * name or the script name. */
    char arg_d[] = "-d";
    char *argv[4];
    argv[0] = prog;
    argv[1] = arg_d;
    argv[2] = script;
    argv[3] = NULL;
    pid_t pid = -1;
    if (rc == 0)
        rc = posix_spawn(&pid, prog, &fa, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        return hc_error_set(err, HC_EIO, NULL, 0, 0, "cannot run %s: %s", prog,
                            strerror(rc));
    }

    char diag[2048];
    size_t ndiag = 0;
    double deadline = now_seconds() + timeout;
    int timed_out = 0, open_pipe = 1;
    int status = 0;
    pid_t done = 0;
    while (!done) {
        double left = deadline - now_seconds();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        int ms = left > 0.2 ? 200 : (int)(left * 1000.0) + 1;
        if (open_pipe) {
            struct pollfd pf = {pfd[0], POLLIN, 0};
            int pr = poll(&pf, 1, ms);
            if (pr < 0 && errno != EINTR)
                break;
            if (pr > 0) {
                char buf[4096];
                ssize_t r = read(pfd[0], buf, sizeof buf);
                if (r > 0) {
                    size_t room = sizeof diag - 1 - ndiag;
                    size_t take = (size_t)r < room ? (size_t)r : room;
                    memcpy(diag + ndiag, buf, take);
                    ndiag += take;
                } else if (r == 0 || errno != EINTR) {
                    open_pipe = 0; /* EOF: gnuplot closed stderr */
                }
            }
        } else {
            struct timespec ts = {0, 20 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        done = waitpid(pid, &status, WNOHANG);
        if (done < 0 && errno == EINTR)
            done = 0;
        if (done < 0)
            break;
    }
    if (done == 0) {
        kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    close(pfd[0]);
    diag[ndiag] = '\0';
    char msg[600];
    clean_message(diag, ndiag, msg, sizeof msg);
    if (timed_out)
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "gnuplot did not finish within %g seconds and "
                            "was stopped",
                            timeout);
    if (done < 0)
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "waiting for gnuplot failed: %s", strerror(errno));
    if (WIFSIGNALED(status))
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "gnuplot was killed by signal %d%s%s",
                            WTERMSIG(status), msg[0] ? ": " : "", msg);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "gnuplot failed (exit status %d)%s%s",
                            WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                            msg[0] ? ": " : "", msg);
    return HC_OK;
}

hc_status hc_gnuplot_run(const char *script, const hc_gnuplot_options *opt,
                         hc_error *err)
{
    char prog[4096];
    hc_status st = hc_gnuplot_find(opt, prog, sizeof prog, err);
    if (st != HC_OK)
        return st;
    double timeout = opt && opt->timeout > 0 ? opt->timeout : DEFAULT_TIMEOUT;

    char path[4096];
    FILE *f;
    st = hc_gnuplot_temp_create("script", path, sizeof path, &f, err);
    if (st != HC_OK)
        return st;
    size_t len = strlen(script);
    int bad = fwrite(script, 1, len, f) != len;
    bad |= fclose(f) != 0;
    if (bad) {
        hc_gnuplot_temp_remove(path);
        return hc_error_set(err, HC_EIO, NULL, 0, 0,
                            "cannot write the gnuplot script to %s", tmp_dir());
    }
    st = spawn_and_wait(prog, path, timeout, err);
    hc_gnuplot_temp_remove(path);
    return st;
}

/* ---- rendering one figure to files ---- */

typedef struct {
    unsigned flag;
    const char *ext;
    char final[4096];
    char tmp[4096];
} target;

static void append(char **buf, size_t *len, size_t *cap, int *oom,
                   const char *s)
{
    size_t n = strlen(s);
    if (*oom)
        return;
    if (*len + n + 1 > *cap) {
        size_t c = *cap ? *cap : 4096;
        while (c < *len + n + 1)
            c *= 2;
        char *p = realloc(*buf, c);
        if (!p) {
            *oom = 1;
            return;
        }
        *buf = p;
        *cap = c;
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

hc_status hc_gnuplot_render(const char *body, const char *out_dir,
                            const char *base, unsigned formats,
                            const hc_gnuplot_options *opt, hc_error *err)
{
    if (!base || !base[0] || strchr(base, '/'))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "plot name '%s' is not a plain file name",
                            base ? base : "");
    if (!(formats & (HC_PLOT_SVG | HC_PLOT_PNG)))
        return hc_error_set(err, HC_EUSAGE, NULL, 0, 0,
                            "no plot format requested (svg, png)");
    int width = opt && opt->width > 0 ? opt->width : DEFAULT_WIDTH;
    int height = opt && opt->height > 0 ? opt->height : DEFAULT_HEIGHT;

    target tg[2] = {{HC_PLOT_SVG, "svg", "", ""}, {HC_PLOT_PNG, "png", "", ""}};
    hc_status st = HC_OK;
    char *script = NULL;
    size_t len = 0, cap = 0;
    int oom = 0;
    char line[8192], q[8192];

    append(&script, &len, &cap, &oom,
           "# healthcal plot script (generated)\nset encoding utf8\n");
    for (int i = 0; i < 2 && st == HC_OK; i++) {
        if (!(formats & tg[i].flag))
            continue;
        int w = snprintf(tg[i].final, sizeof tg[i].final, "%s/%s.%s", out_dir,
                         base, tg[i].ext);
        int w2 = snprintf(tg[i].tmp, sizeof tg[i].tmp, "%s/%s.%s.tmp.XXXXXX",
                          out_dir, base, tg[i].ext);
        if (w < 0 || (size_t)w >= sizeof tg[i].final || w2 < 0 ||
            (size_t)w2 >= sizeof tg[i].tmp) {
            tg[i].tmp[0] = '\0';
            st = hc_error_set(err, HC_EIO, out_dir, 0, 0,
                              "output directory name is too long");
            break;
        }
        int fd = mkstemp(tg[i].tmp);
        if (fd < 0) {
            int e = errno;
            tg[i].tmp[0] = '\0';
            st = hc_error_set(err, HC_EIO, tg[i].final, 0, 0,
                              "cannot create: %s", strerror(e));
            break;
        }
        hc_outfile_track_temp(tg[i].tmp);
        /* mkstemp makes 0600; images are meant to be shared like other
         * outputs (outfile.c does the same). */
        fchmod(fd, 0644);
        close(fd);
        size_t qn = hc_gnuplot_quote(q, sizeof q, tg[i].tmp, HC_GP_PATH);
        if (qn >= sizeof q) {
            st = hc_error_set(err, HC_EUSAGE, out_dir, 0, 0,
                              "output directory name holds a control "
                              "character or is too long");
            break;
        }
        append(&script, &len, &cap, &oom, "reset\n");
        if (tg[i].flag == HC_PLOT_SVG) {
            /* dynamic: a viewBox and no fixed width or height, so the image
             * scales to its container (a phone's 400 px as well as a
             * desktop's 800). The font is 1/57 of the canvas width (14 at
             * 800 px): 14 px text at 800 px wide, still 7 px at 400 px
             * wide, where the 11 of a fixed 800 px canvas shrank to 5.5
             * (larger crowds the multi-panel figures).
             * An opaque background keeps it readable on dark pages. */
            int fs = width / 57 > 11 ? width / 57 : 11;
            snprintf(line, sizeof line,
                     "set terminal svg size %d,%d dynamic noenhanced "
                     "font 'sans-serif,%d' background rgb 'white'\n",
                     width, height, fs);
        } else {
            /* pngcairo ships with gnuplot-nox on Debian; fall back to the
             * libgd png terminal where cairo was left out of the build. */
            snprintf(line, sizeof line,
                     "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                     "  set terminal pngcairo size %d,%d noenhanced "
                     "font 'DejaVu Sans,9' background rgb 'white'\n"
                     "} else {\n"
                     "  set terminal png size %d,%d noenhanced\n"
                     "}\n",
                     width, height, width, height);
        }
        append(&script, &len, &cap, &oom, line);
        append(&script, &len, &cap, &oom, "set output ");
        append(&script, &len, &cap, &oom, q);
        append(&script, &len, &cap, &oom, "\n");
        append(&script, &len, &cap, &oom, body);
        append(&script, &len, &cap, &oom, "\nunset multiplot\nset output\n");
    }
    if (st == HC_OK && oom)
        st = hc_error_nomem(err);
    if (st == HC_OK)
        st = hc_gnuplot_run(script, opt, err);
    free(script);
    for (int i = 0; i < 2 && st == HC_OK; i++) {
        if (!tg[i].tmp[0])
            continue;
        struct stat sb;
        if (stat(tg[i].tmp, &sb) != 0 || sb.st_size == 0) {
            st = hc_error_set(err, HC_EIO, tg[i].final, 0, 0,
                              "gnuplot wrote no image");
        } else if (rename(tg[i].tmp, tg[i].final) != 0) {
            st = hc_error_set(err, HC_EIO, tg[i].final, 0, 0,
                              "cannot rename into place: %s", strerror(errno));
        } else {
            hc_outfile_untrack_temp(tg[i].tmp);
            tg[i].tmp[0] = '\0';
        }
    }
    for (int i = 0; i < 2; i++)
        hc_gnuplot_temp_remove(tg[i].tmp);
    if (st == HC_OK && opt && opt->keep_script) {
        /* the figure's commands beside its images (hc_gnuplot_options) */
        char gp[4096];
        int w = snprintf(gp, sizeof gp, "%s/%s.gp", out_dir, base);
        hc_outfile *of = NULL;
        if (w < 0 || (size_t)w >= sizeof gp)
            st = hc_error_set(err, HC_EIO, out_dir, 0, 0, "output directory name is too long");
        else if ((st = hc_outfile_open(gp, &of, err)) == HC_OK) {
            fputs("# healthcal plot commands (generated; the data file was temporary)\n",
                  hc_outfile_stream(of));
            fputs(body, hc_outfile_stream(of));
            st = hc_outfile_commit(of, err);
        }
    }
    return st;
}
