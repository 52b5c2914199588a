/* A fork's name follows what changed from its parent (see ts-experiment.h). */
#include "ts-experiment.h"

#include <string.h>

#define SEP " · "

/* keys whose value reads as a name on its own ("xavier", "moons") */
static gboolean
names_itself (const TsExperimentKeyDoc *doc)
{
  return doc->choices != NULL || g_str_equal (doc->key, "data.source");
}

/* how a value reads in a name: builtin:moons → moons, folder:/a/pets → pets */
static char *
value_label (const char *key, const char *text)
{
  const char *colon;

  if (!g_str_equal (key, "data.source") || (colon = strchr (text, ':')) == NULL)
    return g_strdup (text);
  if (g_str_has_prefix (text, "builtin:"))
    return g_strdup (colon + 1);
  return g_path_get_basename (colon + 1);
}

/* what a change adds to a name: the value for a choice, else "leaf value" */
static char *
change_label (const TsExperimentKeyDoc *doc, const char *text)
{
  g_autofree char *value = value_label (doc->key, text);
  const char *leaf = strrchr (doc->key, '.');

  if (names_itself (doc))
    return g_steal_pointer (&value);
  return g_strdup_printf ("%s %s", leaf ? leaf + 1 : doc->key, value);
}

char *
ts_experiment_fork_name (const TsExperiment *parent, const TsExperiment *fork)
{
  guint n_docs;
  const TsExperimentKeyDoc *docs = ts_experiment_key_docs (&n_docs);
  g_auto(GStrv) parts = g_strsplit (parent->name ? parent->name : "", SEP, -1);
  g_autofree gboolean *replaced = g_new0 (gboolean, g_strv_length (parts) + 1);
  g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func (g_free);
  GString *name;
  gboolean changed = FALSE;

  for (guint i = 0; i < n_docs; i++)
    {
      const TsExperimentKeyDoc *doc = &docs[i];
      g_autofree char *before = NULL, *after = NULL, *old_label = NULL;
      gboolean done = FALSE;

      if (g_str_equal (doc->key, "name"))
        continue;
      before = ts_experiment_get_text (parent, doc->key);
      after = ts_experiment_get_text (fork, doc->key);
      if (g_strcmp0 (before, after) == 0)
        continue;
      changed = TRUE;
      /* a part of the name that spells the old value takes the new one */
      old_label = value_label (doc->key, before);
      for (guint p = 0; parts[p] && names_itself (doc) && !done; p++)
        if (!replaced[p] && *g_strstrip (parts[p]))
          {
            g_autofree char *a = g_utf8_casefold (parts[p], -1), *b = g_utf8_casefold (old_label, -1);
            if (g_str_equal (a, b))
              {
                g_free (parts[p]);
                parts[p] = value_label (doc->key, after);
                replaced[p] = done = TRUE;
              }
          }
      if (!done)
        g_ptr_array_add (added, change_label (doc, after));
    }
  name = g_string_new (NULL);
  for (guint p = 0; parts[p]; p++)
    if (*parts[p])
      g_string_append_printf (name, "%s%s", name->len ? SEP : "", parts[p]);
  for (guint a = 0; a < added->len; a++)
    g_string_append_printf (name, "%s%s", name->len ? SEP : "", (char *) added->pdata[a]);
  if (!changed)
    g_string_append (name, " (fork)");
  return g_string_free (name, FALSE);
}
