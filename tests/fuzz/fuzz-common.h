/* libFuzzer harnesses: each feeds one input to a loader the way a user's
 * file would reach it, and checks only that it returns (a result or an
 * error) without a crash, a leak or undefined behaviour. */
#pragma once

#include <trainscope.h>

#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Writes the input to a per-process scratch file and returns its path. */
static inline const char *
fuzz_write_file (const char *name, const uint8_t *data, size_t size)
{
  static char dir[64];
  static char path[160];

  if (dir[0] == '\0')
    {
      g_snprintf (dir, sizeof dir, "/tmp/trainscope-fuzz-%d", (int) getpid ());
      g_mkdir_with_parents (dir, 0700);
    }
  g_snprintf (path, sizeof path, "%s/%s", dir, name);
  g_file_set_contents (path, (const char *) data, (gssize) size, NULL);
  return path;
}

static inline const char *
fuzz_dir (void)
{
  static char dir[64];
  if (dir[0] == '\0')
    {
      g_snprintf (dir, sizeof dir, "/tmp/trainscope-fuzz-%d", (int) getpid ());
      g_mkdir_with_parents (dir, 0700);
    }
  return dir;
}
