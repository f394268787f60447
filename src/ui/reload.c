/* The console's data over time (reload.h): the first look, the loader's runs, and what is said
 * once their data is in. */
#include "config.h"
#include "ui/reload.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <stdlib.h>
#include <time.h>

static long mono_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void ui_after_load(struct ui *ui, enum ui_after kind, int slot, char *text)
{
	ui->after = xrealloc(ui->after, (ui->n_after + 1) * sizeof *ui->after);
	ui->after[ui->n_after++] = (struct ui_after_load){ .kind = kind, .slot = slot, .text = text };
}

void ui_post_after(struct ui *ui)
{
	size_t envs = ui->data.n_envs, chats = ui_data_chat_total(&ui->data);
	for (size_t i = 0; i < ui->n_after; i++) {
		struct ui_after_load *a = &ui->after[i];
		switch (a->kind) {
		case UI_AFTER_REREAD:
			ui_message(ui, a->slot, _("cache re-read: %zu environments, %zu chats"), envs, chats);
			break;
		case UI_AFTER_REFRESHED:
			ui_message(ui, a->slot, _("refresh finished: %zu environments, %zu chats"), envs, chats);
			break;
		case UI_AFTER_PROFILE:
			ui_message(ui, a->slot, _("profile %s: %zu environments, %zu chats in its cache"), a->text, envs,
				   chats);
			break;
		default: ui_message(ui, a->slot, "%s", a->text); break;
		}
		free(a->text);
	}
	ui->n_after = 0;
}

/* Puts n in place of the data shown; the views keep their selection by key. */
static void install(struct ui *ui, struct ui_data *n)
{
	ui_notify(ui, VIEW_UPDATE_SAVE);
	n->generation = ui->data.generation + 1;
	ui_data_free(&ui->data);
	ui->data = *n;
	ui_notify(ui, VIEW_UPDATE_RELOADED);
}

void ui_load_start(struct ui *ui, cs_time now)
{
	if (ui->loader) {
		ui->load_again = true;
		return;
	}
	struct cs_error err = { 0 };
	ui->load_again = false;
	ui->load_started_ms = mono_ms();
	ui->loader = ui_loader_start(ui->cache_path, now, ui->cfg->warn_hours, ui->data.seen, &err);
	if (!ui->loader) {
		ui_message(ui, UI_COLOR_STATUS_ERROR, "%s", err.msg);
		ui_post_after(ui);
	}
	ui->dirty = true;
}

void ui_loader_turn(struct ui *ui, cs_time now, bool wait)
{
	if (!ui->loader || (!wait && !ui_loader_done(ui->loader)))
		return;
	struct ui_loader *l = ui->loader;
	struct ui_data n;
	struct cs_error err = { 0 };
	ui->loader = NULL;
	ui->loaded_ms = mono_ms();
	ui->load_ms = ui->loaded_ms - ui->load_started_ms;
	if (ui_loader_finish(l, &n, &err) == 0) {
		ui->diagnosed_at = n.now;
		install(ui, &n);
	} else {
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("the chats could not be read: %s"), err.msg);
	}
	ui->dirty = true;
	if (ui->load_again)
		ui_load_start(ui, now);
	else
		ui_post_after(ui);
}

int ui_open_data(struct ui *ui, cs_time now, cs_time seen, struct cs_error *err)
{
	struct ui_data n;
	if (ui_data_load_envs(&n, ui->cache, now, ui->cfg->warn_hours, seen, err))
		return -1;
	install(ui, &n);
	ui->diagnosed_at = now;
	ui_load_start(ui, now);
	return 0;
}

void ui_reload(struct ui *ui, cs_time now, bool quiet)
{
	if (!quiet)
		ui_after_load(ui, UI_AFTER_REREAD, UI_COLOR_STATUS, NULL);
	ui_load_start(ui, now);
}

void ui_load_stop(struct ui *ui)
{
	ui_loader_cancel(ui->loader);
	ui->loader = NULL;
	ui->load_again = false;
}

