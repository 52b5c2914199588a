/* cli-util.h — running trainscope-cli ($TS_CLI) from a test as a user
 * would, for the CLI suites. */
#pragma once

#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include <sys/wait.h>

/* argv (NULL-terminated, the CLI first) run to the end: its exit status,
 * or -1 when a signal ended it; out and err receive what it printed */
static inline int
spawn_cli (char **argv, char **out, char **err)
{
  for (int attempt = 0;; attempt++)
    {
      g_autoptr(GError) error = NULL;
      int status;

      g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error));
      g_assert_no_error (error);
      /* Under the sanitizers, LeakSanitizer itself sometimes cannot stop
       * the exiting process's threads on a loaded machine and exits 1 with
       * this line: not a finding about the CLI, so run it once more (a
       * real leak report says "detected memory leaks" and still fails);
       * the load that caused it can last, so up to three attempts */
      if (attempt < 2 && WIFEXITED (status) && WEXITSTATUS (status) == 1 && err && *err
          && strstr (*err, "LeakSanitizer has encountered a fatal error"))
        {
          g_test_message ("LeakSanitizer could not run; running %s again", argv[1]);
          g_clear_pointer (out, g_free);
          g_clear_pointer (err, g_free);
          continue;
        }
      /* whatever a sanitizer said goes to the test log, where CI shows it */
      if (err && *err && strstr (*err, "Sanitizer"))
        g_printerr ("%s", *err);
      return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
    }
}

/* trainscope-cli with the NULL-terminated arguments after err */
static inline int
run_cli (char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;

  g_clear_pointer (out, g_free); /* callers reuse their buffers */
  g_clear_pointer (err, g_free);
  g_ptr_array_add (argv, (gpointer) g_getenv ("TS_CLI"));
  va_start (args, err);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return spawn_cli ((char **) argv->pdata, out, err);
}
