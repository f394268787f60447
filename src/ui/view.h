/* The console's views and the small interface each implements (tig's struct view_ops): open,
 * draw a row, handle a request, filter. A view only writes what differs; moving, scrolling,
 * drawing, the title and the status line are the loop's (ui.c, screen.c). Internal to src/ui/. */
#ifndef CHATSYNC_UI_VIEW_H
#define CHATSYNC_UI_VIEW_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "ui/data.h"
#include "ui/layout.h"
#include "ui/request.h"

struct cli_context;
struct view;

#define VIEW_MAX_COLUMNS 10
#define VIEW_SCRATCH 64
#define UI_MAX_VIEWS 8

/* One row as a view hands it to the drawer. Cell texts are borrowed until the next row. */
struct view_row {
	struct ui_cell cells[VIEW_MAX_COLUMNS];
	char scratch[VIEW_MAX_COLUMNS][VIEW_SCRATCH]; /* room for formatted cells */
	bool span;          /* cells[0] takes the whole line (headings, text) */
};

/* Request handlers return one of these. */
enum view_result { VIEW_UNHANDLED = 0, VIEW_HANDLED };

/* Why a view is asked to update. */
enum view_update {
	VIEW_UPDATE_SAVE,       /* the data is about to be replaced: remember the selection by key */
	VIEW_UPDATE_RELOADED,   /* the data was replaced (or the reload failed and kept it) */
	VIEW_UPDATE_VERDICTS,   /* more verdicts came in */
	VIEW_UPDATE_RESIZE,     /* the terminal changed size */
};

enum view_flags {
	VIEW_SCROLL = 1,    /* a page of text: moving scrolls it, no cursor line */
};

struct view_ops {
	const char *name;   /* untranslated (N_) */
	const char *empty;  /* untranslated: what an empty view says, NULL for a plain "nothing to show" */
	unsigned flags;
	/* Loads the view for arg (an environment id, a chat key, or NULL). Fills err on failure. */
	int (*open)(struct view *v, const char *arg, struct cs_error *err);
	void (*row)(struct view *v, size_t lineno, struct view_row *out);
	/* View-specific requests; VIEW_UNHANDLED leaves the request to the loop. */
	enum view_result (*request)(struct view *v, enum ui_request req);
	/* Applies v->filter (NULL or "" for none); NULL when the view has no filter. */
	void (*filter)(struct view *v);
	/* Keeps the view current (see enum view_update), holding the selection on the same item. */
	void (*update)(struct view *v, enum view_update why);
	/* Widest content of each column, for the layout; NULL: take the columns' max. */
	void (*want)(struct view *v, int *want);
	/* Extra words for the status line (sort, state filter); may return NULL. */
	const char *(*describe)(struct view *v);
	void (*done)(struct view *v);
};

struct view {
	const struct view_ops *ops;
	struct ui *ui;
	void *priv;
	const struct ui_column *columns; /* NULL: one text column */
	size_t n_columns;
	size_t lines;       /* rows the view has (after filtering) */
	size_t lineno;      /* the selected row (VIEW_SCROLL: the first row shown) */
	size_t offset;      /* the first row shown */
	int height, width;  /* rows available for lines, and columns */
	char *filter;       /* owned; NULL none */
	char *title;        /* owned; what the title bar names ("Chats: sales") */
};

/* The console. One per ui_run. */
struct ui {
	struct cli_context *ctx;
	struct ui_data data;
	struct view *stack[UI_MAX_VIEWS];
	size_t depth;
	char *message;      /* the status line's last message, owned */
	int message_slot;
	bool quit;
	bool use_color;
	char *progress;     /* the refresh hook's latest line, owned, NULL when idle */
	struct refresh_job *refresh; /* the refresh running on its worker thread, NULL when none */
};

extern const struct view_ops view_envs_ops, view_chats_ops, view_diag_ops, view_help_ops;

/* The view on top. */
struct view *ui_top(struct ui *ui);
/* Opens a view over the current one; on failure the message says why and -1 is returned. */
int ui_open_view(struct ui *ui, const struct view_ops *ops, const char *arg);
/* Sets the status line message (slot: UI_COLOR_STATUS or UI_COLOR_STATUS_ERROR). */
void ui_message(struct ui *ui, int slot, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Runs one request as if its key was pressed. */
void ui_do_request(struct ui *ui, enum ui_request req);
/* Sets the filter of the top view (NULL or "" clears it). */
void ui_set_filter(struct ui *ui, const char *text);
/* Takes a new terminal size: every view is fitted again. */
void ui_resized(struct ui *ui);
/* Asks to turn sync of e on or off through the toggle hook, after a confirmation. */
void ui_toggle_sync(struct ui *ui, const struct ui_env *e);
/* Formats a cell into out->scratch[col] and points the cell at it, cut at a character boundary
 * when it does not fit (a cut UTF-8 sequence would reach the terminal as garbage). */
void view_scratch(struct view_row *out, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Keeps v's selection and offset within its lines and on screen. */
void view_clamp(struct view *v);
/* Moves v's selection to row (clamped) and scrolls to show it. */
void view_select(struct view *v, size_t row);

#endif
