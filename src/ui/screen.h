/* The terminal: curses set up and torn down, the title bar, the view, the status line, and the
 * screen saved as text (`:save-display`). Everything drawn goes through the layout's callback. */
#ifndef CHATSYNC_UI_SCREEN_H
#define CHATSYNC_UI_SCREEN_H
#include <stdbool.h>
#include "base/error.h"

struct ui;
struct view;

/* The smallest terminal the console draws in; below it says "terminal too small". */
#define UI_MIN_COLS 40
#define UI_MIN_LINES 12

/* Starts curses on the terminal; fails (exit 2) without one, on one that cannot address the
 * cursor (TERM=dumb), or below UI_MIN_COLS x UI_MIN_LINES. Sets ui->use_color; mouse: clicks and
 * the wheel come as keys (see input.h). */
int screen_open(struct ui *ui, bool want_color, bool mouse, struct cs_error *err);
/* The first screen row of v's lines (below the title and the header). */
int screen_first_row(const struct view *v);
/* Gives the terminal back as it was. Safe to call twice. */
void screen_close(void);
/* Whether the terminal is below UI_MIN_COLS x UI_MIN_LINES. */
bool screen_too_small(void);
/* Makes the next draw repaint the whole terminal (Ctrl-L). */
void screen_force_redraw(void);
/* Sets v's height and width from the terminal size. */
void screen_fit(struct view *v);
/* Draws everything (title, view, status line) and updates the terminal. */
void screen_draw(struct ui *ui);
/* Writes the screen's text, one line per row without trailing blanks, to path. */
int screen_save(const char *path, struct cs_error *err);

#endif
