/* The window's Transfer page: a run of this session as the pre-trained
 * model, a measurement in the worker with the 2×2 cell highlighted and
 * transfer.json written as the CLI writes it, Cancel, Alt+8, and the
 * strategies queued as runs in the sidebar. */
#include "window-util.h"
#include "ts-transfer-page.h"

#include <string.h>

static gboolean
page_idle (gpointer page)
{
  return !ts_transfer_page_is_busy (page);
}

static gboolean
strategies_done (gpointer page)
{
  const TsTransferReport *r = ts_transfer_page_get_report (page);
  ts_transfer_page_poll (page);
  for (int s = 0; s < TS_N_STRATEGIES; s++)
    if (r->results[s].run == NULL)
      return FALSE;
  return TRUE;
}

static TsTransferPage *
open_page (TsWindow **window_out, const char *source_run)
{
  TsWindow *window = new_window ();
  g_autoptr(GError) error = NULL;
  TsTransferPage *page = TS_TRANSFER_PAGE (ts_window_get_transfer_page (window));

  g_assert_nonnull (ts_window_open_run_dir (window, source_run, &error));
  g_assert_no_error (error);
  /* Alt+8 shows it, as Alt+6 and Alt+7 show theirs */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "transfer");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  *window_out = window;
  return page;
}

static void
test_measure (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 6);
  g_autofree char *model = g_build_filename (run, "model.safetensors", NULL);
  g_autofree char *json_path = NULL, *text = NULL;
  TsWindow *window;
  TsTransferPage *page = open_page (&window, run);
  const TsTransferReport *r;
  GtkWidget *cell;
  cairo_surface_t *shot;

  /* the finished run is offered (the page refreshes when shown) */
  g_assert_cmpstr (ts_transfer_page_get_model (page), ==, model);
  ts_transfer_page_set_target (page, "builtin:spiral", "data.classes=3; data.samples=600");
  g_assert_true (ts_transfer_page_start (page));
  g_assert_false (ts_transfer_page_start (page)); /* one at a time */
  g_assert_true (spin_until (page_idle, page, 60));
  g_assert_null (ts_transfer_page_get_error (page));
  r = ts_transfer_page_get_report (page);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->n_stages, ==, 2);
  g_assert_cmpuint (r->n_classes, ==, 3);
  /* the cell the report names is the one highlighted, and only it */
  {
    g_autofree char *needle = g_strdup_printf ("\n(%s)", ts_strategy_name (r->recommended));
    cell = find_label_containing (GTK_WIDGET (page), needle);
  }
  g_assert_nonnull (cell);
  g_assert_true (gtk_widget_has_css_class (cell, "current"));
  for (TsStrategy s = 0; s < TS_STRATEGY_SCRATCH; s++)
    if (s != r->recommended && s != TS_STRATEGY_SCRATCH)
      {
        g_autofree char *needle = g_strdup_printf ("\n(%s)", ts_strategy_name (s));
        GtkWidget *other = find_label_containing (GTK_WIDGET (page), needle);
        g_assert_nonnull (other);
        g_assert_false (gtk_widget_has_css_class (other, "current"));
      }
  g_assert_nonnull (find_figure (GTK_WIDGET (page), "transfer-stages"));
  json_path = g_build_filename (ts_transfer_page_get_output_dir (page), "transfer.json", NULL);
  g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "\"cell\" : \""));
  g_assert_nonnull (strstr (text, ts_transfer_cell (r)));
  shot = render_widget (GTK_WIDGET (window), "transfer-page.png");
  cairo_surface_destroy (shot);
  /* and its lower half: the evidence and the 2×2 table */
  {
    GtkWidget *scroller = gtk_widget_get_first_child (GTK_WIDGET (page));
    GtkAdjustment *v = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
    gtk_adjustment_set_value (v, gtk_adjustment_get_upper (v));
    shot = render_widget (GTK_WIDGET (window), "transfer-page-table.png");
    cairo_surface_destroy (shot);
  }
  /* the five strategies: runs in the sidebar, trained through the queue,
   * their results read back into the table */
  {
    guint before = g_list_model_get_n_items (ts_window_get_runs (window));
    g_assert_true (ts_transfer_page_run_strategies (page));
    g_assert_cmpuint (g_list_model_get_n_items (ts_window_get_runs (window)), ==, before + TS_N_STRATEGIES);
    g_assert_true (spin_until (strategies_done, page, 240));
    g_assert_cmpint (ts_transfer_winner (ts_transfer_page_get_transfer (page)), >=, 0);
    g_assert_nonnull (find_label_containing (GTK_WIDGET (page), "Winner so far: "));
    g_assert_nonnull (find_label_containing (GTK_WIDGET (page), "finetune-many"));
    g_free (text);
    g_assert_true (g_file_get_contents (json_path, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "\"recommendation_right\""));
    shot = render_widget (GTK_WIDGET (window), "transfer-page-results.png");
    cairo_surface_destroy (shot);
  }
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cancel_and_errors (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 6);
  TsWindow *window;
  TsTransferPage *page = open_page (&window, run);

  /* images where the model takes points: the error says which tensor */
  ts_transfer_page_set_target (page, "builtin:shapes", "");
  g_assert_true (ts_transfer_page_start (page));
  g_assert_true (spin_until (page_idle, page, 60));
  g_assert_nonnull (ts_transfer_page_get_error (page));
  g_assert_nonnull (strstr (ts_transfer_page_get_error (page), "layers.0.weight is [24,2]"));
  g_assert_null (ts_transfer_page_get_report (page));
  /* Cancel at once: nothing measured, said so */
  ts_transfer_page_set_target (page, "builtin:spiral", "data.classes=4; data.samples=20000");
  g_assert_true (ts_transfer_page_start (page));
  ts_transfer_page_cancel (page);
  g_assert_true (spin_until (page_idle, page, 60));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (page), "Cancelled."));
  g_assert_null (ts_transfer_page_get_report (page));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A PyTorch-made CNN ending in a global average pool, saved without
 * __metadata__.input_shape and naming data on another machine, chosen as
 * a file: measured on the target, whose images give its input's shape */
static void
test_torch_gap_model (void)
{
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *run = train_transfer_source (dir, 6);
  g_autofree char *model = fixture_path ("torch/model-from-torch-gap.safetensors");
  TsWindow *window;
  TsTransferPage *page;

  if (!g_file_test (TS_FASHION_MNIST_DIR, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("no Fashion-MNIST in " TS_FASHION_MNIST_DIR);
      return;
    }
  page = open_page (&window, run);
  ts_transfer_page_set_model (page, model);
  g_assert_cmpstr (ts_transfer_page_get_model (page), ==, model);
  ts_transfer_page_set_target (page, "fashion-mnist", "data.limit=300");
  g_assert_true (ts_transfer_page_start (page));
  g_assert_true (spin_until (page_idle, page, 120));
  g_assert_cmpstr (ts_transfer_page_get_error (page), ==, NULL);
  g_assert_nonnull (ts_transfer_page_get_report (page));
  g_assert_cmpuint (ts_transfer_page_get_report (page)->n_stages, ==, 3);
  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int argc, char **argv)
{
  g_autofree char *data_home = window_test_init (&argc, &argv);

  ts_application_style_display (); /* the cells' highlight is the app's CSS */
  g_test_add_func ("/ui/transfer-page/measure", test_measure);
  g_test_add_func ("/ui/transfer-page/cancel-and-errors", test_cancel_and_errors);
  g_test_add_func ("/ui/transfer-page/torch-gap-model", test_torch_gap_model);
  return g_test_run ();
}
