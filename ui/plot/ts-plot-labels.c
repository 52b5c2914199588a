#include "ts-plot-labels.h"

#include <string.h>


/* words of a name: split at spaces; separators such as "·" or "|" alone
 * are not words */
static GPtrArray *
words (const char *name)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) parts = g_strsplit_set (name ? name : "", " \t", -1);

  for (int i = 0; parts[i]; i++)
    {
      gboolean word = FALSE;
      for (const char *p = parts[i]; *p; p = g_utf8_next_char (p))
        word |= g_unichar_isalnum (g_utf8_get_char (p));
      if (word)
        g_ptr_array_add (out, g_strdup (parts[i]));
    }
  return out;
}

static gboolean
has_word (GPtrArray *w, const char *word)
{
  for (guint i = 0; i < w->len; i++)
    if (g_str_equal (w->pdata[i], word))
      return TRUE;
  return FALSE;
}

static gboolean
is_number (const char *word)
{
  return g_ascii_isdigit (word[0]) || (word[0] == '-' && g_ascii_isdigit (word[1]))
         || (word[0] == '.' && g_ascii_isdigit (word[1]));
}

/* a setting's name written before its value: "lr", "l2", "seed", "width" */
static gboolean
is_key (const char *word)
{
  if (!g_ascii_islower (word[0]) || strlen (word) > 12)
    return FALSE;
  for (const char *p = word; *p; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
in_common (GPtrArray **all, guint n, const char *word)
{
  for (guint k = 0; k < n; k++)
    if (!has_word (all[k], word))
      return FALSE;
  return TRUE;
}

/* the differing words of one name, each number led by the shared key
 * naming it ("lr 0.3"; not "Fashion-MNIST 100") */
static char *
label_of (GPtrArray **all, guint n, guint r)
{
  GPtrArray *w = all[r];
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; i < w->len; i++)
    {
      const char *word = w->pdata[i];
      if (in_common (all, n, word))
        continue;
      if (is_number (word) && i > 0 && in_common (all, n, w->pdata[i - 1]) && is_key (w->pdata[i - 1]))
        g_string_append_printf (s, "%s%s", s->len ? " " : "", (const char *) w->pdata[i - 1]);
      g_string_append_printf (s, "%s%s", s->len ? " " : "", word);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

char **
ts_plot_distinct_labels (const char *const *names, guint n, char **common)
{
  g_autofree GPtrArray **all = g_new0 (GPtrArray *, MAX (n, 1));
  char **labels = g_new0 (char *, n + 1);

  for (guint r = 0; r < n; r++)
    all[r] = words (names[r]);
  for (guint r = 0; r < n; r++)
    labels[r] = n > 1 ? label_of (all, n, r) : g_strdup (names[r] ? names[r] : "");
  /* a name whose every word is shared (it is the others' base), and names
   * whose differing words came out the same (the same words reordered), keep
   * their whole name; equal names stay equal */
  {
    g_autofree gboolean *clash = g_new0 (gboolean, MAX (n, 1));
    for (guint r = 0; r < n; r++)
      {
        clash[r] = labels[r][0] == '\0';
        for (guint q = 0; q < n && !clash[r]; q++)
          clash[r] = q != r && g_str_equal (labels[q], labels[r]) && g_strcmp0 (names[q], names[r]) != 0;
      }
    for (guint r = 0; r < n; r++)
      if (clash[r])
        {
          g_free (labels[r]);
          labels[r] = g_strdup (names[r] ? names[r] : "");
        }
  }
  if (common)
    {
      g_autoptr(GPtrArray) shared = g_ptr_array_new ();
      for (guint i = 0; n > 1 && i < all[0]->len; i++)
        if (in_common (all, n, all[0]->pdata[i]) && !has_word (shared, all[0]->pdata[i]))
          g_ptr_array_add (shared, all[0]->pdata[i]);
      g_ptr_array_add (shared, NULL);
      *common = g_strjoinv (" ", (char **) shared->pdata);
    }
  for (guint r = 0; r < n; r++)
    g_ptr_array_unref (all[r]);
  return labels;
}
