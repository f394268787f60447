/* gettext wiring: every user-visible string goes through _(); N_() marks strings in tables. */
#ifndef CHATSYNC_I18N_H
#define CHATSYNC_I18N_H
#include <libintl.h>
#define _(s) gettext(s)
#define N_(s) (s)
#endif
