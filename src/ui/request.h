/* The console's requests, declared once (tig's REQ_ idea): the same table gives the enum, the key
 * bindings, the names used in messages and the `?` help screen, so nothing is kept in sync by hand.
 * No curses here: keys are written as names ("j", "<Down>", "<C-d>") and parsed by keys.h. */
#ifndef CHATSYNC_UI_REQUEST_H
#define CHATSYNC_UI_REQUEST_H
#include <stddef.h>

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
	X(ENTER, "enter", UI_GROUP_VIEW, "<Enter>", "<Right>", N_("Open the selection: its chats or its diagnosis")) \
	X(BACK, "back", UI_GROUP_VIEW, "<Esc>", "<Left>", N_("Go back to the previous view")) \
	X(VIEW_CLOSE, "view-close", UI_GROUP_VIEW, "q", NULL, N_("Close the view; quit on the first view")) \
	X(QUIT, "quit", UI_GROUP_VIEW, "Q", NULL, N_("Quit at once")) \
	X(VIEW_HELP, "view-help", UI_GROUP_VIEW, "?", "<F1>", N_("Show this help")) \
	X(VIEW_ALL_CHATS, "view-all-chats", UI_GROUP_VIEW, "c", NULL, N_("Show the chats of every environment")) \
	X(PROMPT, "prompt", UI_GROUP_VIEW, ":", NULL, N_("Enter a command (listed below)")) \
	X(FILTER, "edit-filter", UI_GROUP_VIEW, "/", NULL, N_("Filter by text (in a diagnosis: search)")) \
	X(STATE_FILTER, "state-filter", UI_GROUP_VIEW, "f", NULL, \
	  N_("Chats: show all, open, inactive, not syncing, at risk")) \
	X(SORT, "sort", UI_GROUP_VIEW, "s", NULL, N_("Chats: sort by idle time, verdict, subject, state")) \
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

/* The entry of one request; NULL when out of range. */
const struct ui_request_info *ui_request_info(enum ui_request req);
/* The request a key (as from ui_key_parse) is bound to, or UI_REQ_NONE. */
enum ui_request ui_request_for_key(int key);
/* The request called name, or UI_REQ_NONE. */
enum ui_request ui_request_parse(const char *name);
/* Translated title of a help group. */
const char *ui_req_group_title(enum ui_req_group group);

#endif
