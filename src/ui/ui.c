/* The event loop (htop's ScreenManager_run): one loop reads a key, hands it to the mode it is in
 * (the views, a ":" or "/" line, a question, a sign-in), and does what the answer says: views
 * answer a struct ui_action instead of calling back in. Between keys it takes the worker's news,
 * moves the clock, and diagnoses the chats a slice at a time, so nothing stops while one types. */
#include "config.h"
#include "ui/ui.h"
#include "ui/colors.h"
#include "ui/input.h"
#include "ui/keys.h"
#include "ui/prompt.h"
#include "ui/reload.h"
#include "ui/screen.h"
#include "ui/view.h"
#include "ui/worker.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "store/cache.h"
#include "store/history.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* How often the loop looks whether the loader is done while it reads, and redraws its progress. */
#define LOADER_POLL_MS 10
#define PROGRESS_MS 100
/* Verdicts that the clock moves are worked out again after at least this many times the last load's
 * length. */
#define CLOCK_LOAD_SPACING 10
/* How often verdicts are worked out again at the latest (facts grow stale as the clock moves). */
#define REDIAGNOSE_S 600
/* A cache older than this is refreshed when the console opens. */
#define STALE_S (24 * 3600)

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The console's clock: the start time given (or the system's), advancing in real time. */
static cs_time clock_now(const struct ui *ui)
{
	return ui->start_now + (cs_time)((now_ms() - ui->started_ms) / 1000);
}

static void close_view(struct ui *ui)
{
	struct view *v = ui->stack[--ui->depth];
	if (v->ops->done)
		v->ops->done(v);
	free(v->title);
	free(v->filter);
	free(v->arg);
	free(v);
	ui->dirty = true;
}

static bool same_arg(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Opens a view over the current one; one already on the stack is returned to instead (the views
 * above it close), so the stack never fills. */
static int open_view(struct ui *ui, const struct view_ops *ops, const char *arg)
{
	for (size_t i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops == ops && same_arg(ui->stack[i]->arg, arg)) {
			while (ui->depth > i + 1)
				close_view(ui);
			return 0;
		}
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->ui = ui;
	v->sort_col = -1;
	screen_fit(v);
	struct cs_error err = { 0 };
	if (ops->open(v, arg, &err)) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		free(v->title);
		free(v);
		return -1;
	}
	v->arg = arg ? xstrdup(arg) : NULL;
	if (!v->title)
		v->title = xstrdup(_(ops->name));
	screen_fit(v); /* the header line depends on the columns open chose */
	view_clamp(v);
	if (ui->depth == ui->cap) {
		ui->cap = ui->cap ? ui->cap * 2 : 8;
		ui->stack = xrealloc(ui->stack, ui->cap * sizeof *ui->stack);
	}
	ui->stack[ui->depth++] = v;
	ui->dirty = true;
	return 0;
}

static void resized(struct ui *ui)
{
	for (size_t i = 0; i < ui->depth; i++) {
		struct view *v = ui->stack[i];
		screen_fit(v);
		if (v->ops->update)
			v->ops->update(v, VIEW_UPDATE_RESIZE);
		view_clamp(v);
	}
	ui->dirty = true;
}

static void start_work(struct ui *ui, enum worker_kind kind, const char *env, bool want)
{
	struct cs_error err = { 0 };
	ui->worker = worker_start(ui->cfg, ui->profile, ui->cache_path, kind, env, want, &err);
	if (!ui->worker) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		return;
	}
	free(ui->progress);
	ui->progress = xstrdup(kind == WORKER_REFRESH ? _("refreshing…") : _("reading the environment again…"));
	ui->dirty = true;
}

static void refresh_start(struct ui *ui)
{
	if (!ui->profile) {
		ui_message(ui, UI_COLOR_STATUS, "%s",
			   _("no profile: refresh in a shell with chatsync -p PROFILE refresh, then press R here"));
		return;
	}
	if (ui->worker) {
		ui_message(ui, UI_COLOR_STATUS, "%s",
			   worker_kind(ui->worker) == WORKER_REFRESH ? _("a refresh is already running")
								   : _("the sync toggle is still running"));
		return;
	}
	start_work(ui, WORKER_REFRESH, NULL, false);
}

static void toggle_start(struct ui *ui, const char *env_key)
{
	size_t i = ui_data_find_env(&ui->data, env_key);
	const struct ui_env *e = i == UI_NO_ENV ? NULL : &ui->data.envs[i];
	if (!e) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("no environment selected"));
	} else if (ui->cfg->readonly) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s",
			   _("read-only: profile readonly = true or --readonly (nothing was changed)"));
	} else if (!ui->cfg->toggle || !ui->profile) {
		ui_message(ui, UI_COLOR_STATUS, _("to turn sync on or off, run: chatsync sync %s on|off"), e->name);
	} else if (ui->worker) {
		ui_message(ui, UI_COLOR_STATUS, "%s",
			   worker_kind(ui->worker) == WORKER_REFRESH
				   ? _("a refresh is running: t works when it has ended")
				   : _("the sync toggle is already running"));
	} else if (e->env.sync_enabled == CS_UNKNOWN) {
		ui_message(ui, UI_COLOR_STATUS_ERROR,
			   _("the sync setting of %s is not known yet (press r to refresh)"), e->name);
	} else {
		start_work(ui, WORKER_TOGGLE, e->env.unique_name ? e->env.unique_name : e->env.id,
			   e->env.sync_enabled != CS_TRUE);
	}
}

static void profile_switch(struct ui *ui, const char *name)
{
	if (ui->worker) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("a refresh or toggle is running: :profile waits until it ends"));
		return;
	}
	struct cs_error err = { 0 };
	const struct conf_profile *p = conf_profile(&ui->cfg->session->conf, name, &err);
	if (!p) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		return;
	}
	char *path = cache_default_path(p->name);
	struct cache *c = cache_open(path, 0, &err);
	if (!c) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		free(path);
		return;
	}
	if (ui->cache != ui->cfg->session->cache)
		cache_close(ui->cache);
	free(ui->cache_path);
	ui->cache = c;
	ui->cache_path = path;
	ui->profile = p;
	while (ui->depth > 1)
		close_view(ui);
	/* What is being read is the other profile's: the new cache's environments show at once. */
	ui_load_stop(ui);
	ui_after_load(ui, UI_AFTER_PROFILE, UI_COLOR_STATUS, xstrdup(p->name));
	if (ui_open_data(ui, clock_now(ui), ui->data.seen, &err)) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		ui_post_after(ui);
	}
}

static void set_filter(struct ui *ui, struct view *v, const char *text)
{
	free(v->filter);
	v->filter = text && *text ? xstrdup(text) : NULL;
	v->ops->filter(v);
	ui->dirty = true;
}

static void sort_by_name(struct ui *ui, struct view *v, const char *name)
{
	for (size_t i = 0; v->columns && i < v->n_columns; i++)
		if (strcasecmp(_(v->columns[i].header), name) == 0 || strcasecmp(v->columns[i].header, name) == 0) {
			v->ops->sort(v, (int)i);
			ui_message(ui, UI_COLOR_STATUS, _("sorted by %s%s"), _(v->columns[i].header),
				   v->sort_reverse ? _(", reversed") : "");
			return;
		}
	ui_message(ui, UI_COLOR_STATUS_ERROR, _("no column \"%s\" here (the headers name them)"), name);
}

static void do_request(struct ui *ui, enum ui_request req);

static void do_action(struct ui *ui, struct ui_action a)
{
	struct view *v = ui_top(ui);
	struct cs_error err = { 0 };
	switch (a.act) {
	case UI_ACT_OPEN: open_view(ui, a.view, a.arg); break;
	case UI_ACT_BACK:
		if (ui->depth > 1)
			close_view(ui);
		else
			ui->quit = true;
		break;
	case UI_ACT_QUIT: ui->quit = true; break;
	case UI_ACT_TOGGLE: toggle_start(ui, a.arg); break;
	case UI_ACT_REFRESH: refresh_start(ui); break;
	case UI_ACT_RELOAD: ui_reload(ui, clock_now(ui), false); break;
	case UI_ACT_PROFILE: profile_switch(ui, a.arg); break;
	case UI_ACT_FILTER:
		if (v && v->ops->filter)
			set_filter(ui, v, a.arg);
		else
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("this view has no filter"));
		break;
	case UI_ACT_SORT:
		if (v && v->ops->sort)
			sort_by_name(ui, v, a.arg);
		else
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("this view has no columns to sort"));
		break;
	case UI_ACT_SAVE:
		/* The screen is saved as the view shows it, not with this command line in it. */
		ui->mode = UI_MODE_NORMAL;
		screen_draw(ui);
		if (screen_save(a.arg, &err))
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		else
			ui_message(ui, UI_COLOR_STATUS, _("screen saved to %s"), a.arg);
		break;
	case UI_ACT_REQUEST: do_request(ui, a.req); break;
	default: break;
	}
	ui->dirty = true;
}

static void move(struct view *v, enum ui_request req)
{
	size_t h = v->height > 1 ? (size_t)v->height : 1;
	bool scroll = v->ops->flags & VIEW_SCROLL;
	size_t *at = scroll ? &v->offset : &v->lineno;
	size_t step = req == UI_REQ_MOVE_PAGE_UP || req == UI_REQ_MOVE_PAGE_DOWN ? h
		    : req == UI_REQ_MOVE_HALF_UP || req == UI_REQ_MOVE_HALF_DOWN ? (h + 1) / 2 : 1;
	switch (req) {
	case UI_REQ_MOVE_UP:
	case UI_REQ_MOVE_PAGE_UP:
	case UI_REQ_MOVE_HALF_UP:
		*at = *at > step ? *at - step : 0;
		/* A page up moves the page with the cursor, as in less and tig. */
		if (!scroll && step > 1)
			v->offset = v->offset > step ? v->offset - step : 0;
		break;
	case UI_REQ_MOVE_DOWN:
	case UI_REQ_MOVE_PAGE_DOWN:
	case UI_REQ_MOVE_HALF_DOWN:
		*at += step;
		if (!scroll && step > 1)
			v->offset += step;
		if (v->lines && *at >= v->lines)
			*at = v->lines - 1;
		break;
	case UI_REQ_MOVE_FIRST: *at = 0; break;
	case UI_REQ_MOVE_LAST: *at = v->lines ? v->lines - 1 : 0; break;
	default: break;
	}
	if (scroll)
		v->lineno = v->offset;
	view_clamp(v);
}

/* n and N: the next (or previous) line whose cells match the filter's terms. */
static void find(struct ui *ui, struct view *v, int dir)
{
	if (!v->filter) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("no filter to match (/ sets one)"));
		return;
	}
	for (size_t k = 1; k <= v->lines; k++) {
		size_t i = dir > 0 ? (v->lineno + k) % v->lines : (v->lineno + v->lines - k % v->lines) % v->lines;
		struct view_row r;
		memset(&r, 0, sizeof r);
		v->ops->row(v, i, &r);
		const char *fields[VIEW_MAX_COLUMNS];
		size_t n = r.span || !v->columns ? 1 : v->n_columns;
		for (size_t c = 0; c < n; c++)
			fields[c] = r.cells[c].text;
		if (view_filter_match(v->filter, fields, n)) {
			view_select(v, i);
			return;
		}
	}
	ui_message(ui, UI_COLOR_STATUS_ERROR, _("\"%s\" matches no other line"), v->filter);
}

static void do_request(struct ui *ui, enum ui_request req)
{
	struct view *v = ui_top(ui);
	if (!v)
		return;
	if (v->ops->request) {
		struct ui_action a = v->ops->request(v, req);
		if (a.act != UI_ACT_PASS) {
			do_action(ui, a);
			return;
		}
	}
	switch (req) {
	case UI_REQ_MOVE_UP: case UI_REQ_MOVE_DOWN: case UI_REQ_MOVE_PAGE_UP: case UI_REQ_MOVE_PAGE_DOWN:
	case UI_REQ_MOVE_HALF_UP: case UI_REQ_MOVE_HALF_DOWN: case UI_REQ_MOVE_FIRST: case UI_REQ_MOVE_LAST:
		move(v, req);
		break;
	case UI_REQ_FIND_NEXT: find(ui, v, 1); break;
	case UI_REQ_FIND_PREV: find(ui, v, -1); break;
	case UI_REQ_ENTER: break; /* nothing opens from here (help, diagnosis) */
	case UI_REQ_BACK:
		/* Esc clears the filter before it leaves the view. */
		if (v->filter && v->ops->filter) {
			set_filter(ui, v, NULL);
			ui_message(ui, UI_COLOR_STATUS, "%s", _("filter cleared"));
		} else if (ui->depth > 1) {
			close_view(ui);
		} else {
			ui_message(ui, UI_COLOR_STATUS, "%s", _("this is the first view (q quits)"));
		}
		break;
	case UI_REQ_VIEW_CLOSE: do_action(ui, UI_ACTION(UI_ACT_BACK)); break;
	case UI_REQ_QUIT: ui->quit = true; break;
	case UI_REQ_VIEW_HELP:
		if (v->ops == &view_help_ops)
			close_view(ui);
		else
			open_view(ui, &view_help_ops, NULL);
		break;
	case UI_REQ_VIEW_ALL_CHATS: open_view(ui, &view_chats_ops, NULL); break;
	case UI_REQ_VIEW_RSC: open_view(ui, &view_rsc_ops, NULL); break;
	case UI_REQ_VIEW_LOG: open_view(ui, &view_log_ops, NULL); break;
	case UI_REQ_VIEW_AUDIT: open_view(ui, &view_audit_ops, NULL); break;
	case UI_REQ_VIEW_CHANGES: open_view(ui, &view_changes_ops, NULL); break;
	case UI_REQ_PROMPT:
		ui->mode = UI_MODE_COMMAND;
		line_reset(ui);
		break;
	case UI_REQ_FILTER:
		if (!v->ops->filter) {
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("this view has no filter"));
			break;
		}
		ui->mode = UI_MODE_FILTER;
		line_reset(ui);
		free(ui->filter_before);
		ui->filter_before = v->filter ? xstrdup(v->filter) : NULL;
		break;
	case UI_REQ_STATE_FILTER:
		ui_message(ui, UI_COLOR_STATUS, "%s", _("f works in a chats view (Enter on an environment, or c) and in RSC"));
		break;
	case UI_REQ_SORT:
	case UI_REQ_SORT_REVERSE:
		if (!v->ops->sort || !v->n_columns) {
			ui_message(ui, UI_COLOR_STATUS, "%s", _("this view has no columns to sort"));
			break;
		}
		v->ops->sort(v, req == UI_REQ_SORT_REVERSE ? (v->sort_col < 0 ? 0 : v->sort_col)
							 : (int)((size_t)(v->sort_col + 1) % v->n_columns));
		ui_message(ui, UI_COLOR_STATUS, _("sorted by %s%s"), _(v->columns[v->sort_col].header),
			   v->sort_reverse ? _(", reversed") : "");
		break;
	case UI_REQ_TOGGLE_SYNC:
		ui_message(ui, UI_COLOR_STATUS, "%s", _("t works in the environments view, on the selected environment"));
		break;
	case UI_REQ_RELOAD: ui_reload(ui, clock_now(ui), false); break;
	case UI_REQ_REFRESH: refresh_start(ui); break;
	case UI_REQ_SCREEN_REDRAW: screen_force_redraw(); break;
	default: break;
	}
	ui->dirty = true;
}

/* Keys while a ":" or "/" line is typed. */
static void line_mode_key(struct ui *ui, int key)
{
	bool command = ui->mode == UI_MODE_COMMAND;
	struct view *v = ui_top(ui);
	enum line_result r = line_key(ui, key, command);
	if (r == LINE_EDITING)
		return;
	if (!command) {
		/* The filter follows every key; Esc puts the one before back. */
		if (r == LINE_CHANGED || r == LINE_DONE)
			set_filter(ui, v, ui->line.data);
		else
			set_filter(ui, v, ui->filter_before);
		if (r == LINE_DONE && v->filter && !(v->ops->flags & VIEW_SCROLL))
			ui_message(ui, UI_COLOR_STATUS,
				   ngettext("%zu line matches \"%s\"", "%zu lines match \"%s\"", v->lines), v->lines,
				   v->filter);
		if (r == LINE_DONE || r == LINE_CANCEL)
			ui->mode = UI_MODE_NORMAL;
		return;
	}
	if (r == LINE_CHANGED)
		return;
	ui->mode = UI_MODE_NORMAL;
	if (r == LINE_DONE) {
		char *text = xstrdup(ui->line.data);
		line_history_add(ui, text);
		do_action(ui, ui_command_parse(ui, text));
		free(text);
	}
}

static void answer(struct ui *ui, int a, const char *text)
{
	worker_answer(ui->worker, a, text);
	ui->mode = UI_MODE_NORMAL;
	ui->ask = WORKER_ASK_NONE;
	line_reset(ui);
}

/* Keys while the worker asks: y/N, the environment's name, or a passphrase. */
static void ask_key(struct ui *ui, int key)
{
	if (ui->ask == WORKER_ASK_CONFIRM) {
		if (key == 'y' || key == 'Y')
			answer(ui, 1, NULL);
		else if (key == 'n' || key == 'N' || key == UI_KEY_ESC || key == UI_KEY_ENTER || key == 'q')
			answer(ui, 0, NULL);
		else
			ui_message(ui, UI_COLOR_STATUS, "%s", _("answer y (make the change) or n (leave it)"));
		return;
	}
	enum line_result r = line_key(ui, key, false);
	if (r == LINE_DONE && ui->ask == WORKER_ASK_NAME)
		answer(ui, ui->plan.env && strcmp(ui->line.data, ui->plan.env) == 0 ? 1 : 0, NULL);
	else if (r == LINE_DONE)
		answer(ui, 1, ui->line.data);
	else if (r == LINE_CANCEL)
		answer(ui, ui->ask == WORKER_ASK_NAME ? 0 : -1, NULL);
}

/* A click selects the row under it or sorts by the header under it; the wheel scrolls three lines. */
static void mouse(struct ui *ui)
{
	struct view *v = ui_top(ui);
	int y, x;
	enum ui_mouse what = ui_input_mouse(&y, &x);
	if (!v)
		return;
	if (what == UI_MOUSE_WHEEL_UP || what == UI_MOUSE_WHEEL_DOWN) {
		for (int i = 0; i < 3; i++)
			move(v, what == UI_MOUSE_WHEEL_UP ? UI_REQ_MOVE_UP : UI_REQ_MOVE_DOWN);
		return;
	}
	int col = y == 1 && v->columns && v->ops->sort ? screen_column_at(x) : -1;
	if (what == UI_MOUSE_CLICK && col >= 0) {
		/* A click on a header sorts by it; again reverses. */
		v->ops->sort(v, col);
		ui_message(ui, UI_COLOR_STATUS, _("sorted by %s%s"), _(v->columns[col].header),
			   v->sort_reverse ? _(", reversed") : "");
		return;
	}
	int row = y - screen_first_row(v);
	if (what != UI_MOUSE_CLICK || row < 0 || row >= v->height || (v->ops->flags & VIEW_SCROLL))
		return;
	size_t at = v->offset + (size_t)row;
	if (at < v->lines)
		view_select(v, at);
}

static void handle_key(struct ui *ui, int key)
{
	ui->dirty = true;
	if (key == ui_key_resize) {
		resized(ui);
		return;
	}
	if (ui->mode == UI_MODE_COMMAND || ui->mode == UI_MODE_FILTER) {
		line_mode_key(ui, key);
		return;
	}
	if (ui->mode == UI_MODE_ASK) {
		ask_key(ui, key);
		return;
	}
	free(ui->message);
	ui->message = NULL;
	if (ui->mode == UI_MODE_DEVICE) {
		if (key == UI_KEY_ESC || key == 'q') {
			worker_cancel(ui->worker);
			ui->mode = UI_MODE_NORMAL;
			ui_message(ui, UI_COLOR_STATUS_WARN, "%s", _("sign-in cancelled"));
		}
		return;
	}
	if (key == UI_INPUT_MOUSE) {
		mouse(ui);
		return;
	}
	if (key == UI_INPUT_UNKNOWN) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("an unknown key sequence does nothing (? lists the keys)"));
		return;
	}
	enum ui_request req = ui_request_for_key(key);
	/* Too small to see anything: only leaving and redrawing make sense. */
	if (screen_too_small() && req != UI_REQ_VIEW_CLOSE && req != UI_REQ_QUIT && req != UI_REQ_BACK &&
	    req != UI_REQ_SCREEN_REDRAW)
		return;
	if (req == UI_REQ_NONE) {
		char name[32];
		ui_message(ui, UI_COLOR_STATUS, _("%s does nothing here (? lists the keys)"),
			   ui_key_name(key, name, sizeof name));
		return;
	}
	do_request(ui, req);
}

static void worker_done(struct ui *ui)
{
	struct cs_error err = { 0 };
	struct toggle_result res = { 0 };
	bool toggle = worker_kind(ui->worker) == WORKER_TOGGLE;
	int rc = worker_join(ui->worker, &err, toggle ? &res : NULL);
	ui->worker = NULL;
	if (ui->mode == UI_MODE_ASK || ui->mode == UI_MODE_DEVICE)
		ui->mode = UI_MODE_NORMAL;
	free(ui->progress);
	ui->progress = NULL;
	/* The write may have put in handlers of its own (the command line's Ctrl-C): take them back. */
	ui_input_signals();
	/* The result is told once the cache's new state is on screen. */
	if (!toggle && rc)
		ui_after_load(ui, UI_AFTER_TEXT, UI_COLOR_STATUS_ERROR, xasprintf(_("refresh failed: %s"), err.msg));
	else if (!toggle)
		ui_after_load(ui, UI_AFTER_REFRESHED, UI_COLOR_STATUS, NULL);
	else if (rc)
		ui_after_load(ui, UI_AFTER_TEXT, UI_COLOR_STATUS_ERROR,
			   xstrdup(err.msg[0] ? err.msg : _("the sync toggle failed")));
	else if (res.outcome && strcmp(res.outcome, "ok") != 0)
		ui_after_load(ui, UI_AFTER_TEXT, UI_COLOR_STATUS, xasprintf(_("sync toggle: %s"), res.outcome));
	else
		ui_after_load(ui, UI_AFTER_TEXT, UI_COLOR_STATUS,
			   xasprintf(res.now == CS_TRUE ? _("sync is now ON (was %s)") : _("sync is now OFF (was %s)"),
				     ui_tristate_text(res.old)));
	ui_reload(ui, clock_now(ui), true);
	toggle_result_free(&res);
}

/* Takes the worker's news: progress, environments to show, a sign-in code, a question, its end. */
static void worker_turn(struct ui *ui)
{
	if (!ui->worker)
		return;
	struct worker_news n;
	worker_poll(ui->worker, &n);
	if (n.line) {
		free(ui->progress);
		ui->progress = n.line;
		n.line = NULL;
		ui->dirty = true;
	}
	if (n.reload)
		ui_reload(ui, clock_now(ui), true);
	if (n.device) {
		free(ui->device_msg);
		free(ui->device_code);
		free(ui->device_uri);
		ui->device_msg = n.device_msg;
		ui->device_code = n.device_code;
		ui->device_uri = n.device_uri;
		n.device_msg = n.device_code = n.device_uri = NULL;
		ui->mode = UI_MODE_DEVICE;
		ui->dirty = true;
	}
	if (n.device_over && ui->mode == UI_MODE_DEVICE)
		ui->mode = UI_MODE_NORMAL;
	if (n.ask != WORKER_ASK_NONE) {
		/* Whatever was typed before the question was on screen is not its answer. */
		ui_input_flush();
		worker_plan_free(&ui->plan);
		ui->plan = n.plan;
		memset(&n.plan, 0, sizeof n.plan);
		free(ui->ask_what);
		ui->ask_what = n.ask_what;
		n.ask_what = NULL;
		/* The tenant's RSC state, when the write did not say, is in the cache. */
		struct cs_rsc rsc;
		if (ui->plan.rsc_state == CS_RSC_UNKNOWN && cache_get_rsc(ui->cache, &rsc) == 1) {
			ui->plan.rsc_state = rsc.state;
			cs_rsc_free(&rsc);
		}
		ui->ask = n.ask;
		ui->mode = UI_MODE_ASK;
		line_reset(ui);
		ui->dirty = true;
	}
	bool done = n.done;
	worker_news_free(&n);
	if (done)
		worker_done(ui);
}

/* The clock: ages redraw when the second changes; verdicts are worked out again (the cache read
 * again on the loader, the old verdicts shown until then) when one may change by the clock alone
 * (a chat reaching its limit), and every REDIAGNOSE_S anyway. */
static void clock_turn(struct ui *ui)
{
	/* A key script sees a still clock, so the screens it saves are the same every run. */
	if (ui_input_scripted())
		return;
	cs_time now = clock_now(ui);
	if (now == ui->data.now)
		return;
	/* In a large tenant some chat reaches its limit every few seconds: the cache is read again at
	 * most once in CLOCK_LOAD_SPACING times what the last read took, so the loader's threads
	 * keep to a small share of the cores. */
	if (!ui->loader && ui->data.loaded && now_ms() - ui->loaded_ms >= CLOCK_LOAD_SPACING * ui->load_ms) {
		cs_time next = ui->data.next_change;
		if ((next && now >= next) || now - ui->diagnosed_at >= REDIAGNOSE_S) {
			ui->diagnosed_at = now;
			ui_load_start(ui, now);
		}
	}
	ui->data.now = now;
	ui->dirty = true;
}

static void loop(struct ui *ui)
{
	long progress_at = 0;
	while (!ui->quit) {
		worker_turn(ui);
		ui_loader_turn(ui, clock_now(ui), false);
		clock_turn(ui);
		/* The status line counts the chats read, a few times a second (a redraw costs the
		 * loader's threads a core's time too). */
		if (ui->loader && now_ms() - progress_at >= PROGRESS_MS) {
			progress_at = now_ms();
			ui->dirty = true;
		}
		if (ui->dirty) {
			screen_draw(ui);
			ui->dirty = false;
		}
		/* A script waits for the worker (unless it asks) and for every verdict, so what it
		 * saves does not depend on timing. */
		if (ui_input_scripted() && ui->worker && ui->mode != UI_MODE_ASK) {
			struct timespec ts = { 0, 20 * 1000 * 1000 };
			nanosleep(&ts, NULL);
			continue;
		}
		if (ui->loader && ui_input_scripted()) {
			ui_loader_turn(ui, clock_now(ui), true);
			continue;
		}
		/* Wake for the loader's and the worker's news, and at the next second for the clock. */
		int wait = ui->loader ? LOADER_POLL_MS : ui->worker ? 50 : 1000 - (int)((now_ms() - ui->started_ms) % 1000);
		int key = ui_input_key(wait);
		if (key == UI_INPUT_HANGUP) {
			log_info("console: the session ended (hangup, signal or closed terminal)");
			break;
		}
		if (key == UI_INPUT_NONE)
			continue;
		handle_key(ui, key);
	}
}

static void ui_free(struct ui *ui)
{
	while (ui->depth)
		close_view(ui);
	free(ui->stack);
	ui_load_stop(ui);
	for (size_t i = 0; i < ui->n_after; i++)
		free(ui->after[i].text);
	free(ui->after);
	if (ui->cache != ui->cfg->session->cache)
		cache_close(ui->cache);
	free(ui->cache_path);
	ui_data_free(&ui->data);
	for (size_t i = 0; i < ui->n_log; i++)
		free(ui->log[i].text);
	free(ui->log);
	free(ui->message);
	free(ui->progress);
	buf_free(&ui->line);
	free(ui->filter_before);
	line_history_free(ui);
	worker_plan_free(&ui->plan);
	free(ui->ask_what);
	free(ui->device_msg);
	free(ui->device_code);
	free(ui->device_uri);
}

int ui_run(const struct ui_config *cfg, struct cs_error *err)
{
	struct ui ui = { .cfg = cfg, .cache = cfg->session->cache, .profile = cfg->session->profile,
			 .cache_path = xstrdup(cfg->session->cache_path) };
	ui.started_ms = now_ms();
	ui.start_now = cfg->now ? cfg->now : time_now();
	line_reset(&ui);
	const char *script = getenv("CHATSYNC_UI_SCRIPT");
	int rc = CS_EXIT_OK;
	if (script && *script && ui_input_load_script(script, err)) {
		rc = err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	} else if (ui_open_data(&ui, ui.start_now, ui_data_seen_before(ui.cache), err) ||
		   screen_open(&ui, !ui_colors_disabled_by_user(cfg->no_color), cfg->mouse, err)) {
		rc = err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	} else {
		ui_input_signals();
		ui.dirty = true;
		if (open_view(&ui, &view_envs_ops, NULL) == 0) {
			/* An empty or stale cache is filled in the background, the console open at once. */
			cs_time newest = ui_data_newest_refresh(&ui.data);
			bool stale = !ui.data.n_envs || !newest || ui.start_now - newest > STALE_S;
			if (cfg->refresh_at_start || (ui.profile && stale && !ui_input_scripted()))
				refresh_start(&ui);
			loop(&ui);
			if (ui.worker) {
				worker_cancel(ui.worker);
				worker_join(ui.worker, NULL, NULL);
				ui.worker = NULL;
			}
		} else {
			cs_fail(err, CS_EXIT_USAGE, "%s", ui.message ? ui.message : _("the console could not start"));
			rc = CS_EXIT_USAGE;
		}
	}
	/* The next console marks what the refreshes saw change after this look. */
	if (rc == CS_EXIT_OK) {
		char seen[32];
		snprintf(seen, sizeof seen, "%lld", (long long)clock_now(&ui));
		if (cache_meta_set(ui.cache, UI_SEEN_KEY, seen, NULL))
			log_warn("the console could not note when it was last open");
	}
	screen_close();
	ui_input_close();
	ui_free(&ui);
	return rc;
}
