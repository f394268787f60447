libchatsync_a_SOURCES += \
	src/store/cache.c src/store/cache.h \
	src/store/cache_chats.c \
	src/store/cache_counts.c \
	src/store/cache_envs.c \
	src/store/cache_rows.c \
	src/store/cache_facts.c \
	src/store/history.c src/store/history.h \
	src/store/internal.h \
	src/store/schema.c src/store/schema.h \
	src/store/audit_log.c src/store/audit_log.h
