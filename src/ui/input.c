/* Keys from the script and from curses, and the end of the session. */
#include "config.h"
#include "ui/input.h"
#include "ui/keys.h"
#include "base/i18n.h"
#include "base/xalloc.h"
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

/* How long one wait for a key may block: short enough to notice a signal that curses swallowed. */
#define WAIT_SLICE_MS 500
/* This many errors in a row, each returned at once, mean the terminal is gone. */
#define DEAD_TERMINAL_ERRORS 20

static int *script;
static size_t script_len, script_pos;
static volatile sig_atomic_t stop_signal;
static int dead_errors;

static const int stop_signals[] = { SIGHUP, SIGTERM, SIGINT };
static struct sigaction saved[sizeof stop_signals / sizeof *stop_signals];
static bool installed;

static void on_stop(int sig)
{
	stop_signal = sig;
}

void ui_input_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read returns, and the loop sees the flag. A hook (the refresh's
	 * Ctrl-C cancel) may have put its own handlers in: take them back, but keep the ones found
	 * first for ui_input_close. */
	for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
		sigaction(stop_signals[i], &sa, installed ? NULL : &saved[i]);
	if (!installed) {
		stop_signal = 0;
		dead_errors = 0;
	}
	installed = true;
}

static int decode(const char **p)
{
	mbstate_t st;
	memset(&st, 0, sizeof st);
	wchar_t wc;
	size_t n = mbrtowc(&wc, *p, strlen(*p), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		/* Not a character in this locale: type the byte, as a terminal would send it. */
		return (unsigned char)*(*p)++;
	}
	*p += n;
	return (int)wc;
}

size_t ui_input_parse_line(const char *line, int *keys, size_t max)
{
	size_t n = 0;
	size_t len = strlen(line);
	if (len == 0 || (len > 1 && line[0] == '#' && line[1] == ' '))
		return 0;
	bool command = len > 1 && line[0] == ':';
	for (const char *p = line; *p && n < max;) {
		if (*p == '<' && !command) {
			const char *end = strchr(p, '>');
			if (end) {
				char *name = xstrndup(p, (size_t)(end - p + 1));
				int k = ui_key_parse(name);
				free(name);
				if (k >= 0) {
					keys[n++] = k;
					p = end + 1;
					continue;
				}
			}
		}
		keys[n++] = decode(&p);
	}
	if (command && n < max)
		keys[n++] = UI_KEY_ENTER;
	return n;
}

int ui_input_load_script(const char *path, struct cs_error *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return cs_fail(err, CS_EXIT_USAGE, _("cannot read the key script %s: %s (check CHATSYNC_UI_SCRIPT)"), path,
			       strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	size_t alloc = 0;
	while ((got = getline(&line, &cap, f)) >= 0) {
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		size_t room = (size_t)got + 2;
		if (script_len + room > alloc) {
			alloc = (script_len + room) * 2;
			script = xrealloc(script, alloc * sizeof *script);
		}
		script_len += ui_input_parse_line(line, script + script_len, room);
	}
	free(line);
	fclose(f);
	script_pos = 0;
	return 0;
}

bool ui_input_scripted(void)
{
	return script_pos < script_len;
}

static long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Sequences terminals send for keys their terminfo entry names otherwise (tmux's End is \e[4~
 * where xterm's entry says \eOF): the common spellings, so they act as the key they are. */
static const struct {
	const char *seq;
	const int *key;
} known_seqs[] = {
	{ "[1~", &ui_key_home }, { "[7~", &ui_key_home }, { "[H", &ui_key_home }, { "OH", &ui_key_home },
	{ "[4~", &ui_key_end }, { "[8~", &ui_key_end }, { "[F", &ui_key_end }, { "OF", &ui_key_end },
	{ "[5~", &ui_key_page_up }, { "[6~", &ui_key_page_down },
	{ "[A", &ui_key_up }, { "[B", &ui_key_down }, { "[C", &ui_key_right }, { "[D", &ui_key_left },
	{ "OA", &ui_key_up }, { "OB", &ui_key_down }, { "OC", &ui_key_right }, { "OD", &ui_key_left },
};

/* Esc alone is a key (back); Esc followed at once by more is a sequence curses did not know: read
 * it to its end, take it for the key it commonly is, else call it unknown, so it never acts as
 * Back. */
static int escape(void)
{
	timeout(0);
	wint_t wc;
	int rc = get_wch(&wc);
	if (rc == ERR)
		return UI_KEY_ESC;
	if (rc == KEY_CODE_YES)
		return UI_INPUT_UNKNOWN; /* Esc then a function key: Alt+key, which means nothing here */
	char seq[40];
	size_t n = 0;
	seq[n++] = (char)wc;
	if (wc == '[' || wc == 'O') {
		/* CSI or SS3: parameters, then one final byte in @..~ */
		while (n < sizeof seq - 1 && get_wch(&wc) == OK) {
			seq[n++] = (char)wc;
			if (wc >= 0x40 && wc <= 0x7e)
				break;
		}
	}
	seq[n] = '\0';
	for (size_t i = 0; i < sizeof known_seqs / sizeof *known_seqs; i++)
		if (strcmp(seq, known_seqs[i].seq) == 0)
			return *known_seqs[i].key;
	return UI_INPUT_UNKNOWN;
}

static enum ui_mouse mouse_what;
static int mouse_y, mouse_x;

static int read_mouse(void)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return UI_INPUT_NONE;
	mouse_y = ev.y;
	mouse_x = ev.x;
	mouse_what = ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED) ? UI_MOUSE_CLICK
		   : ev.bstate & BUTTON4_PRESSED ? UI_MOUSE_WHEEL_UP
#ifdef BUTTON5_PRESSED
		   : ev.bstate & BUTTON5_PRESSED ? UI_MOUSE_WHEEL_DOWN
#endif
		   : UI_MOUSE_OTHER;
	return UI_INPUT_MOUSE;
}

enum ui_mouse ui_input_mouse(int *y, int *x)
{
	*y = mouse_y;
	*x = mouse_x;
	return mouse_what;
}

/* One wait of at most ms (>= 0) on the terminal. */
static int read_terminal(int ms)
{
	timeout(ms);
	long start = now_ms();
	wint_t wc;
	int rc = get_wch(&wc);
	if (stop_signal)
		return UI_INPUT_HANGUP;
	if (rc == ERR) {
		/* A timeout takes its time; an error at once, again and again, is a closed terminal. */
		if (ms > 0 && now_ms() - start < ms / 2) {
			if (++dead_errors >= DEAD_TERMINAL_ERRORS)
				return UI_INPUT_HANGUP;
		} else {
			dead_errors = 0;
		}
		return UI_INPUT_NONE;
	}
	dead_errors = 0;
	if (rc == OK && wc == 27)
		return escape();
	if (rc == KEY_CODE_YES && wc == KEY_MOUSE)
		return read_mouse();
	return ui_key_normalize(rc == KEY_CODE_YES ? UI_KEY_FN((int)wc) : (int)wc);
}

void ui_input_flush(void)
{
	flushinp();
}

int ui_input_key(int timeout_ms)
{
	if (stop_signal)
		return UI_INPUT_HANGUP;
	if (script_pos < script_len)
		return script[script_pos++];
	if (timeout_ms >= 0 && timeout_ms <= WAIT_SLICE_MS)
		return read_terminal(timeout_ms);
	long deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	for (;;) {
		int ms = WAIT_SLICE_MS;
		if (deadline >= 0) {
			long left = deadline - now_ms();
			if (left <= 0)
				return UI_INPUT_NONE;
			if (left < ms)
				ms = (int)left;
		}
		int k = read_terminal(ms);
		if (k != UI_INPUT_NONE)
			return k;
	}
}

void ui_input_close(void)
{
	free(script);
	script = NULL;
	script_len = script_pos = 0;
	if (installed)
		for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
			sigaction(stop_signals[i], &saved[i], NULL);
	installed = false;
}
