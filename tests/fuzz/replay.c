/* replay.c: runs a harness's corpus without libFuzzer, so any compiler and every test tree
 * (build/, and build-asan/ under ASan and UBSan) exercises the seeds and the regression inputs.
 *
 *   replay_<harness> FILE_OR_DIR...
 *
 * Each file is read into a buffer of exactly its size (so ASan sees a read past the end) and
 * handed to LLVMFuzzerTestOneInput; directories are read in name order. A crash is the harness's
 * (or the sanitizer's) report and a non-zero exit; otherwise prints how many inputs ran. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    struct stat st;
    uint8_t *data = NULL;
    size_t size = 0;
    if (fstat(fileno(f), &st) == 0 && st.st_size >= 0) {
        size = (size_t)st.st_size;
        data = malloc(size ? size : 1);
    }
    if (!data || fread(data, 1, size, f) != size) {
        fprintf(stderr, "%s: cannot read\n", path);
        fclose(f);
        free(data);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 1;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Returns how many inputs ran, or -1 when something could not be read. */
static int run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return run_file(path);
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name), ran = 0;
    if (n < 0) {
        perror(path);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char child[4096];
        if (names[i]->d_name[0] != '.' && ran >= 0) {
            snprintf(child, sizeof child, "%s/%s", path, names[i]->d_name);
            int r = run_path(child);
            ran = r < 0 ? -1 : ran + r;
        }
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    int total = 0;
    for (int i = 1; i < argc; i++) {
        int r = run_path(argv[i]);
        if (r < 0)
            return 1;
        total += r;
    }
    if (total == 0) {
        fprintf(stderr, "%s: no inputs found\n", argv[0]);
        return 1;
    }
    printf("%d inputs ran: no crash, no failed check\n", total);
    return 0;
}
