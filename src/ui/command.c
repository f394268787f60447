/* The ":" commands: a line becomes the action the loop takes. */
#include "config.h"
#include "ui/view.h"
#include "ui/colors.h"
#include "base/i18n.h"
#include <string.h>

/* Splits line in place into the command name and its argument (NULL when none), trimmed. */
static char *split(char *line, char **arg)
{
	while (*line == ' ')
		line++;
	size_t n = strcspn(line, " ");
	char *a = line + n;
	if (*a)
		*a++ = '\0';
	while (*a == ' ')
		a++;
	size_t len = strlen(a);
	while (len > 0 && a[len - 1] == ' ')
		a[--len] = '\0';
	*arg = *a ? a : NULL;
	return line;
}

static struct ui_action needs(struct ui *ui, const struct ui_cmd_info *c)
{
	ui_message(ui, UI_COLOR_STATUS_ERROR, _(":%s needs %s (see ? for the commands)"), c->name, _(c->arg));
	return UI_ACTION(UI_ACT_DONE);
}

struct ui_action ui_command_parse(struct ui *ui, char *line)
{
	char *arg;
	char *name = split(line, &arg);
	if (!*name)
		return UI_ACTION(UI_ACT_DONE); /* an empty command line does nothing, as in vi */
	int k = ui_cmd_parse(name);
	if (k < 0) {
		enum ui_request req = ui_request_parse(name);
		if (req != UI_REQ_NONE)
			return (struct ui_action){ .act = UI_ACT_REQUEST, .req = req };
		ui_message(ui, UI_COLOR_STATUS_ERROR, _("unknown command :%s (press ? for the list)"), name);
		return UI_ACTION(UI_ACT_DONE);
	}
	const struct ui_cmd_info *c = ui_cmd_info((size_t)k);
	if (c->arg && !c->optional && !arg)
		return needs(ui, c);
	switch (c->cmd) {
	case UI_CMD_QUIT: return UI_ACTION(UI_ACT_QUIT);
	case UI_CMD_ENVS: return UI_OPEN(&view_envs_ops, NULL);
	case UI_CMD_CHATS:
	case UI_CMD_ENV: return UI_OPEN(&view_chats_ops, arg);
	case UI_CMD_CHAT: return UI_OPEN(&view_diag_ops, arg);
	case UI_CMD_RSC: return UI_OPEN(&view_rsc_ops, NULL);
	case UI_CMD_LOG: return UI_OPEN(&view_log_ops, NULL);
	case UI_CMD_AUDIT: return UI_OPEN(&view_audit_ops, NULL);
	case UI_CMD_CHANGES: return UI_OPEN(&view_changes_ops, NULL);
	case UI_CMD_HELP: return UI_OPEN(&view_help_ops, NULL);
	case UI_CMD_PROFILE: return (struct ui_action){ .act = UI_ACT_PROFILE, .arg = arg };
	case UI_CMD_REFRESH: return UI_ACTION(UI_ACT_REFRESH);
	case UI_CMD_FILTER: return (struct ui_action){ .act = UI_ACT_FILTER, .arg = arg };
	case UI_CMD_SORT: return (struct ui_action){ .act = UI_ACT_SORT, .arg = arg };
	case UI_CMD_SAVE_DISPLAY: return (struct ui_action){ .act = UI_ACT_SAVE, .arg = arg };
	default: return UI_ACTION(UI_ACT_DONE);
	}
}
