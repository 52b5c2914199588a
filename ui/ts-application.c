#include "ts-application.h"
#include "ts-search-page.h"
#include "ts-window.h"

#include <trainscope.h>

struct _TsApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (TsApplication, ts_application, ADW_TYPE_APPLICATION)

static TsWindow *
main_window (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  return window ? TS_WINDOW (window) : ts_window_new (GTK_APPLICATION (app));
}

static int
ts_application_command_line (GApplication *app, GApplicationCommandLine *cmdline)
{
  GVariantDict *options = g_application_command_line_get_options_dict (cmdline);
  g_auto(GStrv) args = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean start = g_variant_dict_contains (options, "start");
  TsWindow *window = main_window (app);

  g_variant_dict_lookup (options, G_OPTION_REMAINING, "^aay", &args); /* copies: args owns them */
  for (int i = 0; args && args[i]; i++)
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (cmdline, args[i]);
      char *path = g_file_get_path (file);
      g_ptr_array_add (paths, path ? path : g_strdup (args[i])); /* not a local file: its error names it */
    }
  g_ptr_array_add (paths, NULL);
  gtk_window_present (GTK_WINDOW (window));
  if (!ts_window_open_arguments (window, (const char *const *) paths->pdata, start, &error))
    g_application_command_line_printerr (cmdline, "trainscope: %s\n", error->message);
  return 0;
}

static void
show_about (GSimpleAction *action, GVariant *param, gpointer app)
{
  const char *developers[] = { "The Trainscope developers", NULL };
  g_autofree char *debug = g_strdup_printf ("OpenBLAS kernel: %s (detected %s), %d threads\n", ts_blas_core (),
                                            ts_blas_detected_core (), ts_blas_threads ());

  adw_show_about_window (gtk_application_get_active_window (app),
                         "application-name", "Trainscope",
                         "application-icon", TS_APPLICATION_ID,
                         "developer-name", "The Trainscope developers",
                         "version", PACKAGE_VERSION,
                         "comments", "See why a small neural network trains well or badly",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "developers", developers,
                         "debug-info", debug,
                         NULL);
}

static GtkWidget *
spin_row (const char *title, const char *subtitle, double hi, GSettings *settings, const char *key)
{
  GtkWidget *row = adw_action_row_new (), *spin = gtk_spin_button_new_with_range (0, hi, 1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  if (settings)
    g_settings_bind (settings, key, spin, "value", G_SETTINGS_BIND_DEFAULT);
  return row;
}

/* where the Search page's tasks run: the CLI's --backend, --partition,
 * --max-parallel and --retries */
static GtkWidget *
search_group (GSettings *settings)
{
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *backend = adw_combo_row_new (), *partition = adw_entry_row_new ();
  const char *const names[] = { "This machine (local)", "Slurm job array", NULL };
  g_autoptr(GtkStringList) model = gtk_string_list_new (names);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), "Search");
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         "Where a search's trial × fold runs train. Slurm needs sbatch on PATH, "
                                         "the output folder shared with the nodes and trainscope-cli on every node.");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (backend), "Backend");
  adw_combo_row_set_model (ADW_COMBO_ROW (backend), G_LIST_MODEL (model));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (partition), "Slurm partition (empty: the default)");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), backend);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), partition);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             spin_row ("Tasks at once", "The array's %N on Slurm; 0: no limit", 100000, settings,
                                       "slurm-max-parallel"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                             spin_row ("Retries", "A failed Slurm task is resubmitted up to this many times", 100,
                                       settings, "slurm-retries"));
  if (settings)
    {
      ts_search_backend_bind (settings, backend);
      g_settings_bind (settings, "slurm-partition", partition, "text", G_SETTINGS_BIND_DEFAULT);
    }
  return group;
}

static void
show_preferences (GSimpleAction *action, GVariant *param, gpointer app)
{
  GtkWidget *window = adw_preferences_window_new ();
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *group = adw_preferences_group_new ();
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *spin = gtk_spin_button_new_with_range (1, 8, 1);
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, TS_APPLICATION_ID, TRUE) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), "Runs training at once");
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), "The others wait in a queue; one per two cores is fastest");
  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
  g_autoptr(GSettings) settings = schema ? g_settings_new (TS_APPLICATION_ID) : NULL;
  if (settings)
    g_settings_bind (settings, "concurrent-runs", spin, "value", G_SETTINGS_BIND_DEFAULT);
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), "Training");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (search_group (settings)));
  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (window), ADW_PREFERENCES_PAGE (page));
  gtk_window_set_transient_for (GTK_WINDOW (window), gtk_application_get_active_window (app));
  gtk_window_present (GTK_WINDOW (window));
}

static void
quit (GSimpleAction *action, GVariant *param, gpointer app)
{
  GList *windows = gtk_application_get_windows (app);
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
}

static void
ts_application_startup (GApplication *app)
{
  static const GActionEntry entries[] = {
    { "about", show_about }, { "preferences", show_preferences }, { "quit", quit },
  };
  G_APPLICATION_CLASS (ts_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), entries, G_N_ELEMENTS (entries), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", (const char *[]) { "<Control>q", NULL });
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.preferences",
                                         (const char *[]) { "<Control>comma", NULL });
  ts_application_style_display ();
}

void
ts_application_style_display (void)
{
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (css, "/io/github/trainscope/Trainscope/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  gtk_icon_theme_add_resource_path (gtk_icon_theme_get_for_display (gdk_display_get_default ()),
                                    "/io/github/trainscope/Trainscope/icons");
  gtk_window_set_default_icon_name (TS_APPLICATION_ID);
}

static void
ts_application_class_init (TsApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  app_class->startup = ts_application_startup;
  app_class->command_line = ts_application_command_line;
}

static void
ts_application_init (TsApplication *self)
{
  static const GOptionEntry options[] = {
    { "start", 0, 0, G_OPTION_ARG_NONE, NULL, "Start training at once", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, "[EXPERIMENT.json|RUN_DIR]" },
    { NULL }
  };
  g_application_add_main_option_entries (G_APPLICATION (self), options);
}

/* from ts-resources.c; a static library drops the unreferenced object, and
 * with it GLib's automatic registration, so register it by name */
GResource *ts_get_resource (void);

void
ts_application_register_resources (void)
{
  static gsize registered;

  if (g_once_init_enter (&registered))
    {
      g_resources_register (ts_get_resource ());
      g_once_init_leave (&registered, 1);
    }
}

TsApplication *
ts_application_new (void)
{
  ts_application_register_resources ();
  return g_object_new (TS_TYPE_APPLICATION, "application-id", TS_APPLICATION_ID, "flags",
                       G_APPLICATION_HANDLES_COMMAND_LINE, "resource-base-path", "/io/github/trainscope/Trainscope",
                       NULL);
}
