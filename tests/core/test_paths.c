#include "config.h"
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/paths.h"
#include "run.h"

Test(paths, tilde_expands_with_home)
{
	setenv("HOME", "/home/ada", 1);
	char *a = path_expand("~/x/y"), *b = path_expand("~"), *c = path_expand("/abs/~x"), *d = path_expand("~bob/x");
	cr_assert_str_eq(a, "/home/ada/x/y");
	cr_assert_str_eq(b, "/home/ada");
	cr_assert_str_eq(c, "/abs/~x");
	cr_assert_str_eq(d, "~bob/x");
	free(a); free(b); free(c); free(d);
}

Test(paths, xdg_directories_and_fallbacks)
{
	setenv("HOME", "/home/ada", 1);
	setenv("XDG_CONFIG_HOME", "/xdg/conf", 1);
	setenv("XDG_CACHE_HOME", "relative/ignored", 1);
	unsetenv("XDG_STATE_HOME");
	char *c = path_config_dir(), *k = path_cache_dir(), *s = path_state_dir();
	cr_assert_str_eq(c, "/xdg/conf/chatsync");
	cr_assert_str_eq(k, "/home/ada/.cache/chatsync");
	cr_assert_str_eq(s, "/home/ada/.local/state/chatsync");
	free(c); free(k); free(s);
}

Test(paths, config_file_precedence)
{
	setenv("HOME", "/home/ada", 1);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("CHATSYNC_CONFIG");
	char *d = path_config_file(NULL);
	cr_assert_str_eq(d, "/home/ada/.config/chatsync/config");
	setenv("CHATSYNC_CONFIG", "~/other.conf", 1);
	char *e = path_config_file(NULL), *x = path_config_file("/explicit");
	cr_assert_str_eq(e, "/home/ada/other.conf");
	cr_assert_str_eq(x, "/explicit");
	unsetenv("CHATSYNC_CONFIG");
	free(d); free(e); free(x);
}

Test(paths, private_files_are_checked_like_openssh)
{
	char *dir = run_tmpdir();
	char *f = NULL;
	cr_assert_not_null(dir);
	f = malloc(strlen(dir) + 16);
	sprintf(f, "%s/secret", dir);
	struct cs_error err;
	cr_assert_eq(run_write_file(f, "s3cret\n", 0644), 0);
	cr_assert_eq(path_check_private(f, "a client secret", &err), -1);
	cr_assert(strstr(err.msg, "0644") && strstr(err.msg, f) && strstr(err.msg, "chmod 600"), "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	chmod(f, 0640);
	cr_assert_eq(path_check_private(f, "a client secret", &err), -1);
	cr_assert(strstr(err.msg, "0640"), "%s", err.msg);
	chmod(f, 0600);
	cr_assert_eq(path_check_private(f, "a client secret", &err), 0, "%s", err.msg);
	chmod(f, 0400);
	cr_assert_eq(path_check_private(f, "a client secret", &err), 0, "%s", err.msg);
	cr_assert_eq(path_check_private(dir, "a client secret", &err), -1);
	cr_assert(strstr(err.msg, "not a regular file"), "%s", err.msg);
	sprintf(f, "%s/missing", dir);
	cr_assert_eq(path_check_private(f, "a client secret", &err), -1);
	cr_assert(strstr(err.msg, "cannot read"), "%s", err.msg);
	run_rmtree(dir);
	free(dir);
	free(f);
}

Test(paths, mkdirs_creates_private_nested_directories)
{
	char *dir = run_tmpdir();
	char path[512];
	snprintf(path, sizeof path, "%s/a/b/c", dir);
	struct cs_error err;
	cr_assert_eq(path_mkdirs(path, &err), 0, "%s", err.msg);
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 077, 0);
	cr_assert_eq(path_mkdirs(path, &err), 0, "existing directories are fine");
	run_rmtree(dir);
	free(dir);
}

Test(paths, config_and_trust_anchors_may_be_read_by_all_but_not_written)
{
	char *dir = run_tmpdir();
	char f[512];
	snprintf(f, sizeof f, "%s/config", dir);
	struct cs_error err;
	cr_assert_eq(run_write_file(f, "[profile a]\n", 0644), 0);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), 0, "%s", err.msg);
	chmod(f, 0664);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), -1);
	cr_assert(strstr(err.msg, "permissions 0664") && strstr(err.msg, f) && strstr(err.msg, "chmod go-w"), "%s",
		  err.msg);
	cr_assert_eq(err.exit_code, 2);
	chmod(f, 0646);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), -1);
	cr_assert(strstr(err.msg, "0646"), "%s", err.msg);
	chmod(f, 0444);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), 0, "%s", err.msg);
	cr_assert_eq(path_check_not_writable(dir, "the config", &err), -1);
	cr_assert(strstr(err.msg, "not a regular file"), "%s", err.msg);
	run_rmtree(dir);
	free(dir);
}

/* A file of the right mode in a directory others may write to can be put aside and replaced; a
 * sticky directory (as /tmp) keeps each to their own files. */
Test(paths, a_checked_file_is_refused_in_a_directory_others_may_write_to)
{
	char *dir = run_tmpdir();
	char f[512];
	snprintf(f, sizeof f, "%s/config", dir);
	struct cs_error err;
	cr_assert_eq(run_write_file(f, "[profile a]\n", 0600), 0);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), 0, "%s", err.msg);
	cr_assert_eq(chmod(dir, 0777), 0);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), -1, "a config in a 0777 directory passed");
	cr_assert(strstr(err.msg, "directory") && strstr(err.msg, "0777") && strstr(err.msg, dir) &&
			  strstr(err.msg, "chmod go-w"),
		  "%s", err.msg);
	cr_assert_eq(err.exit_code, 2);
	cr_assert_eq(path_check_private(f, "a client secret", &err), -1, "a secret in a 0777 directory passed");
	cr_assert_eq(chmod(dir, 0770), 0);
	cr_assert_eq(path_check_private(f, "a client secret", &err), -1, "group-writable is others too");
	cr_assert_eq(chmod(dir, 01777), 0);
	cr_assert_eq(path_check_not_writable(f, "the config", &err), 0, "%s", err.msg);
	cr_assert_eq(path_check_private(f, "a client secret", &err), 0, "%s", err.msg);
	cr_assert_eq(chmod(dir, 0700), 0);
	run_rmtree(dir);
	free(dir);
}
