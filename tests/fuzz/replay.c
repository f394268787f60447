/* Replays a harness's kept corpus (tests/fuzz/corpus/NAME) and every crash input found
 * (tests/fuzz/crashes/NAME: fixed, and must stay fixed), then any files or directories given as
 * arguments, through LLVMFuzzerTestOneInput without libFuzzer: the ordinary build's `make check`
 * (and valgrind) run what the fuzzer found. Each input is handed over in a buffer of exactly its
 * size, so a read past the end shows under valgrind and ASan. A crash ends the program (the test
 * fails).
 *
 * tests/fuzz/open/NAME holds crash inputs in code this harness's owner does not own, reported and
 * not fixed yet: each runs in a child process and is listed as still failing, or as fixed (then
 * move it to crashes/, where it must keep passing). */
#include "config.h"
#include "fuzz.h"
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME names the harness"
#endif

static size_t replayed;
static int open_mode;            /* replaying tests/fuzz/open: one child per input */
static size_t open_failing, open_fixed;

static void replay_one(const char *path);

static void replay_file(const char *path)
{
	if (!open_mode) {
		replay_one(path);
		return;
	}
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* The crash is expected: keep its report short. */
		replay_one(path);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		printf("open finding %s passes in this build (undefined behaviour shows only with --with-sanitizers or "
		       "--enable-fuzzing; once fixed, move it to tests/fuzz/crashes/%s)\n", path, FUZZ_NAME);
		open_fixed++;
	} else {
		printf("open finding %s still crashes (reported, not fixed yet)\n", path);
		open_failing++;
	}
}

static void replay_one(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		exit(1);
	}
	size_t cap = 4096, len = 0, n;
	uint8_t *data = malloc(cap);
	while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap)
			data = realloc(data, cap *= 2);
	}
	fclose(f);
	if (!data)
		abort();
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, data, len);
	free(data);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	replayed++;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Every regular file of a directory (sorted, so runs are alike), or the file itself. */
static void replay_path(const char *path, int must_exist)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (must_exist) {
			fprintf(stderr, "replay: %s is missing\n", path);
			exit(1);
		}
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		replay_file(path);
		return;
	}
	struct dirent **names;
	int n = scandir(path, &names, NULL, by_name);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			size_t len = strlen(path) + strlen(names[i]->d_name) + 2;
			char *file = malloc(len);
			snprintf(file, len, "%s/%s", path, names[i]->d_name);
			if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
				replay_file(file);
			free(file);
		}
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	const char *src = getenv("CHATSYNC_TEST_SRCDIR");
	if (!src || !*src)
		src = TEST_SRCDIR;
	char dir[4096];
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			replay_path(argv[i], 1);
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", src, FUZZ_NAME);
		replay_path(dir, 1);
		size_t corpus = replayed;
		if (corpus == 0) {
			fprintf(stderr, "replay: the corpus of %s is empty\n", FUZZ_NAME);
			return 1;
		}
		snprintf(dir, sizeof dir, "%s/tests/fuzz/crashes/%s", src, FUZZ_NAME);
		replay_path(dir, 0);
		printf("%s: %zu corpus inputs and %zu crash inputs replayed\n", FUZZ_NAME, corpus, replayed - corpus);
		snprintf(dir, sizeof dir, "%s/tests/fuzz/open/%s", src, FUZZ_NAME);
		open_mode = 1;
		replay_path(dir, 0);
		open_mode = 0;
		if (open_failing + open_fixed)
			printf("%s: %zu open findings still crash here, %zu pass in this build\n", FUZZ_NAME, open_failing,
			       open_fixed);
	}
	printf("1 passed, 0 failed\n"); /* one test program, whatever the number of inputs */
	return 0;
}
