/* The command line (`:`) and the line editor it shares with `/` and confirmations. Commands are
 * one table, like the requests, so the help screen lists them. Any request name is a command too
 * (":toggle-sync", ":quit"). */
#ifndef CHATSYNC_UI_PROMPT_H
#define CHATSYNC_UI_PROMPT_H
#include <stdbool.h>
#include <stddef.h>

struct ui;

/* X(NAME, "name", argument (N_) or NULL, help (N_)) */
#define UI_CMD_LIST(X) \
	X(QUIT, "q", NULL, N_("Quit")) \
	X(ENV, "env", N_("NAME"), N_("Show the chats of an environment (name or id)")) \
	X(CHATS, "chats", NULL, N_("Show the chats of every environment")) \
	X(CHAT, "chat", N_("ID"), N_("Diagnose a chat (chat id, activity id, or a prefix)")) \
	X(FILTER, "filter", N_("TEXT"), N_("Filter the view; without TEXT, show everything")) \
	X(SAVE_DISPLAY, "save-display", N_("FILE"), N_("Write the screen as text to FILE")) \
	X(HELP, "help", NULL, N_("Show this help"))

#define UI_CMD_ENUM_(name, id, arg, help) UI_CMD_##name,
enum ui_cmd { UI_CMD_LIST(UI_CMD_ENUM_) UI_CMD_COUNT };
#undef UI_CMD_ENUM_

struct ui_cmd_info {
	const char *name;
	const char *arg;    /* untranslated; NULL: takes none */
	const char *help;   /* untranslated */
};

size_t ui_cmd_count(void);
const struct ui_cmd_info *ui_cmd_info(size_t i);

/* Edits a line on the status line after prefix (":" or "/"). Returns the text (caller owns), or
 * NULL when cancelled with Esc or when the session ended (ui->quit is then set). */
char *ui_prompt_read(struct ui *ui, const char *prefix);
/* Asks a yes/no question on the status line; true only for y. */
bool ui_prompt_confirm(struct ui *ui, const char *question);
/* Runs one command line (without the ":"). Problems go to the status line. */
void ui_command_run(struct ui *ui, const char *line);

#endif
