/* The request table behind the console's keys and help screen, the command table, key names,
 * and the parsing of key scripts. */
#include "config.h"
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>
#include "ui/input.h"
#include "ui/keys.h"
#include "ui/prompt.h"
#include "ui/request.h"
#include "ui/view.h"

static void locale(void)
{
	setlocale(LC_ALL, "C.UTF-8");
}
TestSuite(requests, .init = locale);

Test(requests, every_request_has_a_name_a_key_and_help)
{
	for (int r = 0; r < UI_REQ_COUNT; r++) {
		const struct ui_request_info *info = ui_request_info((enum ui_request)r);
		cr_assert_not_null(info);
		cr_assert_eq((int)info->request, r);
		cr_assert(info->name && *info->name, "request %d has no name", r);
		cr_assert(info->help && strlen(info->help) > 5, "%s has no help", info->name);
		cr_assert(info->keys[0], "%s has no key", info->name);
		cr_assert_lt((int)info->group, UI_GROUP_COUNT);
		for (int k = 0; k < 2; k++)
			if (info->keys[k])
				cr_assert_geq(ui_key_parse(info->keys[k]), 0, "%s: key %s does not parse", info->name,
					      info->keys[k]);
	}
	cr_assert_null(ui_request_info(UI_REQ_COUNT));
	cr_assert_null(ui_request_info(UI_REQ_NONE));
}

Test(requests, no_key_is_bound_twice)
{
	int seen[UI_REQ_COUNT * 2];
	const char *owner[UI_REQ_COUNT * 2];
	size_t n = 0;
	for (int r = 0; r < UI_REQ_COUNT; r++) {
		const struct ui_request_info *info = ui_request_info((enum ui_request)r);
		for (int k = 0; k < 2; k++) {
			if (!info->keys[k])
				continue;
			int key = ui_key_parse(info->keys[k]);
			for (size_t i = 0; i < n; i++)
				cr_assert_neq(seen[i], key, "%s is bound to %s and %s", info->keys[k], owner[i], info->name);
			seen[n] = key;
			owner[n++] = info->name;
		}
	}
	cr_assert_gt(n, (size_t)UI_REQ_COUNT);
}

Test(requests, keys_find_their_request_and_names_their_request)
{
	for (int r = 0; r < UI_REQ_COUNT; r++) {
		const struct ui_request_info *info = ui_request_info((enum ui_request)r);
		for (int k = 0; k < 2; k++)
			if (info->keys[k])
				cr_assert_eq(ui_request_for_key(ui_key_parse(info->keys[k])), info->request, "%s",
					     info->keys[k]);
		cr_assert_eq(ui_request_parse(info->name), info->request);
		for (int o = 0; o < r; o++)
			cr_assert_str_neq(ui_request_info((enum ui_request)o)->name, info->name);
	}
	cr_assert_eq(ui_request_for_key('z'), UI_REQ_NONE);
	cr_assert_eq(ui_request_parse("no-such-request"), UI_REQ_NONE);
	cr_assert_eq(ui_request_parse(NULL), UI_REQ_NONE);
}

Test(requests, the_keys_the_brief_promises_are_bound)
{
	cr_assert_eq(ui_request_for_key('j'), UI_REQ_MOVE_DOWN);
	cr_assert_eq(ui_request_for_key('k'), UI_REQ_MOVE_UP);
	cr_assert_eq(ui_request_for_key('g'), UI_REQ_MOVE_FIRST);
	cr_assert_eq(ui_request_for_key('G'), UI_REQ_MOVE_LAST);
	cr_assert_eq(ui_request_for_key(ui_key_down), UI_REQ_MOVE_DOWN);
	cr_assert_eq(ui_request_for_key(ui_key_page_down), UI_REQ_MOVE_PAGE_DOWN);
	cr_assert_eq(ui_request_for_key(ui_key_page_up), UI_REQ_MOVE_PAGE_UP);
	cr_assert_eq(ui_request_for_key(UI_KEY_CTRL('d')), UI_REQ_MOVE_HALF_DOWN);
	cr_assert_eq(ui_request_for_key(UI_KEY_CTRL('u')), UI_REQ_MOVE_HALF_UP);
	cr_assert_eq(ui_request_for_key(UI_KEY_ENTER), UI_REQ_ENTER);
	cr_assert_eq(ui_request_for_key(UI_KEY_ESC), UI_REQ_BACK);
	cr_assert_eq(ui_request_for_key('q'), UI_REQ_VIEW_CLOSE);
	cr_assert_eq(ui_request_for_key('?'), UI_REQ_VIEW_HELP);
	cr_assert_eq(ui_request_for_key(':'), UI_REQ_PROMPT);
	cr_assert_eq(ui_request_for_key('/'), UI_REQ_FILTER);
	cr_assert_eq(ui_request_for_key('s'), UI_REQ_SORT);
	cr_assert_eq(ui_request_for_key('f'), UI_REQ_STATE_FILTER);
	cr_assert_eq(ui_request_for_key('R'), UI_REQ_RELOAD);
	cr_assert_eq(ui_request_for_key('r'), UI_REQ_REFRESH);
	cr_assert_eq(ui_request_for_key('t'), UI_REQ_TOGGLE_SYNC);
}

Test(requests, key_names_round_trip)
{
	const char *names[] = { "j", "G", "?", "<Enter>", "<Esc>", "<Down>", "<PgUp>", "<C-d>", "<Home>", "<F1>", "é" };
	char buf[32];
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		int key = ui_key_parse(names[i]);
		cr_assert_geq(key, 0, "%s", names[i]);
		cr_assert_str_eq(ui_key_name(key, buf, sizeof buf), names[i]);
	}
	cr_assert_eq(ui_key_parse("<C-D>"), UI_KEY_CTRL('d'));
	cr_assert_eq(ui_key_parse("<enter>"), UI_KEY_ENTER);
	cr_assert_eq(ui_key_parse("<Nope>"), -1);
	cr_assert_eq(ui_key_parse("ab"), -1);
	cr_assert_eq(ui_key_parse(""), -1);
	cr_assert_eq(ui_key_parse(NULL), -1);
	cr_assert_eq(ui_key_normalize('\r'), UI_KEY_ENTER);
	cr_assert_eq(ui_key_normalize(127), ui_key_backspace);
}

Test(requests, commands_have_unique_names_and_help)
{
	for (size_t i = 0; i < UI_CMD_COUNT; i++) {
		const struct ui_cmd_info *c = ui_cmd_info(i);
		cr_assert(c->name && *c->name);
		cr_assert(c->help && strlen(c->help) > 3, ":%s has no help", c->name);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(ui_cmd_info(j)->name, c->name);
		/* A command must not hide a request of the same name (:refresh is r; :sort COLUMN names the column s would reach). */
		if (c->cmd != UI_CMD_REFRESH && c->cmd != UI_CMD_SORT)
			cr_assert_eq(ui_request_parse(c->name), UI_REQ_NONE, ":%s shadows a request", c->name);
	}
	cr_assert_null(ui_cmd_info(UI_CMD_COUNT));
}

Test(requests, script_lines_become_keys)
{
	int keys[64];
	size_t n = ui_input_parse_line("j", keys, 64);
	cr_assert_eq(n, 1);
	cr_assert_eq(keys[0], 'j');
	n = ui_input_parse_line("<Enter>", keys, 64);
	cr_assert_eq(n, 1);
	cr_assert_eq(keys[0], UI_KEY_ENTER);
	n = ui_input_parse_line(":env sales", keys, 64);
	cr_assert_eq(n, 11);
	cr_assert_eq(keys[0], ':');
	cr_assert_eq(keys[4], ' ');
	cr_assert_eq(keys[10], UI_KEY_ENTER);
	/* A command is typed as is: "<" in it is a character, not a key name. */
	n = ui_input_parse_line(":filter <Down>", keys, 64);
	cr_assert_eq(n, 15);
	cr_assert_eq(keys[8], '<');
	n = ui_input_parse_line("deal<Down><Enter>", keys, 64);
	cr_assert_eq(n, 6);
	cr_assert_eq(keys[3], 'l');
	cr_assert_eq(keys[4], ui_key_down);
	cr_assert_eq(keys[5], UI_KEY_ENTER);
	n = ui_input_parse_line("山田", keys, 64);
	cr_assert_eq(n, 2);
	cr_assert_eq(keys[0], 0x5C71);
	cr_assert_eq(ui_input_parse_line("# a comment", keys, 64), 0);
	cr_assert_eq(ui_input_parse_line("", keys, 64), 0);
	n = ui_input_parse_line("#", keys, 64);
	cr_assert_eq(n, 1);
	cr_assert_eq(keys[0], '#');
	n = ui_input_parse_line("<", keys, 64);
	cr_assert_eq(n, 1);
	cr_assert_eq(keys[0], '<');
	/* Never more than asked for. */
	cr_assert_eq(ui_input_parse_line("abcdef", keys, 3), 3);
}

Test(requests, filter_terms_all_match_and_negation_excludes)
{
	const char *fields[] = { "Deal room Fabrikam", "19:deal@thread.v2", "Alice Example, Bob" };
	cr_assert(view_filter_match("deal", fields, 3));
	cr_assert(view_filter_match("deal alice", fields, 3));
	cr_assert_not(view_filter_match("deal carol", fields, 3));
	cr_assert_not(view_filter_match("deal !fabrikam", fields, 3));
	cr_assert(view_filter_match("!renewal", fields, 3));
	cr_assert(view_filter_match("", fields, 3));
	cr_assert(view_filter_match("  DEAL  ", fields, 3));
}

Test(requests, ages_are_short_and_whole)
{
	char b[32];
	cr_assert_str_eq(view_age(0, 42, b, sizeof b), "42s");
	cr_assert_str_eq(view_age(0, 5 * 60 + 12, b, sizeof b), "5m12s");
	cr_assert_str_eq(view_age(0, 3 * 3600 + 5 * 60, b, sizeof b), "3h05m");
	cr_assert_str_eq(view_age(0, 5 * 86400 + 21 * 3600, b, sizeof b), "5d21h");
	cr_assert_str_eq(view_age(100, 0, b, sizeof b), "0s");
}

Test(requests, command_lines_become_actions)
{
	struct ui ui;
	memset(&ui, 0, sizeof ui);
	char l1[] = "chats sales", l2[] = "  chat 19:abc  ", l3[] = "q", l4[] = "refresh", l5[] = "frobnicate",
	     l6[] = "profile", l7[] = "chats";
	struct ui_action a = ui_command_parse(&ui, l1);
	cr_assert_eq(a.act, UI_ACT_OPEN);
	cr_assert_eq(a.view, &view_chats_ops);
	cr_assert_str_eq(a.arg, "sales");
	a = ui_command_parse(&ui, l2);
	cr_assert_eq(a.view, &view_diag_ops);
	cr_assert_str_eq(a.arg, "19:abc");
	cr_assert_eq(ui_command_parse(&ui, l3).act, UI_ACT_QUIT);
	cr_assert_eq(ui_command_parse(&ui, l4).act, UI_ACT_REFRESH);
	cr_assert_eq(ui_command_parse(&ui, l5).act, UI_ACT_DONE);
	cr_assert(strstr(ui.message, "unknown command :frobnicate"));
	cr_assert_eq(ui_command_parse(&ui, l6).act, UI_ACT_DONE);
	cr_assert(strstr(ui.message, ":profile needs NAME"));
	a = ui_command_parse(&ui, l7);
	cr_assert_eq(a.act, UI_ACT_OPEN);
	cr_assert_null(a.arg);
	for (size_t i = 0; i < ui.n_log; i++)
		free(ui.log[i].text);
	free(ui.log);
	free(ui.message);
}
