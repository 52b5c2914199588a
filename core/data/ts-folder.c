/* folder:DIR — one sub-folder per class, images in any format gdk-pixbuf
 * reads, each resized to image_size × image_size. Colour or grey is decided
 * by the images: if every pixel of every image is grey, one channel. Images
 * that cannot be read are skipped with a warning naming each one. */
#include "ts-loaders.h"
#include "ts-error.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

typedef struct {
  guint  label;
  float *rgb; /* (3, size, size) */
} Image;

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static GPtrArray *
sorted_entries (const char *dir, gboolean want_dirs, GError **error)
{
  g_autoptr(GError) inner = NULL;
  g_autoptr(GDir) d = g_dir_open (dir, 0, &inner);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (d == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_IO, "%s", inner->message);
      g_ptr_array_unref (names);
      return NULL;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (name[0] != '.' && g_file_test (path, want_dirs ? G_FILE_TEST_IS_DIR : G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_ptr_array_sort (names, compare_names);
  return names;
}

static void
on_area_updated (GdkPixbufLoader *loader, int x, int y, int width, int height, int *rows)
{
  *rows = MAX (*rows, y + height);
}

/* The whole image, or an error: gdk-pixbuf's loaders hand back what they
 * decoded of a file cut short (a half-written PNG is half grey) without a
 * word, so the rows they report decoded must reach the bottom. */
static GdkPixbuf *
load_whole (const char *path, GError **error)
{
  g_autoptr(GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autofree char *data = NULL;
  GdkPixbuf *pixbuf;
  gsize len;
  int rows = 0;

  if (!g_file_get_contents (path, &data, &len, error))
    return NULL;
  g_signal_connect (loader, "area-updated", G_CALLBACK (on_area_updated), &rows);
  if (!gdk_pixbuf_loader_write (loader, (const guchar *) data, len, error))
    {
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  if (!gdk_pixbuf_loader_close (loader, error))
    return NULL;
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "not an image");
      return NULL;
    }
  if (rows < gdk_pixbuf_get_height (pixbuf))
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "truncated: %d of its %d rows could be read", rows,
                   gdk_pixbuf_get_height (pixbuf));
      return NULL;
    }
  return g_object_ref (pixbuf);
}

static float *
read_image (const char *path, guint size, gboolean *grey, GError **error)
{
  g_autoptr(GdkPixbuf) whole = load_whole (path, error);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  float *rgb;
  const guint8 *pixels;
  int stride, channels;

  if (whole == NULL)
    return NULL;
  /* as gdk_pixbuf_new_from_file_at_scale scales what a loader cannot */
  pixbuf = gdk_pixbuf_scale_simple (whole, (int) size, (int) size, GDK_INTERP_BILINEAR);
  if (pixbuf == NULL || gdk_pixbuf_get_width (pixbuf) != (int) size || gdk_pixbuf_get_height (pixbuf) != (int) size)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "could not be scaled to %u×%u", size, size);
      return NULL;
    }
  rgb = g_new (float, 3 * size * size);
  pixels = gdk_pixbuf_read_pixels (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  for (guint y = 0; y < size; y++)
    for (guint x = 0; x < size; x++)
      {
        const guint8 *p = pixels + (gsize) y * stride + (gsize) x * channels;
        for (int c = 0; c < 3; c++)
          rgb[(gsize) c * size * size + y * size + x] = p[c] * (1.0f / 255.0f);
        if (p[0] != p[1] || p[1] != p[2])
          *grey = FALSE;
      }
  return rgb;
}

static void
free_images (GArray *images)
{
  for (guint k = 0; k < images->len; k++)
    g_free (g_array_index (images, Image, k).rgb);
}

gboolean
ts_folder_load (const char *dir, guint size, TsSourceData *out, const TsLoadContext *ctx, GError **error)
{
  g_autoptr(GPtrArray) classes = sorted_entries (dir, TRUE, error);
  g_autoptr(GArray) images = g_array_new (FALSE, FALSE, sizeof (Image));
  gboolean grey = TRUE;
  TsDataset *ds;
  guint channels;

  if (classes == NULL)
    return FALSE;
  if (classes->len < 2)
    {
      g_set_error (error, TS_ERROR, TS_ERROR_FORMAT, "%s: expected one sub-folder per class, at least two (found %u)",
                   dir, classes->len);
      return FALSE;
    }
  for (guint c = 0; c < classes->len; c++)
    {
      g_autofree char *class_dir = g_build_filename (dir, classes->pdata[c], NULL);
      g_autoptr(GPtrArray) files = sorted_entries (class_dir, FALSE, NULL);
      g_autofree char *first_skip = NULL;
      guint read = 0;
      for (guint i = 0; files && i < files->len; i++)
        {
          if (!ts_load_step (ctx, (c + (double) i / files->len) / classes->len, error))
            {
              free_images (images);
              return FALSE;
            }
          g_autofree char *path = g_build_filename (class_dir, files->pdata[i], NULL);
          g_autoptr(GError) inner = NULL;
          Image img = { c, read_image (path, size, &grey, &inner) };
          if (img.rgb)
            {
              g_array_append_val (images, img);
              read++;
              continue;
            }
          g_ptr_array_add (out->warnings, g_strdup_printf ("%s: skipped: %s", path, inner->message));
          if (first_skip == NULL)
            first_skip = g_strdup (out->warnings->pdata[out->warnings->len - 1]);
        }
      /* a class without a sample would train as if the others were all */
      if (read == 0)
        {
          if (first_skip)
            g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                         "%s: no readable images in this class folder (%s); every class needs at least one",
                         class_dir, first_skip);
          else
            g_set_error (error, TS_ERROR, TS_ERROR_FORMAT,
                         "%s: an empty class folder; every class needs at least one image", class_dir);
          free_images (images);
          return FALSE;
        }
    }
  channels = grey ? 1 : 3;
  ds = ts_dataset_new_image (images->len, channels, size, size, classes->len);
  for (guint i = 0; i < images->len; i++)
    {
      Image *img = &g_array_index (images, Image, i);
      memcpy (ds->x + (gsize) i * ds->dim, img->rgb, sizeof (float) * ds->dim); /* grey: the R plane */
      ds->y[i] = img->label;
      g_free (img->rgb);
    }
  g_ptr_array_add (classes, NULL);
  ds->class_names = g_strdupv ((char **) classes->pdata);
  out->train = ds;
  return TRUE;
}
