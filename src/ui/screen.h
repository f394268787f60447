/* The terminal: curses set up and torn down, the title bar, the view, the status line, and the
 * screen saved as text (`:save-display`). Everything drawn goes through the layout's callback. */
#ifndef CHATSYNC_UI_SCREEN_H
#define CHATSYNC_UI_SCREEN_H
#include <stdbool.h>
#include "base/error.h"

struct ui;
struct view;

/* The smallest terminal the console draws in; below it says "terminal too small". */
#define UI_MIN_COLS 20
#define UI_MIN_LINES 6

/* Starts curses on the terminal; fails (exit 2) without one. Sets ui->use_color. */
int screen_open(struct ui *ui, bool want_color, struct cs_error *err);
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
/* Draws the status line as an input line: prefix, text, cursor at its end. */
void screen_draw_input(struct ui *ui, const char *prefix, const char *text);
/* Writes the screen's text, one line per row without trailing blanks, to path. */
int screen_save(const char *path, struct cs_error *err);

#endif
