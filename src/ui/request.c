/* The request table and its lookups. */
#include "config.h"
#include "ui/request.h"
#include "ui/keys.h"
#include "base/i18n.h"
#include <string.h>

#define UI_REQ_INFO_(name, id, group, key1, key2, help) \
	{ UI_REQ_##name, id, group, { key1, key2 }, help },
static const struct ui_request_info requests[UI_REQ_COUNT] = { UI_REQ_LIST(UI_REQ_INFO_) };
#undef UI_REQ_INFO_

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
