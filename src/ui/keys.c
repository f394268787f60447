/* Key names <-> key codes. The only curses this needs are the KEY_* values. */
#include "config.h"
#include "ui/keys.h"
#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

const int ui_key_up = UI_KEY_FN(KEY_UP), ui_key_down = UI_KEY_FN(KEY_DOWN), ui_key_left = UI_KEY_FN(KEY_LEFT),
	  ui_key_right = UI_KEY_FN(KEY_RIGHT), ui_key_page_up = UI_KEY_FN(KEY_PPAGE),
	  ui_key_page_down = UI_KEY_FN(KEY_NPAGE), ui_key_home = UI_KEY_FN(KEY_HOME), ui_key_end = UI_KEY_FN(KEY_END),
	  ui_key_backspace = UI_KEY_FN(KEY_BACKSPACE), ui_key_resize = UI_KEY_FN(KEY_RESIZE),
	  ui_key_f1 = UI_KEY_FN(KEY_F(1)), ui_key_delete = UI_KEY_FN(KEY_DC);

static const struct {
	const char *name;
	int key;
} names[] = {
	{ "<Enter>", UI_KEY_ENTER },
	{ "<Esc>", UI_KEY_ESC },
	{ "<Space>", ' ' },
	{ "<Tab>", '\t' },
	{ "<Up>", UI_KEY_FN(KEY_UP) },
	{ "<Down>", UI_KEY_FN(KEY_DOWN) },
	{ "<Left>", UI_KEY_FN(KEY_LEFT) },
	{ "<Right>", UI_KEY_FN(KEY_RIGHT) },
	{ "<PgUp>", UI_KEY_FN(KEY_PPAGE) },
	{ "<PgDn>", UI_KEY_FN(KEY_NPAGE) },
	{ "<Home>", UI_KEY_FN(KEY_HOME) },
	{ "<End>", UI_KEY_FN(KEY_END) },
	{ "<Backspace>", UI_KEY_FN(KEY_BACKSPACE) },
	{ "<Delete>", UI_KEY_FN(KEY_DC) },
	{ "<F1>", UI_KEY_FN(KEY_F(1)) },
	{ "<Resize>", UI_KEY_FN(KEY_RESIZE) },
	{ "<LessThan>", '<' },
};

int ui_key_parse(const char *name)
{
	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].key;
	size_t len = strlen(name);
	/* <C-x>: a control key, case-insensitive like terminals send it. */
	if (len == 5 && strncasecmp(name, "<C-", 3) == 0 && name[4] == '>') {
		char c = name[3];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			return UI_KEY_CTRL(c);
		return -1;
	}
	if (name[0] == '<' && len > 1)
		return -1;
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t n = mbrtowc(&wc, name, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || n != len)
		return -1;
	return (int)wc;
}

char *ui_key_name(int key, char *buf, size_t n)
{
	if (!n)
		return buf;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		/* '<' is itself when written alone; only the other names read better. */
		if (names[i].key == key && key != '<') {
			snprintf(buf, n, "%s", names[i].name);
			return buf;
		}
	}
	if (key > 0 && key < 0x20) {
		snprintf(buf, n, "<C-%c>", 'a' + key - 1);
	} else if (UI_KEY_IS_FN(key) || key < 0) {
		snprintf(buf, n, "<%d>", key);
	} else {
		char mb[MB_LEN_MAX + 1];
		mbstate_t st;
		memset(&st, 0, sizeof st);
		size_t len = wcrtomb(mb, (wchar_t)key, &st);
		if (len == (size_t)-1)
			snprintf(buf, n, "<U+%04X>", (unsigned)key);
		else
			snprintf(buf, n, "%.*s", (int)len, mb);
	}
	return buf;
}

int ui_key_normalize(int key)
{
	if (key == '\r' || key == UI_KEY_FN(KEY_ENTER))
		return UI_KEY_ENTER;
	if (key == 127 || key == '\b')
		return UI_KEY_FN(KEY_BACKSPACE);
	return key;
}
