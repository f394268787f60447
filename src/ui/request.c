/* The request table and its lookups. */
#include "config.h"
#include "ui/request.h"
#include "ui/keys.h"
#include "base/i18n.h"
#include <stdio.h>
#include <string.h>

#define UI_REQ_INFO_(name, id, group, key1, key2, help) \
	{ UI_REQ_##name, id, group, { key1, key2 }, help },
static const struct ui_request_info requests[UI_REQ_COUNT] = { UI_REQ_LIST(UI_REQ_INFO_) };
#undef UI_REQ_INFO_

#define UI_CMD_INFO_(name, id, arg, optional, help) { UI_CMD_##name, id, arg, optional, help },
static const struct ui_cmd_info commands[UI_CMD_COUNT] = { UI_CMD_LIST(UI_CMD_INFO_) };
#undef UI_CMD_INFO_

const struct ui_cmd_info *ui_cmd_info(size_t i)
{
	return i < UI_CMD_COUNT ? &commands[i] : NULL;
}

int ui_cmd_parse(const char *name)
{
	for (int i = 0; name && i < UI_CMD_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return i;
	if (name && (strcmp(name, "quit") == 0 || strcmp(name, "q!") == 0 || strcmp(name, "qa") == 0))
		return UI_CMD_QUIT;
	return -1;
}

/* A man page's text: a leading dot or quote would be a request, a minus a hyphen. */
static void man_text(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\\')
			fputs("\\e", out);
		else
			fputc(*s, out);
	}
}

static char *cmd_usage(const struct ui_cmd_info *c, char *buf, size_t n)
{
	if (!c->arg)
		snprintf(buf, n, ":%s", c->name);
	else if (c->optional)
		snprintf(buf, n, ":%s [%s]", c->name, c->arg);
	else
		snprintf(buf, n, ":%s %s", c->name, c->arg);
	return buf;
}

void ui_request_doc(FILE *out, const char *format)
{
	bool man = strcmp(format, "man") == 0;
	char usage[64];
	if (!man)
		fputs("| key | action |\n|-----|--------|\n", out);
	for (size_t i = 0; i < UI_REQ_COUNT; i++) {
		const struct ui_request_info *r = &requests[i];
		if (man) {
			fputs(".TP\n\\fB", out);
			man_text(out, r->keys[0]);
			if (r->keys[1]) {
				fputs("\\fR, \\fB", out);
				man_text(out, r->keys[1]);
			}
			fputs("\\fR\n", out);
			man_text(out, r->help);
			fputs(".\n", out);
		} else {
			fprintf(out, "| `%s`%s%s%s | %s |\n", r->keys[0], r->keys[1] ? ", `" : "",
				r->keys[1] ? r->keys[1] : "", r->keys[1] ? "`" : "", r->help);
		}
	}
	for (size_t i = 0; i < UI_CMD_COUNT; i++) {
		cmd_usage(&commands[i], usage, sizeof usage);
		if (man) {
			fputs(".TP\n\\fB", out);
			man_text(out, usage);
			fputs("\\fR\n", out);
			man_text(out, commands[i].help);
			fputs(".\n", out);
		} else {
			fprintf(out, "| `%s` | %s |\n", usage, commands[i].help);
		}
	}
}

const struct ui_request_info *ui_request_info(enum ui_request req)
{
	if ((int)req < 0 || req >= UI_REQ_COUNT)
		return NULL;
	return &requests[req];
}

enum ui_request ui_request_for_key(int key)
{
	for (size_t i = 0; i < UI_REQ_COUNT; i++)
		for (size_t k = 0; k < 2; k++)
			if (requests[i].keys[k] && ui_key_parse(requests[i].keys[k]) == key)
				return requests[i].request;
	return UI_REQ_NONE;
}

enum ui_request ui_request_parse(const char *name)
{
	for (size_t i = 0; name && i < UI_REQ_COUNT; i++)
		if (strcmp(requests[i].name, name) == 0)
			return requests[i].request;
	return UI_REQ_NONE;
}

const char *ui_req_group_title(enum ui_req_group group)
{
	switch (group) {
	case UI_GROUP_MOVE: return _("Moving");
	case UI_GROUP_VIEW: return _("Views");
	case UI_GROUP_ACTION: return _("Actions");
	default: return "";
	}
}
