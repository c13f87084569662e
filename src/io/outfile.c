/* outfile.c - atomic output files (temp + rename), input protection, signal cleanup. */
#include "hc_outfile.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct hc_outfile {
    char *path;      /* final name; NULL for stdout */
    char *tmp;       /* temporary name */
    FILE *f;
    int direct;      /* writing straight to a device or pipe */
};

/* Temporary files to remove if a signal ends the process. A fixed table of
 * fixed-size names so the signal handler needs no allocation or locks. */
#define MAX_TEMPS 64
#define MAX_TEMP_PATH 4096
static char temp_paths[MAX_TEMPS][MAX_TEMP_PATH];
static volatile sig_atomic_t temp_used[MAX_TEMPS];

#define MAX_INPUTS 32
static struct {
    char path[MAX_TEMP_PATH];
    dev_t dev;
    ino_t ino;
    int have_stat;
} inputs[MAX_INPUTS];
static int n_inputs;

void hc_outfile_track_temp(const char *path)
{
    if (strlen(path) >= MAX_TEMP_PATH)
        return;
    for (int i = 0; i < MAX_TEMPS; i++) {
        if (!temp_used[i]) {
            snprintf(temp_paths[i], MAX_TEMP_PATH, "%s", path);
            temp_used[i] = 1;
            return;
        }
    }
}

void hc_outfile_untrack_temp(const char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++) {
        if (temp_used[i] && strcmp(temp_paths[i], path) == 0) {
            temp_used[i] = 0;
            return;
        }
    }
}

static void on_signal(int sig)
{
    for (int i = 0; i < MAX_TEMPS; i++)
        if (temp_used[i])
            unlink(temp_paths[i]); /* async-signal-safe */
    signal(sig, SIG_DFL);
    raise(sig);
}

void hc_outfile_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* A signal the parent ignores stays ignored (as GNU sort and others
     * do): a shell starts background jobs with SIGINT ignored so that
     * Ctrl-C at the terminal does not end them. */
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
}

void hc_outfile_protect_input(const char *path)
{
    if (!path || n_inputs >= MAX_INPUTS || strcmp(path, "-") == 0)
        return;
    snprintf(inputs[n_inputs].path, MAX_TEMP_PATH, "%s", path);
    struct stat st;
    inputs[n_inputs].have_stat = stat(path, &st) == 0;
    if (inputs[n_inputs].have_stat) {
        inputs[n_inputs].dev = st.st_dev;
        inputs[n_inputs].ino = st.st_ino;
    }
    n_inputs++;
}

static const char *protected_input(const char *path)
{
    struct stat st;
    int have = stat(path, &st) == 0;
    for (int i = 0; i < n_inputs; i++) {
        if (strcmp(inputs[i].path, path) == 0)
            return inputs[i].path;
        if (have && inputs[i].have_stat && inputs[i].dev == st.st_dev &&
            inputs[i].ino == st.st_ino)
            return inputs[i].path;
    }
    return NULL;
}

hc_status hc_outfile_open(const char *path, hc_outfile **out, hc_error *err)
{
    *out = NULL;
    hc_outfile *of = calloc(1, sizeof *of);
    if (!of)
        return hc_error_nomem(err);
    if (strcmp(path, "-") == 0) {
        of->f = stdout;
        *out = of;
        return HC_OK;
    }
    const char *input = protected_input(path);
    if (input) {
        free(of);
        return hc_error_set(err, HC_EUSAGE, path, 0, 0,
                            "refusing to overwrite an input file of this run (%s)",
                            input);
    }
    /* A device or pipe (/dev/stdout, /dev/full, a FIFO) cannot be replaced
     * by rename: write to it directly. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (S_ISDIR(st.st_mode)) {
            free(of);
            return hc_error_set(err, HC_EIO, path, 0, 0, "is a directory");
        }
        of->path = strdup(path);
        of->f = of->path ? fopen(path, "w") : NULL;
        if (!of->f) {
            int e = errno;
            free(of->path);
            free(of);
            return hc_error_set(err, HC_EIO, path, 0, 0, "cannot open: %s",
                                strerror(e));
        }
        of->direct = 1;
        *out = of;
        return HC_OK;
    }
    size_t n = strlen(path) + 32;
    of->path = strdup(path);
    of->tmp = malloc(n);
    if (!of->path || !of->tmp) {
        hc_outfile_abort(of);
        return hc_error_nomem(err);
    }
    /* The temporary file lives beside the target so rename() is atomic. */
    snprintf(of->tmp, n, "%s.tmp.XXXXXX", path);
    /* No signal between creating the file and registering it for removal:
     * the handler could not know the name. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int fd = mkstemp(of->tmp);
    if (fd >= 0)
        hc_outfile_track_temp(of->tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        int e = errno;
        free(of->tmp);
        of->tmp = NULL;
        hc_outfile_abort(of);
        return hc_error_set(err, HC_EIO, path, 0, 0, "cannot create: %s",
                            strerror(e));
    }
    /* mkstemp makes 0600; give the output the mode a plain open() would. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    of->f = fdopen(fd, "w");
    if (!of->f) {
        close(fd);
        hc_outfile_abort(of);
        return hc_error_nomem(err);
    }
    setvbuf(of->f, NULL, _IOFBF, 1 << 16);
    *out = of;
    return HC_OK;
}

FILE *hc_outfile_stream(hc_outfile *of)
{
    return of->f;
}

hc_status hc_outfile_commit(hc_outfile *of, hc_error *err)
{
    const char *name = of->path ? of->path : "<stdout>";
    int failed = fflush(of->f) != 0 || ferror(of->f);
    int e = errno;
    if (of->direct) {
        if (fclose(of->f) != 0 && !failed) {
            failed = 1;
            e = errno;
        }
        of->f = NULL;
    }
    if (!of->path || of->direct) {
        /* The message is made before the free: `name` may be of->path. */
        hc_status st = failed ? hc_error_set(err, HC_EIO, name, 0, 0,
                                             "write failed: %s", strerror(e))
                              : HC_OK;
        free(of->path);
        free(of);
        return st;
    }
    if (!failed && fsync(fileno(of->f)) != 0 && errno != EINVAL) {
        failed = 1;
        e = errno;
    }
    if (fclose(of->f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    of->f = NULL;
    if (!failed && rename(of->tmp, of->path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        hc_status st = hc_error_set(err, HC_EIO, name, 0, 0, "write failed: %s",
                                    strerror(e));
        hc_outfile_abort(of); /* frees `name` */
        return st;
    }
    hc_outfile_untrack_temp(of->tmp);
    free(of->tmp);
    free(of->path);
    free(of);
    return HC_OK;
}

void hc_outfile_abort(hc_outfile *of)
{
    if (!of)
        return;
    if (of->f && of->f != stdout)
        fclose(of->f);
    if (of->tmp) {
        unlink(of->tmp);
        hc_outfile_untrack_temp(of->tmp);
    }
    free(of->tmp);
    free(of->path);
    free(of);
}

hc_status hc_mkdir_p(const char *path, hc_error *err)
{
    char buf[MAX_TEMP_PATH];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return hc_error_set(err, HC_EIO, path, 0, 0, "path too long");
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == '\0') {
            char c = *p;
            *p = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return hc_error_set(err, HC_EIO, buf, 0, 0,
                                    "cannot create directory: %s",
                                    strerror(errno));
            *p = c;
            if (c == '\0')
                break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return hc_error_set(err, HC_EIO, path, 0, 0, "not a directory");
    return HC_OK;
}
