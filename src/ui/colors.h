/* Colours as semantic slots (htop's idea): views say what a cell is (a verdict, a heading), one
 * scheme table says how it looks, in colour and in monochrome. No curses in this header: the
 * table names colours and attributes as words that colors.c maps to curses values.
 * X(NAME, foreground, background, colour attribute, monochrome attribute) */
#ifndef CHATSYNC_UI_COLORS_H
#define CHATSYNC_UI_COLORS_H
#include <stdbool.h>

#define UI_COLOR_LIST(X) \
	X(DEFAULT, DEFAULT, DEFAULT, NORMAL, NORMAL) \
	X(TITLE, WHITE, BLUE, BOLD, REVERSE) \
	X(STATUS, BLACK, CYAN, NORMAL, REVERSE) \
	X(STATUS_ERROR, WHITE, RED, BOLD, REVERSE) \
	X(STATUS_WARN, BLACK, YELLOW, NORMAL, REVERSE) \
	X(MATCH, BLACK, YELLOW, NORMAL, UNDERLINE) \
	X(BADGE, WHITE, RED, BOLD, REVERSE) \
	X(HEADER, YELLOW, DEFAULT, BOLD, UNDERLINE) \
	X(CURSOR, BLACK, CYAN, NORMAL, REVERSE) \
	X(SYNCING, GREEN, DEFAULT, NORMAL, NORMAL) \
	X(AT_RISK, YELLOW, DEFAULT, BOLD, BOLD) \
	X(NOT_SYNCING, RED, DEFAULT, BOLD, BOLD) \
	X(UNKNOWN, MAGENTA, DEFAULT, NORMAL, DIM) \
	X(PENDING, DEFAULT, DEFAULT, DIM, DIM) \
	X(SYNC_ON, GREEN, DEFAULT, NORMAL, NORMAL) \
	X(SYNC_OFF, RED, DEFAULT, BOLD, BOLD) \
	X(ERROR, RED, DEFAULT, NORMAL, UNDERLINE) \
	X(HEADING, CYAN, DEFAULT, BOLD, BOLD) \
	X(KEY, GREEN, DEFAULT, BOLD, BOLD) \
	X(RULE, DEFAULT, DEFAULT, BOLD, BOLD) \
	X(DIM, DEFAULT, DEFAULT, DIM, DIM)

#define UI_COLOR_ENUM_(name, fg, bg, attr, mono) UI_COLOR_##name,
enum ui_color { UI_COLOR_LIST(UI_COLOR_ENUM_) UI_COLOR_COUNT };
#undef UI_COLOR_ENUM_

/* Sets the scheme up after curses started: colour when want_color and the terminal has colours,
 * else monochrome. Returns whether colour is in use. */
bool ui_colors_init(bool want_color);
/* Whether the user asked for no colour: --no-color, or NO_COLOR set to anything non-empty. */
bool ui_colors_disabled_by_user(bool no_color_option);
/* The curses attribute of a slot (an attr_t, as unsigned long to keep curses out of here). */
unsigned long ui_color_attr(enum ui_color slot);

#endif
