/* The scheme table: slots to curses colour pairs, or to plain attributes in monochrome. */
#include "config.h"
#include "ui/colors.h"
#include <curses.h>
#include <stdlib.h>

/* The table's words, as curses values. DEFAULT is the terminal's own colour (use_default_colors). */
#define UI_C_DEFAULT (-1)
#define UI_C_BLACK COLOR_BLACK
#define UI_C_RED COLOR_RED
#define UI_C_GREEN COLOR_GREEN
#define UI_C_YELLOW COLOR_YELLOW
#define UI_C_BLUE COLOR_BLUE
#define UI_C_MAGENTA COLOR_MAGENTA
#define UI_C_CYAN COLOR_CYAN
#define UI_C_WHITE COLOR_WHITE
#define UI_A_NORMAL A_NORMAL
#define UI_A_BOLD A_BOLD
#define UI_A_DIM A_DIM
#define UI_A_REVERSE A_REVERSE
#define UI_A_UNDERLINE A_UNDERLINE

struct scheme {
	short fg, bg;
	attr_t attr, mono;
};

#define UI_COLOR_DEF_(name, fg, bg, attr, mono) { UI_C_##fg, UI_C_##bg, UI_A_##attr, UI_A_##mono },
static const struct scheme scheme[UI_COLOR_COUNT] = { UI_COLOR_LIST(UI_COLOR_DEF_) };
#undef UI_COLOR_DEF_

static attr_t attrs[UI_COLOR_COUNT];

bool ui_colors_disabled_by_user(bool no_color_option)
{
	const char *nc = getenv("NO_COLOR");
	return no_color_option || (nc && *nc);
}

bool ui_colors_init(bool want_color)
{
	bool color = want_color && has_colors() && start_color() == OK;
	/* A terminal without default colours gets white on black for DEFAULT, which init_pair takes. */
	bool defaults = color && use_default_colors() == OK;
	for (int i = 0; i < UI_COLOR_COUNT; i++) {
		attrs[i] = scheme[i].mono;
		if (!color || i == UI_COLOR_DEFAULT || i >= COLOR_PAIRS - 1)
			continue;
		short fg = scheme[i].fg, bg = scheme[i].bg;
		if (!defaults && fg < 0)
			fg = COLOR_WHITE;
		if (!defaults && bg < 0)
			bg = COLOR_BLACK;
		if (init_pair((short)(i + 1), fg, bg) == OK)
			attrs[i] = COLOR_PAIR(i + 1) | scheme[i].attr;
	}
	return color;
}

unsigned long ui_color_attr(enum ui_color slot)
{
	if ((int)slot < 0 || slot >= UI_COLOR_COUNT)
		return A_NORMAL;
	return attrs[slot];
}
