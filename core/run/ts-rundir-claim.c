/* A run owns its folder: the lock, what the folder may already hold, and
 * the space kept for a last word on a full disk (ts-rundir.h). */
#include "ts-rundir.h"
#include "ts-rundir-private.h"
#include "ts-error.h"
#include "ts-io.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* ---- the lock ---------------------------------------------------------------- */

static char *
holder_text (int fd)
{
  char buf[256];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return g_strdup ("a run that has not yet said who it is");
  buf[n] = '\0';
  g_strchomp (buf);
  return g_utf8_make_valid (buf, -1);
}

int
_ts_run_dir_lock (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, TS_RUN_LOCK_FILE, NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%S UTC");
  g_autofree char *me = NULL;
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot create the lock file: %s", path, g_strerror (saved));
      return -1;
    }
  /* flock, not fcntl: it belongs to this descriptor, so two runs of one
   * window exclude each other too, and the kernel drops it with the process */
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      g_autofree char *holder = saved == EWOULDBLOCK ? holder_text (fd) : NULL;
      if (holder)
        g_set_error (error, TS_ERROR, TS_ERROR_BUSY,
                     "%s: another run is writing this folder (%s); wait for it to end, or choose another folder",
                     dir, holder);
      else
        g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot lock: %s", path, g_strerror (saved));
      close (fd);
      return -1;
    }
  me = g_strdup_printf ("pid %d on %s, started %s\n", (int) getpid (), g_get_host_name (), stamp);
  if (ftruncate (fd, 0) != 0 || pwrite (fd, me, strlen (me), 0) != (ssize_t) strlen (me))
    {
      /* the lock holds without its note; a second run then says less */
    }
  return fd;
}

/* ---- what the folder holds --------------------------------------------------- */

static const char *const run_files[] = {
  "experiment.json", "metrics.csv", "steps.csv", "layers.csv", "advice.json", "summary.json",
  "model.safetensors", TS_RUN_LOCK_FILE, _TS_RUN_RESERVE_FILE, NULL,
};

/* what `trainscope-cli run --plots` adds (app/cli-run.c) */
static const char *const plot_stems[] = {
  "loss", "accuracy", "lr", "weights", "update-ratio", "grad-norm", "dead-saturated", "decision-boundary", NULL,
};

static gboolean
is_plot (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem = dot ? g_strndup (name, dot - name) : NULL;

  return dot && g_strv_contains ((const char *const[]) { ".png", ".svg", ".pdf", NULL }, dot)
         && g_strv_contains (plot_stems, stem);
}

/* NAME.XXXXXX: ts_write_file_atomic's temporary file, left by a kill */
static gboolean
is_temp (const char *name)
{
  gsize len = strlen (name);
  g_autofree char *target = NULL;

  if (len < 8 || name[len - 7] != '.')
    return FALSE;
  for (gsize i = len - 6; i < len; i++)
    if (!g_ascii_isalnum (name[i]))
      return FALSE;
  target = g_strndup (name, len - 7);
  return g_strv_contains (run_files, target) || is_plot (target);
}

static gboolean
is_run_file (const char *name)
{
  return g_strv_contains (run_files, name) || is_plot (name) || is_temp (name);
}

/* "a", "b" and 3 more */
static char *
list_names (GPtrArray *names)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < names->len && i < 3; i++)
    g_string_append_printf (s, "%s“%s”", i ? ", " : "", (const char *) names->pdata[i]);
  if (names->len > 3)
    g_string_append_printf (s, " and %u more", names->len - 3);
  return g_string_free (s, FALSE);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* A value as a person would write it: a double in the fewest digits that
 * read back the same (0.1, not JSON's 0.10000000000000001) */
static char *
value_text (JsonNode *node)
{
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double v = json_node_get_double (node);
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (buf, sizeof buf, "%.15g", v);
      if (g_ascii_strtod (buf, NULL) != v)
        g_ascii_formatd (buf, sizeof buf, "%.17g", v);
      return g_strdup (buf);
    }
  return ts_json_to_string (node, FALSE);
}

/* The first key whose value differs, as "train.epochs is 200 there, 20 here". */
static char *
first_difference (JsonNode *there, JsonNode *here, const char *prefix)
{
  if (JSON_NODE_HOLDS_OBJECT (there) && JSON_NODE_HOLDS_OBJECT (here))
    {
      JsonObject *a = json_node_get_object (there), *b = json_node_get_object (here);
      g_autoptr(GList) keys = json_object_get_members (b);
      for (GList *k = keys; k; k = k->next)
        {
          g_autofree char *path = *prefix ? g_strdup_printf ("%s.%s", prefix, (char *) k->data) : g_strdup (k->data);
          JsonNode *x = json_object_get_member (a, k->data);
          char *diff;
          if (x == NULL)
            return g_strdup_printf ("%s is missing there", path);
          if ((diff = first_difference (x, json_object_get_member (b, k->data), path)) != NULL)
            return diff;
        }
      return NULL;
    }
  {
    g_autofree char *x = ts_json_to_string (there, FALSE), *y = ts_json_to_string (here, FALSE);
    g_autofree char *x_text = NULL, *y_text = NULL;

    if (strcmp (x, y) == 0)
      return NULL;
    x_text = value_text (there);
    y_text = value_text (here);
    return g_strdup_printf ("%s is %.40s there, %.40s here", prefix, x_text, y_text);
  }
}

/* Is the folder's experiment.json exp? If not, *why says how it differs. */
static gboolean
same_experiment (const char *dir, const TsExperiment *exp, char **why)
{
  g_autofree char *path = g_build_filename (dir, "experiment.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(TsExperiment) old = ts_experiment_load_file (path, &error);
  g_autoptr(JsonNode) there = NULL, here = NULL;

  if (old == NULL)
    {
      *why = g_strdup_printf ("its experiment.json does not load: %s", error->message);
      return FALSE;
    }
  there = ts_experiment_to_node (old);
  here = ts_experiment_to_node (exp);
  *why = first_difference (there, here, "");
  if (*why == NULL)
    return TRUE;
  if (strcmp (old->name, exp->name) != 0)
    {
      g_free (*why);
      *why = g_strdup_printf ("“%s”", old->name);
    }
  return FALSE;
}

static gboolean
remove_files (const char *dir, GPtrArray *names, GError **error)
{
  /* summary.json first: from here on the folder is an unfinished run */
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);

  if (g_unlink (summary) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot remove: %s", summary, g_strerror (saved));
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[i], NULL);
      if (strcmp (names->pdata[i], TS_RUN_LOCK_FILE) == 0)
        continue; /* held by this run */
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, TS_ERROR, TS_ERROR_WRITE, "%s: cannot remove: %s", path, g_strerror (saved));
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
_ts_run_dir_take (const char *dir, const TsExperiment *exp, GError **error)
{
  g_autoptr(GError) inner = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &inner);
  g_autoptr(GPtrArray) ours = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) foreign = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *old_name = NULL;
  gboolean has_experiment = FALSE, finished;
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s", inner->message);
      return FALSE;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      gboolean ours_ = is_run_file (name) && !g_file_test (path, G_FILE_TEST_IS_DIR);
      g_ptr_array_add (ours_ ? ours : foreign, g_strdup (name));
      has_experiment |= strcmp (name, "experiment.json") == 0;
    }
  g_ptr_array_sort (foreign, compare_names);
  if (foreign->len > 0)
    {
      g_autofree char *list = list_names (foreign);
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "%s: not a run folder (it holds %s); choose a new or empty folder for the run", dir, list);
      return FALSE;
    }
  if (!has_experiment)
    {
      /* nothing but a lock, a reserve or temporary files: an empty folder */
      for (guint i = 0; i < ours->len; i++)
        if (!is_temp (ours->pdata[i]) && strcmp (ours->pdata[i], TS_RUN_LOCK_FILE) != 0
            && strcmp (ours->pdata[i], _TS_RUN_RESERVE_FILE) != 0)
          {
            g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                         "%s: holds run files (“%s”) but no experiment.json; delete the folder or choose another",
                         dir, (const char *) ours->pdata[i]);
            return FALSE;
          }
      return remove_files (dir, ours, error);
    }
  if (!same_experiment (dir, exp, &old_name))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "%s: holds a run of another experiment (%s); choose another folder, or delete this one to "
                   "reuse it", dir, old_name);
      return FALSE;
    }
  {
    TsRunSummary summary;
    finished = ts_run_dir_load_summary (dir, &summary, NULL);
    ts_run_summary_clear (&summary);
  }
  if (!finished)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_INVALID,
                   "%s: holds an unfinished run of this experiment (no readable summary.json: it was killed); delete the "
                   "folder to run it again there", dir);
      return FALSE;
    }
  /* a finished run of the same experiment: run it again, from nothing */
  return remove_files (dir, ours, error);
}

/* ---- the reserve --------------------------------------------------------------- */

void
_ts_run_dir_reserve (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, _TS_RUN_RESERVE_FILE, NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);

  if (fd < 0)
    return; /* no reserve: a full disk then leaves no summary */
  if (posix_fallocate (fd, 0, _TS_RUN_RESERVE_BYTES) != 0)
    {
      close (fd);
      g_unlink (path);
      return;
    }
  close (fd);
}

void
_ts_run_dir_release_reserve (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, _TS_RUN_RESERVE_FILE, NULL);
  g_unlink (path);
}
