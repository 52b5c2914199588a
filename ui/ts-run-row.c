#include "ts-run-row.h"
#include "ts-seed-group.h"

#include <math.h>

static void
draw_swatch (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  double rgb[3];
  ts_plot_palette (ts_run_get_colour (data), rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0 - 1, 0, 2 * G_PI);
  cairo_fill (cr);
}

void
ts_run_draw_loss (TsRun *run, cairo_t *cr, int width, int height, gboolean log_scale)
{
  const TsCurveData *d = ts_run_get_curves (run);
  guint n = d->loss->len;
  g_autofree double *smooth = NULL;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE, rgb[3];

  if (n < 2)
    return;
  smooth = g_new (double, n);
  ts_plot_smooth ((const double *) d->loss->data, n, 0.95, smooth);
  for (guint i = 0; i < n; i++)
    {
      if (log_scale)
        smooth[i] = smooth[i] > 0 ? log (smooth[i]) : NAN;
      if (isfinite (smooth[i]))
        lo = MIN (lo, smooth[i]), hi = MAX (hi, smooth[i]);
    }
  if (!(hi > lo))
    return;
  ts_plot_palette (ts_run_get_colour (run), rgb);
  cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
  cairo_set_line_width (cr, 1.5);
  for (int px = 0; px < width; px++)
    {
      double v = smooth[(guint) ((double) px / (width - 1) * (n - 1))];
      double y = 2 + (height - 4) * (1 - ((isfinite (v) ? v : hi) - lo) / (hi - lo));
      if (px == 0)
        cairo_move_to (cr, px, y);
      else
        cairo_line_to (cr, px, y);
    }
  cairo_stroke (cr);
}

static void
draw_sparkline (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
  ts_run_draw_loss (data, cr, width, height, FALSE);
}

/* A tooltip set, even to the same text, asks the X server where the pointer
 * is (three round trips): only a new text is set. The label compares. */
static void
set_text (GtkWidget *label, const char *text)
{
  const char *tooltip = gtk_widget_get_tooltip_text (label);

  gtk_label_set_text (GTK_LABEL (label), text);
  if (g_strcmp0 (tooltip, text) != 0)
    gtk_widget_set_tooltip_text (label, text);
}

/* the run polled (ten times a second while it trains): its words
 * change with an epoch or a state; the sparkline redraws in
 * ts_run_row_refresh, at the window's redraw pace */
static void
update (TsRun *run, GtkWidget *row)
{
  g_autofree char *text = ts_run_status_text (run);

  set_text (g_object_get_data (G_OBJECT (row), "name"), ts_run_get_name (run));
  set_text (g_object_get_data (G_OBJECT (row), "status"), text);
}

void
ts_run_row_refresh (GtkWidget *row)
{
  TsRun *run = g_object_get_data (G_OBJECT (row), "run");
  guint drawn = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (row), "sparkline-points"));
  guint points = ts_run_get_curves (run)->loss->len;

  if (points == drawn)
    return;
  g_object_set_data (G_OBJECT (row), "sparkline-points", GUINT_TO_POINTER (points));
  gtk_widget_queue_draw (g_object_get_data (G_OBJECT (row), "sparkline"));
}

/* "fine-tuned from P": P the parent run's name when from is a run folder
 * (or its model.safetensors) with its experiment.json, else the folder's
 * or the file's name; the whole path in its tooltip */
static char *
parent_text (const char *from)
{
  g_autofree char *base = g_path_get_basename (from);
  g_autofree char *dir = NULL, *exp_path = NULL;
  g_autoptr(TsExperiment) parent = NULL;

  if (g_str_equal (base, "model.safetensors"))
    dir = g_path_get_dirname (from);
  else if (g_file_test (from, G_FILE_TEST_IS_DIR))
    dir = g_strdup (from);
  if (dir)
    {
      exp_path = g_build_filename (dir, "experiment.json", NULL);
      if (g_file_test (exp_path, G_FILE_TEST_IS_REGULAR))
        parent = ts_experiment_load_file (exp_path, NULL);
      g_free (base);
      base = g_path_get_basename (dir);
    }
  return g_strdup_printf ("fine-tuned from %s", parent ? parent->name : base);
}

/* A draft's model.init_from changes as it is edited: the label follows
 * (read again only when the path does) */
static void
update_parent (TsRun *run, GParamSpec *pspec, GtkWidget *label)
{
  const TsExperiment *exp = ts_run_get_experiment (run);
  const char *from = exp ? exp->model.init_from : "";
  g_autofree char *words = NULL;

  if (g_strcmp0 (g_object_get_data (G_OBJECT (label), "from"), from) == 0)
    return;
  g_object_set_data_full (G_OBJECT (label), "from", g_strdup (from), g_free);
  gtk_widget_set_visible (label, from[0] != '\0');
  if (from[0] == '\0')
    return;
  words = parent_text (from);
  gtk_label_set_text (GTK_LABEL (label), words);
  gtk_widget_set_tooltip_text (label, from);
}

static void
add_parent_label (TsRun *run, GtkWidget *row, GtkWidget *text)
{
  GtkWidget *label = gtk_label_new (NULL);

  /* two lines in the narrow sidebar, then cut at the end: "fine-tuned from" and the parent's name */
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (label), 2);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_visible (label, FALSE);
  gtk_box_append (GTK_BOX (text), label);
  g_object_set_data (G_OBJECT (row), "parent", label);
  g_signal_connect_object (run, "notify::experiment", G_CALLBACK (update_parent), label, 0);
  update_parent (run, NULL, label);
}

static void
on_state (TsRun *run, GParamSpec *pspec, GtkWidget *row)
{
  update (run, row);
}

static gboolean
expander_icon (GBinding *binding, const GValue *from, GValue *to, gpointer data)
{
  g_value_set_string (to, g_value_get_boolean (from) ? "pan-down-symbolic" : "pan-end-symbolic");
  return TRUE;
}

/* GtkListBox shows each row it makes from its model before it inserts it:
 * a member's visibility follows its group once the row has its parent */
static void
on_member_row_parented (GtkWidget *row, GParamSpec *pspec, GObject *group)
{
  if (gtk_widget_get_parent (row) && g_object_get_data (G_OBJECT (row), "bound") == NULL)
    {
      g_object_bind_property (group, "expanded", row, "visible", G_BINDING_SYNC_CREATE);
      g_object_set_data (G_OBJECT (row), "bound", GINT_TO_POINTER (1));
    }
}

/* A seed group's entry opens and closes on its members' rows, which sit
 * under it indented and show only while it is open. */
static void
add_group_parts (TsRun *run, GtkWidget *row, GtkWidget *box)
{
  GObject *group = ts_run_get_seed_group (run), *member_of = ts_run_get_member_of (run);

  if (group)
    {
      GtkWidget *expander = gtk_toggle_button_new ();
      gtk_widget_add_css_class (expander, "flat");
      gtk_widget_set_valign (expander, GTK_ALIGN_CENTER);
      gtk_widget_set_tooltip_text (expander, "Show the seeds' own runs");
      gtk_accessible_update_property (GTK_ACCESSIBLE (expander), GTK_ACCESSIBLE_PROPERTY_LABEL, "Show the seeds", -1);
      g_object_bind_property (group, "expanded", expander, "active", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
      g_object_bind_property_full (group, "expanded", expander, "icon-name", G_BINDING_SYNC_CREATE, expander_icon, NULL,
                                   NULL, NULL);
      gtk_box_prepend (GTK_BOX (box), expander);
      g_object_set_data (G_OBJECT (row), "expander", expander);
    }
  else if (member_of)
    {
      gtk_widget_set_margin_start (box, 28);
      g_signal_connect_object (row, "notify::parent", G_CALLBACK (on_member_row_parented), member_of, 0);
    }
}

GtkWidget *
ts_run_row_new (TsRun *run)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *swatch = gtk_drawing_area_new ();
  GtkWidget *sparkline = gtk_drawing_area_new ();
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *status = gtk_label_new (NULL);
  GtkWidget *overlay = gtk_check_button_new ();

  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (swatch), 12);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (swatch), 12);
  gtk_widget_set_valign (swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (swatch), draw_swatch, g_object_ref (run), g_object_unref);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (sparkline), 56);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (sparkline), 24);
  gtk_widget_set_valign (sparkline, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (sparkline), draw_sparkline, g_object_ref (run), g_object_unref);
  /* up to three lines, then cut in the middle: runs' names differ at their
   * ends ("FMNIST relu he", "FMNIST relu xavier"), which stay */
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_lines (GTK_LABEL (name), 3);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_width_chars (GTK_LABEL (name), 8);
  gtk_label_set_max_width_chars (GTK_LABEL (name), 20);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (status), 0);
  gtk_label_set_ellipsize (GTK_LABEL (status), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, "dim-label");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (text), name);
  gtk_box_append (GTK_BOX (text), status);
  add_parent_label (run, row, text);
  gtk_widget_set_tooltip_text (overlay, "Overlay this run on the plots");
  gtk_accessible_update_property (GTK_ACCESSIBLE (overlay), GTK_ACCESSIBLE_PROPERTY_LABEL, "Overlay on the plots", -1);
  g_object_bind_property (run, "overlay", overlay, "active", G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), text);
  gtk_box_append (GTK_BOX (box), sparkline);
  gtk_box_append (GTK_BOX (box), overlay);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  add_group_parts (run, row, box);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "status", status);
  g_object_set_data (G_OBJECT (row), "sparkline", sparkline);
  g_object_set_data_full (G_OBJECT (row), "run", g_object_ref (run), g_object_unref);
  g_signal_connect_object (run, "changed", G_CALLBACK (update), row, 0);
  g_signal_connect_object (run, "notify::state", G_CALLBACK (on_state), row, 0);
  g_signal_connect_object (run, "notify::status", G_CALLBACK (on_state), row, 0);
  g_signal_connect_object (run, "notify::name", G_CALLBACK (on_state), row, 0);
  update (run, row);
  return row;
}
