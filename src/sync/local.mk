# sync/: the application services the front ends run on: a session (config, profile, cache), the
# refresh planner and the sync toggle. On base/, core/, net/, api/ and store/.
# The refresh: refresh.c runs the phases (dataverse.c with dv_rows.c, graph.c) on the context of
# refresh_ctx.h.
libchatsync_a_SOURCES += \
	src/sync/dataverse.c src/sync/dataverse.h src/sync/dv_rows.c src/sync/graph.c \
	src/sync/history.c src/sync/history.h \
	src/sync/refresh.c src/sync/refresh.h \
	src/sync/refresh_ctx.c src/sync/refresh_ctx.h \
	src/sync/rsc_read.c src/sync/rsc_read.h \
	src/sync/session.c src/sync/session.h \
	src/sync/strset.c src/sync/strset.h \
	src/sync/toggle.c src/sync/toggle.h \
	src/sync/writer.c src/sync/writer.h
