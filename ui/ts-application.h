/* ts-application.h — trainscope [EXPERIMENT.json|RUN_DIR] [--start] */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define TS_APPLICATION_ID "io.github.trainscope.Trainscope"
#define TS_TYPE_APPLICATION (ts_application_get_type ())
G_DECLARE_FINAL_TYPE (TsApplication, ts_application, TS, APPLICATION, AdwApplication)

TsApplication *ts_application_new (void);
/* The .ui templates, CSS and icons; ts_application_new does it too. */
void           ts_application_register_resources (void);
/* the app's CSS and icons on the default display (startup does it; so do
 * programs that show a window without the application) */
void           ts_application_style_display (void);

G_END_DECLS
