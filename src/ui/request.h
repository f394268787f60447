/* The console's requests, declared once (tig's REQ_ idea): the same table gives the enum, the key
 * bindings, the names used in messages and the `?` help screen, so nothing is kept in sync by hand.
 * No curses here: keys are written as names ("j", "<Down>", "<C-d>") and parsed by keys.h. */
#ifndef CHATSYNC_UI_REQUEST_H
#define CHATSYNC_UI_REQUEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Help groups, in the order the help screen lists them. */
enum ui_req_group {
	UI_GROUP_MOVE,
	UI_GROUP_VIEW,
	UI_GROUP_ACTION,
	UI_GROUP_COUNT,
};

/* X(NAME, "name", group, "key", "other key" or NULL, help) */
#define UI_REQ_LIST(X) \
	X(MOVE_UP, "move-up", UI_GROUP_MOVE, "k", "<Up>", N_("Move the cursor one line up")) \
	X(MOVE_DOWN, "move-down", UI_GROUP_MOVE, "j", "<Down>", N_("Move the cursor one line down")) \
	X(MOVE_PAGE_UP, "move-page-up", UI_GROUP_MOVE, "<PgUp>", "<C-b>", N_("Move one page up")) \
	X(MOVE_PAGE_DOWN, "move-page-down", UI_GROUP_MOVE, "<PgDn>", "<C-f>", N_("Move one page down")) \
	X(MOVE_HALF_UP, "move-half-page-up", UI_GROUP_MOVE, "<C-u>", NULL, N_("Move half a page up")) \
	X(MOVE_HALF_DOWN, "move-half-page-down", UI_GROUP_MOVE, "<C-d>", NULL, N_("Move half a page down")) \
	X(MOVE_FIRST, "move-first-line", UI_GROUP_MOVE, "g", "<Home>", N_("Move to the first line")) \
	X(MOVE_LAST, "move-last-line", UI_GROUP_MOVE, "G", "<End>", N_("Move to the last line")) \
	X(FIND_NEXT, "find-next", UI_GROUP_MOVE, "n", NULL, N_("Move to the next line that matches the filter")) \
	X(FIND_PREV, "find-previous", UI_GROUP_MOVE, "N", NULL, N_("Move to the previous line that matches the filter")) \
	X(ENTER, "enter", UI_GROUP_VIEW, "<Enter>", "<Right>", N_("Open the selection: its chats or its diagnosis")) \
	X(BACK, "back", UI_GROUP_VIEW, "<Esc>", "<Left>", N_("Clear the filter, else go back to the previous view")) \
	X(VIEW_CLOSE, "view-close", UI_GROUP_VIEW, "q", NULL, N_("Close the view; quit on the first view")) \
	X(QUIT, "quit", UI_GROUP_VIEW, "Q", NULL, N_("Quit at once")) \
	X(VIEW_HELP, "view-help", UI_GROUP_VIEW, "?", "<F1>", N_("Show this help")) \
	X(VIEW_ALL_CHATS, "view-all-chats", UI_GROUP_VIEW, "c", NULL, N_("Show the chats of every environment")) \
	X(VIEW_RSC, "view-rsc", UI_GROUP_VIEW, "p", NULL, N_("Show the tenant's RSC state and each chat's app and grant")) \
	X(VIEW_LOG, "view-log", UI_GROUP_VIEW, "L", NULL, N_("Show the message log")) \
	X(VIEW_AUDIT, "view-audit", UI_GROUP_VIEW, "A", NULL, N_("Show the audit trail of writes, newest first")) \
	X(VIEW_CHANGES, "view-changes", UI_GROUP_VIEW, "H", NULL, N_("Show what the refreshes saw change, newest first")) \
	X(PROMPT, "prompt", UI_GROUP_VIEW, ":", NULL, N_("Enter a command (listed below)")) \
	X(FILTER, "edit-filter", UI_GROUP_VIEW, "/", NULL, \
	  N_("Filter as you type: several words must all match, !word excludes")) \
	X(STATE_FILTER, "state-filter", UI_GROUP_VIEW, "f", NULL, \
	  N_("Chats: all, open, inactive, not syncing, at risk; RSC: lacking the app")) \
	X(SORT, "sort", UI_GROUP_VIEW, "s", NULL, N_("Sort by the next column (marked in the header)")) \
	X(SORT_REVERSE, "sort-reverse", UI_GROUP_VIEW, "S", NULL, N_("Reverse the sort")) \
	X(RELOAD, "reload", UI_GROUP_ACTION, "R", NULL, N_("Re-read the cache and diagnose again")) \
	X(REFRESH, "refresh", UI_GROUP_ACTION, "r", NULL, N_("Refresh the cache from Graph and Dataverse")) \
	X(TOGGLE_SYNC, "toggle-sync", UI_GROUP_ACTION, "t", NULL, N_("Environments: turn chat sync on or off")) \
	X(SCREEN_REDRAW, "screen-redraw", UI_GROUP_ACTION, "<C-l>", NULL, N_("Redraw the screen"))

#define UI_REQ_ENUM_(name, id, group, key1, key2, help) UI_REQ_##name,
enum ui_request { UI_REQ_NONE = -1, UI_REQ_LIST(UI_REQ_ENUM_) UI_REQ_COUNT };
#undef UI_REQ_ENUM_

struct ui_request_info {
	enum ui_request request;
	const char *name;         /* "move-up": used in messages */
	enum ui_req_group group;
	const char *keys[2];      /* key names; keys[1] may be NULL */
	const char *help;         /* untranslated (N_); translate at display */
};

/* The `:` commands, one table like the requests (the help screen, README and the man page list
 * them from here). Any request name is a command too (":toggle-sync", ":quit").
 * X(NAME, "name", argument (N_) or NULL, the argument is optional, help (N_)) */
#define UI_CMD_LIST(X) \
	X(QUIT, "q", NULL, false, N_("Quit")) \
	X(ENVS, "envs", NULL, false, N_("Show the environments")) \
	X(CHATS, "chats", N_("ENV"), true, N_("Show the chats of ENV (name or id), or of every environment")) \
	X(ENV, "env", N_("ENV"), false, N_("Show the chats of ENV (as :chats ENV)")) \
	X(CHAT, "chat", N_("ID"), false, N_("Diagnose a chat (chat id, activity id, or a prefix)")) \
	X(RSC, "rsc", NULL, false, N_("Show the tenant's RSC state and each chat's app and grant")) \
	X(LOG, "log", NULL, false, N_("Show the message log")) \
	X(AUDIT, "audit", NULL, false, N_("Show the audit trail of writes, newest first")) \
	X(CHANGES, "changes", NULL, false, N_("Show what the refreshes saw change, newest first")) \
	X(PROFILE, "profile", N_("NAME"), false, N_("Switch to another profile's cache (not during a refresh)")) \
	X(REFRESH, "refresh", NULL, false, N_("Refresh the cache from Graph and Dataverse")) \
	X(FILTER, "filter", N_("TEXT"), true, N_("Filter the view; without TEXT, show everything")) \
	X(SORT, "sort", N_("COLUMN"), false, N_("Sort by COLUMN (its header); again to reverse")) \
	X(SAVE_DISPLAY, "save-display", N_("FILE"), false, N_("Write the screen as text to FILE")) \
	X(HELP, "help", NULL, false, N_("Show this help"))

#define UI_CMD_ENUM_(name, id, arg, optional, help) UI_CMD_##name,
enum ui_cmd { UI_CMD_LIST(UI_CMD_ENUM_) UI_CMD_COUNT };
#undef UI_CMD_ENUM_

struct ui_cmd_info {
	enum ui_cmd cmd;
	const char *name;
	const char *arg;    /* untranslated; NULL: takes none */
	bool optional;      /* the argument may be left out */
	const char *help;   /* untranslated */
};

/* The entry of one command; NULL when out of range. */
const struct ui_cmd_info *ui_cmd_info(size_t i);
/* The command called name (also "quit", "q!", "qa"); -1 when none. */
int ui_cmd_parse(const char *name);

/* Writes the keys and commands, as README's table ("markdown") or the man page's CONSOLE
 * section ("man"), so both are generated from these tables (tests/ui/test_keydoc.sh compares). */
void ui_request_doc(FILE *out, const char *format);

/* The entry of one request; NULL when out of range. */
const struct ui_request_info *ui_request_info(enum ui_request req);
/* The request a key (as from ui_key_parse) is bound to, or UI_REQ_NONE. */
enum ui_request ui_request_for_key(int key);
/* The request called name, or UI_REQ_NONE. */
enum ui_request ui_request_parse(const char *name);
/* Translated title of a help group. */
const char *ui_req_group_title(enum ui_req_group group);

#endif
