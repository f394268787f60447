# The diagnosis engine (rules over cached facts) and its report rendering (text, JSON, check).
libchatsync_a_SOURCES += \
	src/core/diagnose.c src/core/diagnose.h src/core/diagnose_int.h \
	src/core/diagnose_build.c src/core/diagnose_dataverse.c src/core/diagnose_graph.c \
	src/core/diagnose_engine.c \
	src/core/diag_report.c src/core/diag_report.h \
	src/core/diag_compare.c
