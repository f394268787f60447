/* Key codes and key names. A key is one int: a Unicode code point for a typed character, or a
 * curses function key shifted past Unicode (UI_KEY_FN), so wide characters and KEY_* never
 * collide. Names are what the request table, the help screen and scripts use: "j", "<Down>",
 * "<C-d>", "<Enter>", "<Esc>". */
#ifndef CHATSYNC_UI_KEYS_H
#define CHATSYNC_UI_KEYS_H
#include <stddef.h>

#define UI_KEY_FN_BASE 0x200000
#define UI_KEY_FN(k) (UI_KEY_FN_BASE + (k))
#define UI_KEY_IS_FN(k) ((k) >= UI_KEY_FN_BASE)
#define UI_KEY_CTRL(c) ((c) & 0x1f)
#define UI_KEY_ENTER '\n'
#define UI_KEY_ESC 27

/* Named keys curses reports as function keys; their values are set in keys.c. */
extern const int ui_key_up, ui_key_down, ui_key_left, ui_key_right, ui_key_page_up, ui_key_page_down,
	ui_key_home, ui_key_end, ui_key_backspace, ui_key_resize, ui_key_f1, ui_key_delete;

/* The key called name, or -1. A single UTF-8 character is itself. */
int ui_key_parse(const char *name);
/* The name of key into buf ("<Down>", "j"); returns buf. */
char *ui_key_name(int key, char *buf, size_t n);
/* Folds the several codes one key may arrive as into one: '\r' and KEY_ENTER to '\n', DEL and ^H
 * to <Backspace>. */
int ui_key_normalize(int key);

#endif
