libchatsync_a_SOURCES += \
	src/core/conf.c src/core/conf.h \
	src/core/error.c src/core/error.h \
	src/core/i18n.h \
	src/core/log.c src/core/log.h \
	src/core/model.c src/core/model.h \
	src/core/paths.c src/core/paths.h \
	src/core/text.c src/core/text.h \
	src/core/timefmt.c src/core/timefmt.h \
	src/core/xalloc.c src/core/xalloc.h
include src/core/diag.mk
