/* The console's views and the small interface each implements (tig's struct view_ops): open,
 * draw a row, handle a request, filter. A view only writes what differs; moving, scrolling,
 * drawing, the title and the status line are the loop's (ui.c, screen.c). A view never calls into
 * the loop: its request handler answers what should happen next (struct ui_action, as htop's
 * handlers return a result) and the loop does it. Internal to src/ui/. */
#ifndef CHATSYNC_UI_VIEW_H
#define CHATSYNC_UI_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "base/xalloc.h"
#include "base/timefmt.h"
#include "ui/data.h"
#include "ui/layout.h"
#include "ui/loader.h"
#include "ui/request.h"
#include "ui/ui.h"
#include "ui/worker.h"

struct view;

#define VIEW_MAX_COLUMNS 10
#define VIEW_SCRATCH 64

/* One row as a view hands it to the drawer. Cell texts are borrowed until the next row. */
struct view_row {
	struct ui_cell cells[VIEW_MAX_COLUMNS];
	char scratch[VIEW_MAX_COLUMNS][VIEW_SCRATCH]; /* room for formatted cells */
	bool span;          /* cells[0] takes the whole line (headings, text) */
};

/* What a request handler answers: what the loop should do next. */
enum ui_act {
	UI_ACT_PASS = 0,    /* not the view's: the loop's default for the request */
	UI_ACT_DONE,        /* handled, nothing more */
	UI_ACT_OPEN,        /* open view (arg) over this one, or go back to it if on the stack */
	UI_ACT_BACK,        /* close the top view (quit on the first) */
	UI_ACT_QUIT,
	UI_ACT_TOGGLE,      /* turn sync of environment arg to want, on the worker */
	UI_ACT_REFRESH,     /* start a refresh on the worker */
	UI_ACT_RELOAD,      /* re-read the cache */
	UI_ACT_PROFILE,     /* switch to profile arg's cache */
	UI_ACT_FILTER,      /* set the top view's filter to arg (NULL: none) */
	UI_ACT_SORT,        /* sort the top view by the column headed arg */
	UI_ACT_SAVE,        /* write the screen as text to file arg */
	UI_ACT_REQUEST,     /* run request req as if its key was pressed */
};

struct ui_action {
	enum ui_act act;
	const struct view_ops *view;
	const char *arg;    /* borrowed: the loop uses it before anything else changes */
	bool want;
	enum ui_request req;
};

#define UI_ACTION(a) ((struct ui_action){ .act = (a) })
#define UI_OPEN(ops, a) ((struct ui_action){ .act = UI_ACT_OPEN, .view = (ops), .arg = (a) })

/* Why a view is asked to update. */
enum view_update {
	VIEW_UPDATE_SAVE,       /* the data is about to be replaced: remember the selection by key */
	VIEW_UPDATE_RELOADED,   /* the data was replaced (or the reload failed and kept it) */
	VIEW_UPDATE_RESIZE,     /* the terminal changed size */
	VIEW_UPDATE_LOG,        /* a message was added to the log */
};

enum view_flags {
	VIEW_SCROLL = 1,    /* a page of text: moving scrolls it, no cursor line */
	VIEW_CHATS = 2,     /* lists chats: empty, saying so, until they are loaded */
};

struct view_ops {
	const char *name;   /* untranslated (N_); also what breadcrumbs say */
	const char *empty;  /* untranslated: what an empty view says, NULL for a plain "nothing to show" */
	unsigned flags;
	/* Loads the view for arg (an environment id, a chat key, or NULL). Fills err on failure. */
	int (*open)(struct view *v, const char *arg, struct cs_error *err);
	void (*row)(struct view *v, size_t lineno, struct view_row *out);
	/* View-specific requests; UI_ACT_PASS leaves the request to the loop. */
	struct ui_action (*request)(struct view *v, enum ui_request req);
	/* Applies v->filter (NULL or "" for none); NULL when the view has no filter. */
	void (*filter)(struct view *v);
	/* Keeps the view current (see enum view_update), holding the selection on the same item. */
	void (*update)(struct view *v, enum view_update why);
	/* Widest content of each column, for the layout; NULL: take the columns' max. */
	void (*want)(struct view *v, int *want);
	/* Extra words for the status line (sort, state filter); may return NULL. */
	const char *(*describe)(struct view *v);
	/* Sorts by column col (index into v->columns); the same again reverses. NULL: no sorting. */
	void (*sort)(struct view *v, int col);
	void (*done)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct ui *ui;
	void *priv;
	char *arg;          /* owned: what it was opened for (finds it on the stack again) */
	const struct ui_column *columns; /* NULL: one text column */
	size_t n_columns;
	int sort_col;       /* the sorted column, -1 none */
	bool sort_reverse;
	size_t lines;       /* rows the view has (after filtering) */
	size_t lineno;      /* the selected row (VIEW_SCROLL: the first row shown) */
	size_t offset;      /* the first row shown */
	int height, width;  /* rows available for lines, and columns */
	char *filter;       /* owned; NULL none */
	char *title;        /* owned; what the title bar names ("Chats: sales") */
};

/* Lines of text with their colour slots: the page of a text view (diagnosis, message log). */
struct view_text {
	char **lines;
	int *slots;
	size_t n, cap;
};
void view_text_add(struct view_text *t, char *line, int slot); /* takes line */
void view_text_clear(struct view_text *t);
/* Bytes of the longest start of s that fits width columns, ending after a space when one is in its
 * second half; at least one character. */
size_t view_text_fit(const char *s, int width);

/* The action of a ":" command line (without the ":"); arg points into line. Problems go to the
 * status line and answer UI_ACT_DONE. */
struct ui_action ui_command_parse(struct ui *ui, char *line);

/* One entry of the message log. */
struct ui_msg {
	cs_time at;
	int slot;           /* UI_COLOR_STATUS (notice), UI_COLOR_STATUS_WARN or UI_COLOR_STATUS_ERROR */
	char *text;
};

enum ui_mode {
	UI_MODE_NORMAL,
	UI_MODE_COMMAND,    /* typing after ":" */
	UI_MODE_FILTER,     /* typing after "/": the filter follows each key */
	UI_MODE_ASK,        /* a question of the worker: y/N, a name, a passphrase */
	UI_MODE_DEVICE,     /* a device-code sign-in: the code on screen until it goes on */
};

#define UI_HISTORY 50

/* A message that waits for the data being loaded: it says what the new data shows. */
enum ui_after { UI_AFTER_TEXT, UI_AFTER_REREAD, UI_AFTER_REFRESHED, UI_AFTER_PROFILE };
struct ui_after_load {
	enum ui_after kind;
	int slot;
	char *text;         /* UI_AFTER_TEXT: the message; UI_AFTER_PROFILE: the profile's name */
};

/* The console. One per ui_run. */
struct ui {
	const struct ui_config *cfg;
	struct cache *cache;          /* the loop's connection (cfg->session->cache, or a :profile's) */
	const struct conf_profile *profile;
	char *cache_path;             /* owned when a :profile switched it */
	struct ui_data data;
	struct ui_loader *loader;     /* the chats being read and diagnosed, NULL when none */
	bool load_again;              /* asked to load while the loader ran: once more after it */
	struct ui_after_load *after;  /* messages posted when the loader's data is in */
	size_t n_after;
	cs_time diagnosed_at;         /* the time the verdicts shown were worked out for */
	long load_started_ms, load_ms, loaded_ms; /* monotonic: the last load's start, length and end */
	struct view **stack;
	size_t depth, cap;
	struct ui_msg *log;           /* every message of the session, oldest first */
	size_t n_log;
	char *message;                /* the status line's message (the latest), owned; NULL after a key */
	int message_slot;
	bool quit;
	bool use_color;
	bool dirty;                   /* something changed: draw on this turn */
	char *progress;               /* the worker's latest line, owned, NULL when idle */
	struct worker *worker;        /* the work running, NULL when none */
	enum ui_mode mode;
	struct buf line;              /* the text being typed (COMMAND, FILTER, ASK name/passphrase) */
	char *filter_before;          /* FILTER: the filter to restore on Esc */
	char *history[UI_HISTORY];    /* ":" lines, oldest first */
	size_t n_history, history_at;
	enum worker_ask ask;
	struct worker_plan plan;
	char *ask_what;
	char *device_msg, *device_code, *device_uri;
	long started_ms;              /* monotonic time of start: the clock advances from cfg->now */
	cs_time start_now;
};

extern const struct view_ops view_envs_ops, view_chats_ops, view_diag_ops, view_help_ops, view_log_ops,
	view_rsc_ops, view_audit_ops, view_changes_ops;

/* The view on top, NULL when none. */
struct view *ui_top(struct ui *ui);
/* Tells every view on the stack why it should update (enum view_update). */
void ui_notify(struct ui *ui, enum view_update why);
/* Sets the status line message and adds it to the message log (and the log file); slot is
 * UI_COLOR_STATUS, UI_COLOR_STATUS_WARN or UI_COLOR_STATUS_ERROR. */
void ui_message(struct ui *ui, int slot, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Formats a cell into out->scratch[col] and points the cell at it, cut at a character boundary
 * when it does not fit (a cut UTF-8 sequence would reach the terminal as garbage). */
void view_scratch(struct view_row *out, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Keeps v's selection and offset within its lines and on screen. */
void view_clamp(struct view *v);
/* Moves v's selection to row (clamped) and scrolls to show it. */
void view_select(struct view *v, size_t row);
/* An age as the tables show it, short and whole: "42s", "5m12s", "3h05m", "5d21h". */
char *view_age(cs_time then, cs_time now, char *buf, size_t n);
/* Whether a row passes the filter: every term must be in one of the fields, and no "!term". */
bool view_filter_match(const char *filter, const char *const *fields, size_t n);
/* The filter's terms, parsed and folded once (for a view that matches many rows per key). */
struct view_term {
	char *text;         /* without its "!" */
	char *folded;       /* ui_text_fold(text) */
	bool negate;
};
struct view_filter {
	struct view_term *terms;
	size_t n;
};
void view_filter_parse(struct view_filter *f, const char *text);
void view_filter_free(struct view_filter *f);
/* Whether every row filter now matches is matched by filter before too (now only adds to before's
 * terms or lengthens its last word), so a search may look only at before's matches. */
bool view_filter_narrows(const char *before, const char *now);
/* What a view that lists chats says while they are not in (being loaded, or the load failed). */
const char *view_chats_wait(const struct ui *ui);

#endif
