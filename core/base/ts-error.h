/* ts-error.h — the one error domain of libtrainscope.
 *
 * Everything in core/ that can fail on user input returns FALSE/NULL and
 * fills a GError in TS_ERROR whose message names the file, key or offset:
 *
 *   g_autoptr(GError) error = NULL;
 *   if (!ts_experiment_load_file ("exp.json", &error))
 *     g_printerr ("%s\n", error->message);
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define TS_ERROR (ts_error_quark ())

typedef enum {
  TS_ERROR_INVALID,     /* a value or key that is not allowed */
  TS_ERROR_IO,          /* a file could not be read or written */
  TS_ERROR_FORMAT,      /* a file's content is not what its format says */
  TS_ERROR_UNSUPPORTED, /* valid, but not something this build can do */
  TS_ERROR_CANCELLED,   /* the user stopped the work */
  TS_ERROR_DIVERGED,    /* training produced NaN or Inf */
  TS_ERROR_BUSY,        /* another run is writing the same folder */
  TS_ERROR_WRITE,       /* an output could not be written: the run failed, the input was fine */
} TsError;

GQuark ts_error_quark (void);

G_END_DECLS
