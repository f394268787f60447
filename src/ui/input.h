/* Where keys come from: the script named by $CHATSYNC_UI_SCRIPT first (tig's TIG_SCRIPT, for
 * tests and demos), then the terminal. Also notices when the session is gone: SIGHUP, SIGTERM,
 * SIGINT, or a terminal that only answers with errors (a dropped SSH connection). */
#ifndef CHATSYNC_UI_INPUT_H
#define CHATSYNC_UI_INPUT_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"

#define UI_INPUT_NONE (-1)     /* nothing arrived within the timeout */
#define UI_INPUT_HANGUP (-2)   /* the session ended: clean up and leave */
#define UI_INPUT_UNKNOWN (-3)  /* an escape sequence the terminal description does not know */
#define UI_INPUT_MOUSE (-4)    /* a click or the wheel (with the mouse on): see ui_input_mouse */

enum ui_mouse { UI_MOUSE_CLICK, UI_MOUSE_WHEEL_UP, UI_MOUSE_WHEEL_DOWN, UI_MOUSE_OTHER };
/* The last mouse event: what, and the screen cell it was on. */
enum ui_mouse ui_input_mouse(int *y, int *x);

/* Reads a script of keys, one per line: a character, a key name (<Enter>, <Esc>, <Down>,
 * <C-d>, ...), a line of text to type (names in <> inside it are keys too), or ":command",
 * which types the command and Enter. Lines starting with "# " are comments. Returns 0 or -1. */
int ui_input_load_script(const char *path, struct cs_error *err);
/* Parses one script line and appends its keys to keys (capacity max); returns how many. */
size_t ui_input_parse_line(const char *line, int *keys, size_t max);
/* Whether script keys remain. */
bool ui_input_scripted(void);
/* Installs the handlers of the signals that end the session; again after a hook that may have
 * replaced them. */
void ui_input_signals(void);
/* The next key, normalised (ui_key_normalize); UI_INPUT_NONE after timeout_ms (0: poll,
 * negative: wait), UI_INPUT_HANGUP when the session is over. Curses must be running. */
int ui_input_key(int timeout_ms);
/* Throws away what was typed ahead on the terminal (before a question is drawn). The script's
 * keys stay: a script answers questions on purpose. */
void ui_input_flush(void);

/* Frees the script and restores the signal handlers. */
void ui_input_close(void);

#endif
