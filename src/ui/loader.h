/* The loader: reads the cache's chats and diagnoses them on threads of its own (each with its own
 * connection, in one read snapshot), so the console draws and answers keys while a large cache
 * loads. The loop starts it, shows its progress, and takes the finished data. */
#ifndef CHATSYNC_UI_LOADER_H
#define CHATSYNC_UI_LOADER_H
#include <stdbool.h>
#include <stddef.h>
#include "base/error.h"
#include "ui/data.h"

struct ui_loader;

/* Starts loading the cache at path: environments, counts and every chat with its verdict at now.
 * seen: as for ui_data_load_envs. NULL with err when no thread could start. */
struct ui_loader *ui_loader_start(const char *path, cs_time now, int warn_hours, cs_time seen, struct cs_error *err);
/* Chats read so far, and how many there are (0 while not yet counted). */
void ui_loader_progress(struct ui_loader *l, size_t *done, size_t *total);
bool ui_loader_done(struct ui_loader *l);
/* Waits for the end and frees l: 0 and the data in *out (loaded; out's old contents are not
 * touched, the caller frees them), or -1 with err. */
int ui_loader_finish(struct ui_loader *l, struct ui_data *out, struct cs_error *err);
/* Stops it and frees l (NULL: nothing). */
void ui_loader_cancel(struct ui_loader *l);

#endif
