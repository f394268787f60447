libchatsync_a_SOURCES += \
	src/api/dv_parse.c src/api/dv_parse.h \
	src/api/graph_parse.c src/api/graph_parse.h \
	src/api/json_util.c src/api/json_util.h
libchatsync_a_SOURCES += src/api/endpoints.c src/api/endpoints.h
libchatsync_a_SOURCES += src/api/dv_batch.c src/api/dv_batch.h
libchatsync_a_SOURCES += src/api/graph_rsc.c src/api/graph_rsc.h
