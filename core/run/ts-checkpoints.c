#include "ts-checkpoints.h"
#include "ts-error.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

char *
ts_checkpoint_path (const char *run_dir, guint epoch)
{
  g_autofree char *name = g_strdup_printf ("epoch-%03u.safetensors", epoch);
  return g_build_filename (run_dir, "checkpoints", name, NULL);
}

gboolean
ts_checkpoint_save (const char *run_dir, guint epoch, const TsNet *net, const TsPreprocess *preprocess,
                    const TsExperiment *exp, GError **error)
{
  g_autofree char *dir = g_build_filename (run_dir, "checkpoints", NULL);
  g_autofree char *path = ts_checkpoint_path (run_dir, epoch);

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s: cannot create the folder: %s", dir, g_strerror (saved));
      return FALSE;
    }
  return ts_model_save (path, net, preprocess, exp, error);
}

/* "epoch-012.safetensors" → 12; -1 for any other name (temporary files too) */
static gint64
epoch_of (const char *name)
{
  guint64 epoch;
  g_autofree char *digits = NULL;

  if (!g_str_has_prefix (name, "epoch-") || !g_str_has_suffix (name, ".safetensors"))
    return -1;
  digits = g_strndup (name + 6, strlen (name) - 6 - strlen (".safetensors"));
  if (!g_ascii_string_to_unsigned (digits, 10, 0, G_MAXUINT32, &epoch, NULL))
    return -1;
  return (gint64) epoch;
}

static int
by_epoch (gconstpointer a, gconstpointer b)
{
  gint64 x = epoch_of (strrchr (*(char *const *) a, G_DIR_SEPARATOR) + 1);
  gint64 y = epoch_of (strrchr (*(char *const *) b, G_DIR_SEPARATOR) + 1);
  return x < y ? -1 : x > y;
}

GPtrArray *
ts_checkpoint_list (const char *run_dir, GError **error)
{
  g_autofree char *dir = g_build_filename (run_dir, "checkpoints", NULL);
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing && (name = g_dir_read_name (listing)) != NULL)
    if (epoch_of (name) >= 0)
      g_ptr_array_add (paths, g_build_filename (dir, name, NULL));
  if (paths->len == 0)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO,
                   "%s: no checkpoints (expected checkpoints/epoch-NNN.safetensors: train with "
                   "train.checkpoint_every or the cosine_restarts schedule)", run_dir);
      return NULL;
    }
  g_ptr_array_sort (paths, by_epoch);
  return g_steal_pointer (&paths);
}
