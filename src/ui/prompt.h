/* The line typed on the status line (after ":" or "/", or a dialog's name or passphrase): one
 * key at a time, as a mode of the one event loop, so the refresh's progress and the diagnosis go
 * on while the user types. Tab completes commands, environment names and profiles; Up and Down
 * walk the ":" history. Internal to src/ui/. */
#ifndef CHATSYNC_UI_PROMPT_H
#define CHATSYNC_UI_PROMPT_H
#include <stdbool.h>

struct ui;

enum line_result {
	LINE_EDITING,   /* nothing to do */
	LINE_CHANGED,   /* the text changed (a live filter follows it) */
	LINE_DONE,      /* Enter: the text is in ui->line */
	LINE_CANCEL,    /* Esc, Ctrl-G, Ctrl-C, or Backspace on an empty line */
};

/* Empties ui->line for a new prompt. */
void line_reset(struct ui *ui);
/* One key into ui->line. command: Tab completion and the history are on. */
enum line_result line_key(struct ui *ui, int key, bool command);
/* Remembers a ":" line (the newest last; a repeat moves to the end). */
void line_history_add(struct ui *ui, const char *text);
void line_history_free(struct ui *ui);

#endif
