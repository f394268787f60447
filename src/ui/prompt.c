/* The line editor on the status line and the `:` commands. */
#include "config.h"
#include "ui/prompt.h"
#include "ui/colors.h"
#include "ui/input.h"
#include "ui/keys.h"
#include "ui/screen.h"
#include "ui/view.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <curses.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define UI_CMD_INFO_(name, id, arg, help) { id, arg, help },
static const struct ui_cmd_info commands[UI_CMD_COUNT] = { UI_CMD_LIST(UI_CMD_INFO_) };
#undef UI_CMD_INFO_

size_t ui_cmd_count(void)
{
	return UI_CMD_COUNT;
}

const struct ui_cmd_info *ui_cmd_info(size_t i)
{
	return i < UI_CMD_COUNT ? &commands[i] : NULL;
}

static void add_key(struct buf *b, int key)
{
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t len = wcrtomb(mb, (wchar_t)key, &st);
	if (len != (size_t)-1)
		buf_add(b, mb, len);
}

/* Removes the last character (not byte) of b. */
static void drop_last(struct buf *b)
{
	while (b->len > 0) {
		unsigned char c = (unsigned char)b->data[--b->len];
		if ((c & 0xC0) != 0x80)
			break;
	}
	b->data[b->len] = '\0';
}

char *ui_prompt_read(struct ui *ui, const char *prefix)
{
	struct buf b;
	buf_init(&b);
	buf_add(&b, "", 0);
	char *result = NULL;
	for (;;) {
		screen_draw_input(ui, prefix, b.data);
		int key = ui_input_key(-1);
		if (key == UI_INPUT_HANGUP) {
			ui->quit = true;
			break;
		}
		if (key == UI_INPUT_NONE)
			continue;
		if (key == UI_KEY_ENTER) {
			result = buf_steal(&b);
			break;
		}
		if (key == UI_KEY_ESC || key == UI_KEY_CTRL('g') || key == UI_KEY_CTRL('c'))
			break;
		if (key == ui_key_resize) {
			ui_resized(ui);
			screen_draw(ui);
		} else if (key == ui_key_backspace) {
			if (b.len == 0)
				break;   /* backspace on an empty line leaves it, as in vi */
			drop_last(&b);
		} else if (key == UI_KEY_CTRL('u')) {
			b.len = 0;
			b.data[0] = '\0';
		} else if (!UI_KEY_IS_FN(key) && key >= 0x20 && key != 0x7f) {
			add_key(&b, key);
		}
	}
	curs_set(0);
	buf_free(&b);
	return result;
}

bool ui_prompt_confirm(struct ui *ui, const char *question)
{
	char *q = xasprintf("%s %s ", question, _("[y/N]"));
	bool yes = false;
	for (;;) {
		screen_draw_input(ui, q, "");
		int key = ui_input_key(-1);
		if (key == UI_INPUT_NONE)
			continue;
		if (key == ui_key_resize) {
			ui_resized(ui);
			screen_draw(ui);
			continue;
		}
		if (key == UI_INPUT_HANGUP)
			ui->quit = true;
		yes = key == 'y' || key == 'Y';
		break;
	}
	curs_set(0);
	free(q);
	return yes;
}

/* Splits "name rest" into the command name (returned, caller owns) and where its argument
 * starts (NULL when there is none). */
static char *split(const char *line, const char **arg)
{
	while (*line == ' ')
		line++;
	size_t n = strcspn(line, " ");
	const char *a = line + n;
	while (*a == ' ')
		a++;
	*arg = *a ? a : NULL;
	return xstrndup(line, n);
}

static int find_command(const char *name)
{
	for (int i = 0; i < UI_CMD_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return i;
	if (strcmp(name, "quit") == 0 || strcmp(name, "q!") == 0 || strcmp(name, "qa") == 0)
		return UI_CMD_QUIT;
	return -1;
}

static void run(struct ui *ui, int cmd, const char *arg)
{
	struct cs_error err = { 0 };
	switch (cmd) {
	case UI_CMD_QUIT:
		ui->quit = true;
		break;
	case UI_CMD_ENV:
		if (!arg)
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _(":env needs an environment name (e.g. :env sales)"));
		else
			ui_open_view(ui, &view_chats_ops, arg);
		break;
	case UI_CMD_CHATS:
		ui_open_view(ui, &view_chats_ops, NULL);
		break;
	case UI_CMD_CHAT:
		if (!arg)
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _(":chat needs a chat id (e.g. :chat 19:abc)"));
		else
			ui_open_view(ui, &view_diag_ops, arg);
		break;
	case UI_CMD_FILTER:
		ui_set_filter(ui, arg);
		break;
	case UI_CMD_SAVE_DISPLAY:
		if (!arg) {
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _(":save-display needs a file name"));
			break;
		}
		/* The screen is saved as the view shows it, not with this command line in it. */
		screen_draw(ui);
		if (screen_save(arg, &err))
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		else
			ui_message(ui, UI_COLOR_STATUS, _("screen saved to %s"), arg);
		break;
	case UI_CMD_HELP:
		ui_open_view(ui, &view_help_ops, NULL);
		break;
	default:
		break;
	}
}

void ui_command_run(struct ui *ui, const char *line)
{
	const char *rest;
	char *name = split(line, &rest);
	/* split trimmed the argument's end: copy just that much. */
	char *arg = NULL;
	if (rest) {
		size_t n = strlen(rest);
		while (n > 0 && rest[n - 1] == ' ')
			n--;
		arg = xstrndup(rest, n);
	}
	int cmd = find_command(name);
	if (!*name) {
		/* An empty command line does nothing, as in vi. */
	} else if (cmd >= 0) {
		run(ui, cmd, arg);
	} else if (ui_request_parse(name) != UI_REQ_NONE) {
		ui_do_request(ui, ui_request_parse(name));
	} else {
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("unknown command :%s (press ? for the list)"), name);
	}
	free(arg);
	free(name);
}
