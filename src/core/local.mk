# core/: the model, the config file's syntax and the diagnosis rules; pure functions over plain
# structs, on base/ only (no I/O, no curl, curses or SQL).
libchatsync_a_SOURCES += \
	src/core/conf.c src/core/conf.h \
	src/core/model.c src/core/model.h
include src/core/diag.mk
