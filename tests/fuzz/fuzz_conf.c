/* The config file: every profile parsed is complete (defaults filled) and validates without a
 * crash; a refused file gives one line with its line number. */
#include "config.h"
#include "fuzz.h"
#include "core/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_cstr(data, size);
	struct conf conf;
	struct cs_error err = { 0 };
	if (conf_parse(&conf, "config", text, &err) == 0) {
		for (size_t i = 0; i < conf.n_profiles; i++) {
			const struct conf_profile *p = &conf.profiles[i];
			if (!p->name || !p->authority || !p->graph || !p->discovery || !p->chat_sync_app)
				abort();
			if (conf_profile_validate(p, i % 2, &err) != 0)
				fuzz_check_sentence(&err);
		}
		const struct conf_profile *p = conf_profile(&conf, "contoso", &err);
		if (!p)
			fuzz_check_sentence(&err);
		conf_free(&conf);
	} else {
		fuzz_check_sentence(&err);
		if (conf.n_profiles != 0)
			abort(); /* "conf is then empty" */
	}
	free(text);
	return 0;
}
