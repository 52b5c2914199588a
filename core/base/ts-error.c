#include "ts-error.h"

G_DEFINE_QUARK (ts-error-quark, ts_error)
