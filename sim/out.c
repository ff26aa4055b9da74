/* out: result directories and atomic JSON files (see sim/out.h). */
#include "sim/out.h"
#include "sim/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void out_default_dir(char *buf, size_t len, const char *name)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    time_t t = tv.tv_sec;
    gmtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%dT%H%M%S", &tm);
    char safe[128];
    snprintf(safe, sizeof safe, "%s", name);
    for (char *p = safe; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
            *p = '_';
    if (!safe[0])
        snprintf(safe, sizeof safe, "run");
    else if (safe[0] == '.')
        safe[0] = '_';
    snprintf(buf, len, "results/%s-%s.%06ldZ", safe, ts, (long)tv.tv_usec);
}

int out_prepare_dir(const char *dir, bool force, bool *created, char *err, size_t errlen)
{
    struct stat st;
    *created = false;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            snprintf(err, errlen, "output '%s' exists and is not a directory", dir);
            return 2;
        }
        DIR *d = opendir(dir);
        if (!d) {
            snprintf(err, errlen, "cannot open output directory '%s': %s", dir, strerror(errno));
            return 1;
        }
        bool empty = true;
        for (struct dirent *e; (e = readdir(d));)
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                empty = false;
        closedir(d);
        if (!empty && !force) {
            snprintf(err, errlen,
                     "output directory '%s' is not empty (use --force to write into it anyway)",
                     dir);
            return 2;
        }
        if (access(dir, W_OK) != 0) {
            snprintf(err, errlen, "output directory '%s' is not writable: %s", dir,
                     strerror(errno));
            return 1;
        }
        return 0;
    }
    if (util_mkdirs(dir) != 0) {
        snprintf(err, errlen, "cannot create output directory '%s': %s", dir, strerror(errno));
        return 1;
    }
    *created = true;
    return 0;
}

int out_write_json(const char *dir, const char *file, const json_t *j, int precision, char *err,
                   size_t errlen)
{
    char tmp[4096], dst[4096];
    if (snprintf(tmp, sizeof tmp, "%s/.%s.tmp.XXXXXX", dir, file) >= (int)sizeof tmp ||
        snprintf(dst, sizeof dst, "%s/%s", dir, file) >= (int)sizeof dst) {
        snprintf(err, errlen, "path too long: %s/%s", dir, file);
        return -1;
    }
    if (precision < 1 || precision > 17)
        precision = 17;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a file in '%s': %s", dir, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write '%s': %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    size_t flags = JSON_INDENT(2) | JSON_REAL_PRECISION(precision) | JSON_PRESERVE_ORDER;
    bool ok = json_dumpf(j, f, flags) == 0 && fputc('\n', f) != EOF && fflush(f) == 0 &&
              fsync(fileno(f)) == 0;
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write '%s': %s", dst, strerror(saved));
        unlink(tmp);
        return -1;
    }
    /* mkstemp creates 0600; results are ordinary files */
    mode_t mask = umask(0);
    umask(mask);
    chmod(tmp, 0666 & ~mask);
    if (rename(tmp, dst) != 0) {
        snprintf(err, errlen, "cannot rename '%s' to '%s': %s", tmp, dst, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

void out_remove_if_empty(const char *dir)
{
    rmdir(dir); /* fails, harmlessly, when anything is inside */
}
