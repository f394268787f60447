/* The event loop (htop's ScreenManager_run): one loop reads a key, maps it to a request through
 * the table, offers it to the focused view, and handles what the view leaves (moving, views,
 * prompts, reload, the hooks). Between keys it diagnoses the chats a slice at a time. */
#include "config.h"
#include <pthread.h>
#include "ui/ui.h"
#include "ui/colors.h"
#include "ui/input.h"
#include "ui/keys.h"
#include "ui/prompt.h"
#include "ui/screen.h"
#include "ui/view.h"
#include "cli/cli.h"
#include "base/i18n.h"
#include "base/log.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include <stdarg.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

/* How long one slice of diagnosis may hold the keyboard. */
#define DIAGNOSE_SLICE_MS 40

static ui_refresh_hook refresh_hook;
static void *refresh_user;
static int (*toggle_hook)(void *user, const char *env_id, bool enable, struct cs_error *err);
static void *toggle_user;

void ui_set_refresh_hook(ui_refresh_hook hook,
			 void *user)
{
	refresh_hook = hook;
	refresh_user = user;
}

void ui_set_toggle_hook(int (*hook)(void *user, const char *env_id, bool enable, struct cs_error *err), void *user)
{
	toggle_hook = hook;
	toggle_user = user;
}

struct view *ui_top(struct ui *ui)
{
	return ui->depth ? ui->stack[ui->depth - 1] : NULL;
}

void ui_message(struct ui *ui, int slot, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(ui->message);
	ui->message = xvasprintf(fmt, ap);
	ui->message_slot = slot;
	va_end(ap);
}

void view_scratch(struct view_row *out, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = xvasprintf(fmt, ap);
	va_end(ap);
	size_t n = strlen(text);
	if (n >= VIEW_SCRATCH) {
		n = VIEW_SCRATCH - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out->scratch[col], text, n);
	out->scratch[col][n] = '\0';
	out->cells[col].text = out->scratch[col];
	free(text);
}

void view_clamp(struct view *v)
{
	if (v->lines == 0) {
		v->lineno = v->offset = 0;
		return;
	}
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	if (v->ops->flags & VIEW_SCROLL) {
		size_t last = v->lines > h ? v->lines - h : 0;
		if (v->offset > last)
			v->offset = last;
		v->lineno = v->offset;
		return;
	}
	if (v->lineno >= v->lines)
		v->lineno = v->lines - 1;
	if (v->lineno < v->offset)
		v->offset = v->lineno;
	if (v->lineno >= v->offset + h)
		v->offset = v->lineno - h + 1;
	/* Keep the page full when the end of the list comes into view. */
	if (v->lines >= h && v->offset > v->lines - h)
		v->offset = v->lines - h;
}

void view_select(struct view *v, size_t row)
{
	if (v->ops->flags & VIEW_SCROLL)
		v->offset = row;
	else
		v->lineno = row;
	view_clamp(v);
}

static void close_view(struct ui *ui)
{
	struct view *v = ui->stack[--ui->depth];
	if (v->ops->done)
		v->ops->done(v);
	free(v->title);
	free(v->filter);
	free(v);
}

int ui_open_view(struct ui *ui, const struct view_ops *ops, const char *arg)
{
	if (ui->depth == UI_MAX_VIEWS) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("too many views open (q closes one)"));
		return -1;
	}
	struct view *v = xcalloc(1, sizeof *v);
	v->ops = ops;
	v->ui = ui;
	screen_fit(v);
	struct cs_error err = { 0 };
	if (ops->open(v, arg, &err)) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		free(v->title);
		free(v);
		return -1;
	}
	if (!v->title)
		v->title = xstrdup(_(ops->name));
	screen_fit(v); /* the header line depends on the columns open chose */
	view_clamp(v);
	ui->stack[ui->depth++] = v;
	return 0;
}

void ui_resized(struct ui *ui)
{
	for (size_t i = 0; i < ui->depth; i++) {
		struct view *v = ui->stack[i];
		screen_fit(v);
		if (v->ops->update)
			v->ops->update(v, VIEW_UPDATE_RESIZE);
		view_clamp(v);
	}
}

static void notify(struct ui *ui, enum view_update why)
{
	for (size_t i = 0; i < ui->depth; i++)
		if (ui->stack[i]->ops->update)
			ui->stack[i]->ops->update(ui->stack[i], why);
}

static void reload(struct ui *ui)
{
	notify(ui, VIEW_UPDATE_SAVE);
	struct cs_error err = { 0 };
	int rc = ui_data_load(&ui->data, ui->ctx->s.cache, time_now(), ui->ctx->opts->warn_hours, &err);
	notify(ui, VIEW_UPDATE_RELOADED);
	if (rc)
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
	else
		ui_message(ui, UI_COLOR_STATUS, _("cache re-read: %zu environments, %zu chats"), ui->data.n_envs,
			   ui->data.n_chats);
}

/* The refresh runs on a worker thread; it hands its progress lines and its end over through this. */
struct refresh_job {
	pthread_t thread;
	pthread_mutex_t mu;
	char *line;          /* the latest progress line, owned; NULL when already shown */
	bool done;
	int rc;
	volatile sig_atomic_t cancel;
};

static void on_progress(void *jobp, const char *line)
{
	struct refresh_job *job = jobp;
	pthread_mutex_lock(&job->mu);
	free(job->line);
	job->line = xstrdup(line ? line : "");
	pthread_mutex_unlock(&job->mu);
}

static void *refresh_main(void *jobp)
{
	struct refresh_job *job = jobp;
	int rc = refresh_hook(refresh_user, on_progress, job, &job->cancel);
	pthread_mutex_lock(&job->mu);
	job->rc = rc;
	job->done = true;
	pthread_mutex_unlock(&job->mu);
	return NULL;
}

static void refresh(struct ui *ui)
{
	if (!refresh_hook) {
		ui_message(ui, UI_COLOR_STATUS, "%s",
			   _("to refresh the cache, run: chatsync refresh (in a shell), then press R here to re-read it"));
		return;
	}
	if (ui->refresh) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("a refresh is already running"));
		return;
	}
	struct refresh_job *job = xcalloc(1, sizeof *job);
	pthread_mutex_init(&job->mu, NULL);
	free(ui->progress);
	ui->progress = xstrdup(_("refreshing…"));
	/* Signals are the console's: the worker blocks them all, so they reach this thread. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&job->thread, NULL, refresh_main, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&job->mu);
		free(job);
		free(ui->progress);
		ui->progress = NULL;
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("refresh failed: %s"), strerror(rc));
		return;
	}
	ui->refresh = job;
}

/* One turn of the loop while a refresh runs: show its latest line; when it ended, re-read the cache. */
static void refresh_poll(struct ui *ui)
{
	struct refresh_job *job = ui->refresh;
	if (!job)
		return;
	pthread_mutex_lock(&job->mu);
	char *line = job->line;
	job->line = NULL;
	bool done = job->done;
	pthread_mutex_unlock(&job->mu);
	if (line) {
		free(ui->progress);
		ui->progress = line;
	}
	if (!done)
		return;
	pthread_join(job->thread, NULL);
	pthread_mutex_destroy(&job->mu);
	int rc = job->rc;
	free(job->line);
	free(job);
	ui->refresh = NULL;
	char *last = ui->progress;
	ui->progress = NULL;
	reload(ui);
	if (rc)
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("refresh failed: %s"), last ? last : "");
	else
		ui_message(ui, UI_COLOR_STATUS, _("refresh finished: %zu environments, %zu chats"), ui->data.n_envs,
			   ui->data.n_chats);
	free(last);
}

/* Leaving with a refresh running: ask it to stop and wait for it (the transport checks often). */
static void refresh_stop(struct ui *ui)
{
	if (!ui->refresh)
		return;
	ui->refresh->cancel = 1;
	pthread_join(ui->refresh->thread, NULL);
	pthread_mutex_destroy(&ui->refresh->mu);
	free(ui->refresh->line);
	free(ui->refresh);
	ui->refresh = NULL;
}

void ui_toggle_sync(struct ui *ui, const struct ui_env *e)
{
	if (ui->ctx->opts->readonly) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("read-only: profile readonly = true or --readonly"));
		return;
	}
	if (!toggle_hook) {
		ui_message(ui, UI_COLOR_STATUS, _("to turn sync on or off, run: chatsync sync %s on|off"), e->name);
		return;
	}
	if (!e->env.id) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("%s has no id in the cache (run: chatsync refresh, then press R)"),
			   e->name);
		return;
	}
	if (e->env.sync_enabled == CS_UNKNOWN) {
		ui_message(ui, UI_COLOR_STATUS_ERROR,
			   _("the sync setting of %s is not known yet (run: chatsync refresh, then press R)"), e->name);
		return;
	}
	bool enable = e->env.sync_enabled != CS_TRUE;
	/* The reload after the toggle replaces e: keep what the messages need. */
	char *id = xstrdup(e->env.id), *name = xstrdup(e->name);
	char *q = enable ? xasprintf(_("Turn sync ON for %s (%s)?"), e->name, e->friendly)
			 : xasprintf(_("Turn sync OFF for %s (%s)?"), e->name, e->friendly);
	if (!ui_prompt_confirm(ui, q)) {
		ui_message(ui, UI_COLOR_STATUS, "%s", _("nothing changed"));
	} else {
		struct cs_error err = { 0 };
		int rc = toggle_hook(toggle_user, id, enable, &err);
		ui_input_signals();
		screen_force_redraw();
		reload(ui);
		if (rc)
			ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg[0] ? err.msg : _("the sync toggle failed"));
		else if (enable)
			ui_message(ui, UI_COLOR_STATUS, _("sync turned on for %s"), name);
		else
			ui_message(ui, UI_COLOR_STATUS, _("sync turned off for %s"), name);
	}
	free(q);
	free(name);
	free(id);
}

void ui_set_filter(struct ui *ui, const char *text)
{
	struct view *v = ui_top(ui);
	if (!v)
		return;
	if (!v->ops->filter) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("this view has no filter"));
		return;
	}
	free(v->filter);
	v->filter = text && *text ? xstrdup(text) : NULL;
	v->ops->filter(v);
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
	case UI_REQ_MOVE_FIRST:
		*at = 0;
		break;
	case UI_REQ_MOVE_LAST:
		*at = v->lines ? v->lines - 1 : 0;
		break;
	default:
		break;
	}
	view_clamp(v);
}

static void prompt_filter(struct ui *ui, struct view *v)
{
	if (!v->ops->filter) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", _("this view has no filter"));
		return;
	}
	char *text = ui_prompt_read(ui, "/");
	if (!text)
		return;
	ui_set_filter(ui, text);
	if (v->filter && !(v->ops->flags & VIEW_SCROLL))
		ui_message(ui, UI_COLOR_STATUS, ngettext("%zu line matches \"%s\"", "%zu lines match \"%s\"", v->lines),
			   v->lines, v->filter);
	free(text);
}

void ui_do_request(struct ui *ui, enum ui_request req)
{
	struct view *v = ui_top(ui);
	if (!v)
		return;
	if (v->ops->request && v->ops->request(v, req) == VIEW_HANDLED)
		return;
	switch (req) {
	case UI_REQ_MOVE_UP: case UI_REQ_MOVE_DOWN: case UI_REQ_MOVE_PAGE_UP: case UI_REQ_MOVE_PAGE_DOWN:
	case UI_REQ_MOVE_HALF_UP: case UI_REQ_MOVE_HALF_DOWN: case UI_REQ_MOVE_FIRST: case UI_REQ_MOVE_LAST:
		move(v, req);
		break;
	case UI_REQ_ENTER:
		break;   /* nothing opens from here (help, diagnosis) */
	case UI_REQ_BACK:
		if (ui->depth > 1)
			close_view(ui);
		break;
	case UI_REQ_VIEW_CLOSE:
		if (ui->depth > 1)
			close_view(ui);
		else
			ui->quit = true;
		break;
	case UI_REQ_QUIT:
		ui->quit = true;
		break;
	case UI_REQ_VIEW_HELP:
		if (v->ops == &view_help_ops)
			close_view(ui);
		else
			ui_open_view(ui, &view_help_ops, NULL);
		break;
	case UI_REQ_VIEW_ALL_CHATS:
		ui_open_view(ui, &view_chats_ops, NULL);
		break;
	case UI_REQ_PROMPT: {
		char *line = ui_prompt_read(ui, ":");
		if (line)
			ui_command_run(ui, line);
		free(line);
		break;
	}
	case UI_REQ_FILTER:
		prompt_filter(ui, v);
		break;
	case UI_REQ_STATE_FILTER:
	case UI_REQ_SORT:
		ui_message(ui, UI_COLOR_STATUS, _("%s works in a chats view (Enter on an environment, or c)"),
			   ui_request_info(req)->keys[0]);
		break;
	case UI_REQ_TOGGLE_SYNC:
		ui_message(ui, UI_COLOR_STATUS, "%s", _("t works in the environments view, on the selected environment"));
		break;
	case UI_REQ_RELOAD:
		reload(ui);
		break;
	case UI_REQ_REFRESH:
		refresh(ui);
		break;
	case UI_REQ_SCREEN_REDRAW:
		screen_force_redraw();
		break;
	default:
		break;
	}
}

static void handle_key(struct ui *ui, int key)
{
	free(ui->message);
	ui->message = NULL;
	if (key == ui_key_resize) {
		ui_resized(ui);
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
	ui_do_request(ui, req);
}

static void loop(struct ui *ui)
{
	while (!ui->quit) {
		screen_draw(ui);
		bool pending = ui->data.diagnosed < ui->data.n_chats;
		/* A script waits for a refresh to end and for every verdict, so what it saves does not
		 * depend on timing. */
		if (ui->refresh && ui_input_scripted()) {
			while (ui->refresh) {
				struct timespec ts = { 0, 20 * 1000 * 1000 };
				nanosleep(&ts, NULL);
				refresh_poll(ui);
			}
			continue;
		}
		if (pending && ui_input_scripted()) {
			while (ui_data_diagnose(&ui->data, ui->ctx->s.cache, 1000))
				;
			notify(ui, VIEW_UPDATE_VERDICTS);
			continue;
		}
		/* While a refresh runs, wake up often enough to show its progress and its end. */
		int key = ui_input_key(pending ? 0 : ui->refresh ? 100 : -1);
		refresh_poll(ui);
		if (key == UI_INPUT_HANGUP) {
			log_info("console: the session ended (hangup, signal or closed terminal)");
			break;
		}
		if (key == UI_INPUT_NONE) {
			if (pending) {
				ui_data_diagnose(&ui->data, ui->ctx->s.cache, DIAGNOSE_SLICE_MS);
				notify(ui, VIEW_UPDATE_VERDICTS);
			}
			continue;
		}
		handle_key(ui, key);
	}
}

int ui_run(struct cli_context *ctx, struct cs_error *err)
{
	struct ui ui = { .ctx = ctx };
	const char *script = getenv("CHATSYNC_UI_SCRIPT");
	if (script && *script && ui_input_load_script(script, err))
		return err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	int rc = CS_EXIT_OK;
	if (ui_data_load(&ui.data, ctx->s.cache, ctx->now ? ctx->now : time_now(), ctx->opts->warn_hours, err) ||
	    screen_open(&ui, !ui_colors_disabled_by_user(ctx->opts->no_color), err)) {
		rc = err->exit_code ? err->exit_code : CS_EXIT_USAGE;
	} else {
		ui_input_signals();
		if (ui_open_view(&ui, &view_envs_ops, NULL) == 0) {
			loop(&ui);
			refresh_stop(&ui);
		} else {
			cs_fail(err, CS_EXIT_USAGE, "%s", ui.message ? ui.message : _("the console could not start"));
			rc = CS_EXIT_USAGE;
		}
	}
	while (ui.depth)
		close_view(&ui);
	screen_close();
	ui_input_close();
	ui_data_free(&ui.data);
	free(ui.message);
	free(ui.progress);
	return rc;
}
