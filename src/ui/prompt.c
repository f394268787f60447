/* The line editor: typing, history and completion. */
#include "config.h"
#include "ui/prompt.h"
#include "ui/colors.h"
#include "ui/keys.h"
#include "ui/view.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

void line_reset(struct ui *ui)
{
	buf_free(&ui->line);
	buf_init(&ui->line);
	buf_add(&ui->line, "", 0);
	ui->history_at = ui->n_history;
}

static void set_text(struct ui *ui, const char *text)
{
	ui->line.len = 0;
	buf_adds(&ui->line, text);
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

void line_history_add(struct ui *ui, const char *text)
{
	if (!text || !*text)
		return;
	for (size_t i = 0; i < ui->n_history; i++)
		if (strcmp(ui->history[i], text) == 0) {
			free(ui->history[i]);
			memmove(&ui->history[i], &ui->history[i + 1], (ui->n_history - i - 1) * sizeof *ui->history);
			ui->n_history--;
			break;
		}
	if (ui->n_history == UI_HISTORY) {
		free(ui->history[0]);
		memmove(&ui->history[0], &ui->history[1], (UI_HISTORY - 1) * sizeof *ui->history);
		ui->n_history--;
	}
	ui->history[ui->n_history++] = xstrdup(text);
	ui->history_at = ui->n_history;
}

void line_history_free(struct ui *ui)
{
	for (size_t i = 0; i < ui->n_history; i++)
		free(ui->history[i]);
	ui->n_history = ui->history_at = 0;
}

/* The candidates for the word being typed: command names first, then (after a command that
 * takes one) environment names or profiles. */
struct completion {
	const char *prefix;
	size_t len;
	const char *found;   /* the first candidate */
	size_t common;       /* how much all candidates share beyond the prefix */
	size_t count;
};

static void consider(struct completion *c, const char *word)
{
	if (!word || strncmp(word, c->prefix, c->len) != 0)
		return;
	if (!c->found) {
		c->found = word;
		c->common = strlen(word);
	} else {
		size_t i = 0;
		while (i < c->common && word[i] == c->found[i])
			i++;
		c->common = i;
	}
	c->count++;
}

static void complete(struct ui *ui)
{
	char *text = ui->line.data;
	char *space = strrchr(text, ' ');
	struct completion c = { .prefix = space ? space + 1 : text };
	c.len = strlen(c.prefix);
	if (!space) {
		for (size_t i = 0; ui_cmd_info(i); i++)
			consider(&c, ui_cmd_info(i)->name);
	} else {
		size_t n = strcspn(text, " ");
		char *cmd = xstrndup(text, n);
		int k = ui_cmd_parse(cmd);
		free(cmd);
		if (k == UI_CMD_PROFILE) {
			const struct conf *conf = &ui->cfg->session->conf;
			for (size_t i = 0; i < conf->n_profiles; i++)
				consider(&c, conf->profiles[i].name);
		} else if (k == UI_CMD_CHATS || k == UI_CMD_ENV) {
			for (size_t i = 0; i < ui->data.n_envs; i++)
				consider(&c, ui->data.envs[i].env.unique_name);
		}
	}
	if (!c.found) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("no completion"));
		return;
	}
	char *word = xstrndup(c.found, c.common);
	size_t keep = (size_t)(c.prefix - text);
	ui->line.len = keep;
	ui->line.data[keep] = '\0';
	buf_adds(&ui->line, word);
	if (c.count == 1)
		buf_adds(&ui->line, " ");
	free(word);
}

static void history_move(struct ui *ui, int step)
{
	if (!ui->n_history)
		return;
	if (step < 0 && ui->history_at > 0)
		ui->history_at--;
	else if (step > 0 && ui->history_at < ui->n_history)
		ui->history_at++;
	set_text(ui, ui->history_at < ui->n_history ? ui->history[ui->history_at] : "");
}

enum line_result line_key(struct ui *ui, int key, bool command)
{
	struct buf *b = &ui->line;
	if (key == UI_KEY_ENTER)
		return LINE_DONE;
	if (key == UI_KEY_ESC || key == UI_KEY_CTRL('g') || key == UI_KEY_CTRL('c'))
		return LINE_CANCEL;
	if (key == ui_key_backspace) {
		if (b->len == 0)
			return LINE_CANCEL;   /* backspace on an empty line leaves it, as in vi */
		drop_last(b);
		return LINE_CHANGED;
	}
	if (key == UI_KEY_CTRL('u')) {
		b->len = 0;
		b->data[0] = '\0';
		return LINE_CHANGED;
	}
	if (command && key == '\t') {
		complete(ui);
		return LINE_CHANGED;
	}
	if (command && (key == ui_key_up || key == ui_key_down)) {
		history_move(ui, key == ui_key_up ? -1 : 1);
		return LINE_CHANGED;
	}
	if (!UI_KEY_IS_FN(key) && key >= 0x20 && key != 0x7f) {
		add_key(b, key);
		return LINE_CHANGED;
	}
	return LINE_EDITING;
}
