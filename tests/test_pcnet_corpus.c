/* test_pcnet_corpus: replays every file of tests/fuzz/corpus/ through the fuzz harness
 * (tests/fuzz/pcnet_harness.h), so the seeds and the inputs the fuzzer found run under
 * the normal and the sanitizer builds, and checks that the seeds converted from the
 * QEMU 7.2 recording (tests/fuzz/trace2seed.py) read back every recorded value under
 * the qemu-7.2 profile. Run from the repository root. */
#include "tests/check.h"
#include "tests/fuzz/pcnet_harness.h"

#include <dirent.h>

#define CORPUS_DIR "tests/fuzz/corpus"

static int load(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    size_t got;
    while (b && (got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                b = NULL;
                break;
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!b)
        return -1;
    *buf = b;
    *len = n;
    return 0;
}

int main(void)
{
    DIR *dir = opendir(CORPUS_DIR);
    CHECKF(dir != NULL, "cannot open %s (run from the repository root)", CORPUS_DIR);
    if (!dir)
        return check_report("test_pcnet_corpus");
    unsigned files = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, e->d_name);
        uint8_t *buf;
        size_t len;
        if (load(path, &buf, &len) < 0) {
            CHECKF(0, "cannot read %s", path);
            continue;
        }
        HarnReport rep;
        unsigned v = pcnet_harness_run(buf, len, &rep);
        CHECKF(v == 0, "%s: %u violations, first: %s", path, v, rep.first);
        /* Seeds converted from the QEMU 7.2 recording carry every value the driver read;
         * the qemu-7.2 profile must answer all of them the same way. */
        if (strncmp(e->d_name, "trace-", 6) == 0 && strstr(e->d_name, "-qemu"))
            CHECKF(rep.mismatches == 0, "%s: %u reads differ from the recording, first: %s", path,
                   rep.mismatches, rep.first_mismatch);
        if (strncmp(e->d_name, "trace-", 6) == 0)
            printf("# %s: %u ops, %u reads differ from the recording, %llu frames out, %llu INTA edges\n",
                   e->d_name, rep.ops, rep.mismatches, (unsigned long long)rep.counters.tx_frames,
                   (unsigned long long)rep.counters.irq_edges);
        free(buf);
        files++;
    }
    closedir(dir);
    CHECKF(files >= 5, "only %u corpus files", files);
    printf("# replayed %u corpus files\n", files);
    return check_report("test_pcnet_corpus");
}
