/* The console's data over time: the environments and their counts at once, every chat with its
 * verdict on the loader (loader.h), put in place when it is in, and the messages that wait for it.
 * The loop (ui.c) calls these; they call the views only through their update operation. Internal to
 * src/ui/. */
#ifndef CHATSYNC_UI_RELOAD_H
#define CHATSYNC_UI_RELOAD_H
#include <stdbool.h>
#include "base/error.h"
#include "ui/view.h"

/* Shows the cache's environments and their counts at once (fast) and starts reading its chats. */
int ui_open_data(struct ui *ui, cs_time now, cs_time seen, struct cs_error *err);
/* Reads the cache's chats again on the loader, diagnosed at now; what is shown stays until the new
 * data is in. One load at a time: asked while one runs, another follows it (so a refresh's stream
 * of news cannot keep a load from ever finishing). */
void ui_load_start(struct ui *ui, cs_time now);
/* The same, saying "cache re-read" once it is in unless quiet (a refresh's environment came in). */
void ui_reload(struct ui *ui, cs_time now, bool quiet);
/* Takes the loader's data once it is done (wait: until it is); now: for a load asked meanwhile. */
void ui_loader_turn(struct ui *ui, cs_time now, bool wait);
/* Stops what the loader does, and forgets a load asked for after it. */
void ui_load_stop(struct ui *ui);
/* A message to post once the data being loaded is in (it says what that data shows): text is
 * taken (NULL for the kinds that need none). */
void ui_after_load(struct ui *ui, enum ui_after kind, int slot, char *text);
/* Posts them now. */
void ui_post_after(struct ui *ui);

#endif
