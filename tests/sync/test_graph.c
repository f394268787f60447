/* The Graph phase's order (sync/graph.c) against a sandbox with its Teams limits on: the chat
 * reads of chats without an activity row run alongside the scan, from its start. */
#include "config.h"
#include "syt.h"
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static struct syt t;
static void stop(void) { syt_stop(&t); }

/* A GET /chats/{id} line: the chat itself, not something under it. */
static bool is_chat_read(const char *line)
{
	const char *p = strstr(line, "\"path\":\"/graph/v1.0/chats/");
	if (!p)
		return false;
	p += strlen("\"path\":\"/graph/v1.0/chats/");
	const char *end = strchr(p, '"');
	const char *slash = strchr(p, '/');
	return end && (!slash || slash > end);
}

Test(graph, chats_without_an_activity_row_are_read_from_the_start_of_the_scan, .fini = stop)
{
	syt_start(&t, "sandbox", NULL);
	struct refresh_report rep;
	struct cs_error err = { 0 };
	/* A window smaller than the tenant, as a large tenant's scan is. */
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .window = 16 }, &rep, &err), 0, "%s", err.msg);
	size_t lines = syt_log_lines(&t), apps = 0, reads = 0, last_read_at_apps = 0, total_apps = 0;
	for (size_t i = 0; i < lines; i++) {
		char *l = syt_log_find(&t, i, "\"path\"", 0);
		cr_assert_not_null(l);
		if (strstr(l, "/installedApps\""))
			apps++;
		else if (is_chat_read(l)) {
			reads++;
			last_read_at_apps = apps;
		}
		free(l);
	}
	total_apps = apps;
	cr_assert_gt(reads, 2, "the tenant has %zu chats without an activity row: too few to tell an order", reads);
	cr_assert_gt(total_apps, 60);
	cr_log_info("%zu chat reads, the last after %zu of %zu installedApps reads", reads, last_read_at_apps, total_apps);
	/* At 5 per second beside installedApps' 30, the chat reads are done before the scan is half
	 * way; queued with their chats, the least at risk, they would come at its end. */
	cr_assert_lt(last_read_at_apps, total_apps / 2,
		     "the last chat read came after %zu of %zu installedApps reads", last_read_at_apps, total_apps);
	/* and every chat was written with what both reads said */
	cr_assert_eq(syt_refresh(&t, &(struct refresh_opts){ .full = true, .window = 3 }, &rep, &err), 0, "%s", err.msg);
	cr_assert_eq(rep.details_left, 0);
	cr_assert_eq(rep.details_fetched, syt_graph_count(&t));
}
