#include "ts-layer-list.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* the keys a row edits */
typedef enum { KEY_UNITS, KEY_KERNEL, KEY_STRIDE, KEY_PADDING, KEY_ACTIVATION, KEY_POOL, KEY_MOMENTUM, KEY_LR_SCALE } Key;

typedef struct {
  TsLayerList *list;
  TsLayerSpec  spec;
  GtkWidget   *row;    /* owned: rows leave and rejoin the group as they move */
  GtkWidget   *stride; /* a pool's stride spin, which follows its size */
  GtkWidget   *lock;   /* a layer with parameters: "trainable" off when pressed */
  gboolean     held;   /* frozen by model.freeze (among its first N entries) */
} LayerRow;

struct _TsLayerList {
  AdwPreferencesGroup parent_instance;

  GPtrArray *rows;        /* of LayerRow, in model.layers order */
  GtkWidget *add_row;     /* owned, like the rows: it stays after them */
  GtkWidget *output_row;  /* owned: the implicit output layer, last */
  GtkWidget *total;       /* the header's parameter total */
  GtkWidget *add[5];      /* Dense, Conv, Pool, Global Pool, Batch Norm */
  gboolean   editable;
  gboolean   loading;
};

G_DEFINE_FINAL_TYPE (TsLayerList, ts_layer_list, ADW_TYPE_PREFERENCES_GROUP)

enum { CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

enum { ADD_DENSE, ADD_CONV, ADD_POOL, ADD_GAP, ADD_BATCHNORM };

/* the lr_scale spin's range: the experiment file takes (0, 1000], the
 * page the useful part of it */
#define LR_SCALE_MIN 0.001
#define LR_SCALE_MAX 10

char *
ts_format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *s = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (s, ',');
      g_string_append_c (s, digits[i]);
    }
  return g_string_free (s, FALSE);
}

static void
layer_row_free (LayerRow *lr)
{
  g_object_unref (lr->row);
  g_free (lr);
}

static void
emit_changed (TsLayerList *self)
{
  if (!self->loading)
    g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- what a row says --------------------------------------------------- */

static char *
row_title (const TsLayerSpec *spec, gboolean frozen)
{
  GString *s = g_string_new (NULL);

  switch (spec->kind)
    {
    case TS_LAYER_DENSE:
      g_string_append_printf (s, "Dense · %u units", spec->units);
      break;
    case TS_LAYER_CONV:
      g_string_append_printf (s, "Conv · %u filters %u×%u", spec->units, spec->kernel, spec->kernel);
      if (spec->stride != 1)
        g_string_append_printf (s, " · stride %u", spec->stride);
      if (spec->padding == TS_PADDING_SAME)
        g_string_append (s, " · same");
      else if (spec->padding > 0)
        g_string_append_printf (s, " · pad %d", spec->padding);
      break;
    case TS_LAYER_POOL:
      g_string_append_printf (s, "%s pool %u×%u", spec->pool == TS_POOL_MAX ? "Max" : "Average", spec->kernel,
                              spec->kernel);
      if (spec->stride != spec->kernel)
        g_string_append_printf (s, " · stride %u", spec->stride);
      break;
    case TS_LAYER_GLOBAL_AVG_POOL:
      g_string_append (s, "Global average pool");
      break;
    case TS_LAYER_BATCHNORM:
      g_string_append (s, "Batch norm");
      break;
    }
  if ((spec->kind == TS_LAYER_DENSE || spec->kind == TS_LAYER_CONV) && spec->activation != TS_INHERIT_ACTIVATION)
    g_string_append_printf (s, " · %s", ts_activation_name (spec->activation));
  if (frozen)
    g_string_append (s, " · frozen");
  else if (ts_layer_lr_scale (spec) != 1.f) /* a frozen layer has no rate */
    g_string_append_printf (s, " · lr ×%g", ts_layer_lr_scale (spec));
  return g_string_free (s, FALSE);
}

static void
set_subtitle (GtkWidget *row, const char *text, gboolean error)
{
  if (ADW_IS_EXPANDER_ROW (row))
    adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), text);
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  if (error)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static const char *
get_subtitle (GtkWidget *row)
{
  return ADW_IS_EXPANDER_ROW (row) ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row))
                                   : adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static void
refresh_title (LayerRow *lr)
{
  g_autofree char *title = row_title (&lr->spec, lr->spec.frozen || lr->held);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (lr->row), title);
}

/* ---- the lock ---------------------------------------------------------- */

static gboolean
has_params (TsLayerKind kind)
{
  return kind == TS_LAYER_DENSE || kind == TS_LAYER_CONV || kind == TS_LAYER_BATCHNORM;
}

/* the lock shows the layer as it will train: its own "trainable", or
 * held by model.freeze (then only that key unlocks it) */
static void
show_lock (LayerRow *lr)
{
  gboolean frozen = lr->spec.frozen || lr->held;
  const char *tip;

  gtk_button_set_icon_name (GTK_BUTTON (lr->lock), frozen ? "changes-prevent-symbolic" : "changes-allow-symbolic");
  if (lr->held)
    tip = "Frozen by “Freeze the first N layers” (model.freeze)";
  else if (frozen)
    tip = "Locked: not trained (trainable: false). Press to train it again";
  else if (lr->spec.kind == TS_LAYER_BATCHNORM)
    tip = "Lock this batch norm: keep γ, β and its running statistics as they are (evaluation mode)";
  else
    tip = "Lock this layer: keep its weights as they are (trainable: false)";
  gtk_widget_set_tooltip_text (lr->lock, tip);
  gtk_widget_set_sensitive (lr->lock, lr->list->editable && !lr->held);
  if (frozen)
    {
      gtk_widget_add_css_class (lr->lock, "accent");
      gtk_widget_add_css_class (lr->row, "frozen");
    }
  else
    {
      gtk_widget_remove_css_class (lr->lock, "accent");
      gtk_widget_remove_css_class (lr->row, "frozen");
    }
}

static void
on_lock_toggled (GtkToggleButton *button, LayerRow *lr)
{
  lr->spec.frozen = gtk_toggle_button_get_active (button);
  show_lock (lr);
  refresh_title (lr);
  emit_changed (lr->list);
}

static void
set_held (LayerRow *lr, gboolean held)
{
  if (lr->lock == NULL)
    return;
  lr->held = held;
  g_signal_handlers_block_by_func (lr->lock, on_lock_toggled, lr);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lr->lock), lr->spec.frozen || held);
  g_signal_handlers_unblock_by_func (lr->lock, on_lock_toggled, lr);
  show_lock (lr);
  refresh_title (lr);
}

static void
add_lock (LayerRow *lr)
{
  lr->lock = gtk_toggle_button_new ();
  gtk_widget_set_valign (lr->lock, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (lr->lock, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (lr->lock), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  "Lock this layer (not trained)", -1);
  gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (lr->lock), lr->spec.frozen);
  g_signal_connect (lr->lock, "toggled", G_CALLBACK (on_lock_toggled), lr);
  show_lock (lr);
  /* an expander row puts each action before the last one added: the lock leads */
  adw_expander_row_add_action (ADW_EXPANDER_ROW (lr->row), lr->lock);
}

/* ---- the group's order ------------------------------------------------- */

static gboolean
vector_after (const LayerRow *lr)
{
  return lr->spec.kind == TS_LAYER_DENSE || lr->spec.kind == TS_LAYER_GLOBAL_AVG_POOL;
}

/* what may be added after the last entry: conv and pools while the data
 * pass as an image (no dense or global pool yet); a batch norm after a
 * dense or conv layer */
static void
update_add_buttons (TsLayerList *self)
{
  gboolean image = TRUE, after_weights = FALSE;

  for (guint i = 0; i < self->rows->len; i++)
    image = image && !vector_after (self->rows->pdata[i]);
  if (self->rows->len)
    {
      TsLayerKind last = ((LayerRow *) self->rows->pdata[self->rows->len - 1])->spec.kind;
      after_weights = last == TS_LAYER_DENSE || last == TS_LAYER_CONV;
    }
  gtk_widget_set_sensitive (self->add[ADD_DENSE], self->editable);
  for (int k = ADD_CONV; k <= ADD_GAP; k++)
    gtk_widget_set_sensitive (self->add[k], self->editable && image);
  gtk_widget_set_sensitive (self->add[ADD_BATCHNORM], self->editable && after_weights);
}

/* the rows in order, then the add row and the output layer */
static void
relayout (TsLayerList *self)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (self);

  for (guint i = 0; i < self->rows->len; i++)
    if (gtk_widget_get_parent (((LayerRow *) self->rows->pdata[i])->row))
      adw_preferences_group_remove (group, ((LayerRow *) self->rows->pdata[i])->row);
  adw_preferences_group_remove (group, self->add_row);
  adw_preferences_group_remove (group, self->output_row);
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_add (group, ((LayerRow *) self->rows->pdata[i])->row);
  adw_preferences_group_add (group, self->add_row);
  adw_preferences_group_add (group, self->output_row);
  update_add_buttons (self);
}

static guint
index_of (TsLayerList *self, LayerRow *lr)
{
  guint at = 0;
  g_ptr_array_find (self->rows, lr, &at);
  return at;
}

static void
on_remove (GtkButton *button, LayerRow *lr)
{
  TsLayerList *self = lr->list;
  guint at = index_of (self, lr);

  /* a dense or conv layer takes its batch norm with it: nothing would be left to normalise */
  if (lr->spec.kind != TS_LAYER_BATCHNORM && at + 1 < self->rows->len
      && ((LayerRow *) self->rows->pdata[at + 1])->spec.kind == TS_LAYER_BATCHNORM)
    {
      adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), ((LayerRow *) self->rows->pdata[at + 1])->row);
      g_ptr_array_remove_index (self->rows, at + 1);
    }
  adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), lr->row);
  g_ptr_array_remove_index (self->rows, at);
  relayout (self);
  emit_changed (self);
}

static void
on_move (GtkButton *button, LayerRow *lr)
{
  TsLayerList *self = lr->list;
  int by = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "by"));
  guint at = index_of (self, lr);
  guint to = (guint) ((int) at + by);

  if ((int) at + by < 0 || to >= self->rows->len)
    return;
  self->rows->pdata[at] = self->rows->pdata[to];
  self->rows->pdata[to] = lr;
  relayout (self);
  emit_changed (self);
}

static void
add_actions (TsLayerList *self, LayerRow *lr)
{
  static const struct { const char *icon, *tip; int by; } actions[] = {
    { "go-up-symbolic", "Move this layer up", -1 },
    { "go-down-symbolic", "Move this layer down", 1 },
    { "user-trash-symbolic", NULL, 0 },
  };

  /* an expander row puts each action before the last one added */
  gboolean reversed = ADW_IS_EXPANDER_ROW (lr->row);

  for (gsize k = 0; k < G_N_ELEMENTS (actions); k++)
    {
      gsize i = reversed ? G_N_ELEMENTS (actions) - 1 - k : k;
      GtkWidget *button = gtk_button_new_from_icon_name (actions[i].icon);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_sensitive (button, self->editable);
      gtk_widget_set_tooltip_text (button, actions[i].tip ? actions[i].tip
                                   : lr->spec.kind == TS_LAYER_BATCHNORM ? "Remove this batch norm"
                                   : "Remove this layer");
      g_object_set_data (G_OBJECT (button), "by", GINT_TO_POINTER (actions[i].by));
      g_signal_connect (button, "clicked", G_CALLBACK (actions[i].by ? (GCallback) on_move : (GCallback) on_remove), lr);
      if (ADW_IS_EXPANDER_ROW (lr->row))
        adw_expander_row_add_action (ADW_EXPANDER_ROW (lr->row), button);
      else
        adw_action_row_add_suffix (ADW_ACTION_ROW (lr->row), button);
    }
}

/* ---- the keys of a row ------------------------------------------------- */

static void
on_key_changed (GtkWidget *widget, GParamSpec *pspec, LayerRow *lr)
{
  Key key = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (widget), "key"));
  TsLayerSpec *spec = &lr->spec;
  guint old_kernel = spec->kernel;

  switch (key)
    {
    case KEY_UNITS: spec->units = (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)); break;
    case KEY_KERNEL: spec->kernel = (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)); break;
    case KEY_STRIDE: spec->stride = (guint) gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)); break;
    case KEY_PADDING: spec->padding = (int) gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)); break;
    case KEY_MOMENTUM: spec->momentum = (float) gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget)); break;
    case KEY_LR_SCALE:
      {
        /* 1 is stored as unset, as the experiment file's reader does: one spec, one form */
        double v = gtk_spin_button_get_value (GTK_SPIN_BUTTON (widget));
        spec->lr_scale = fabs (v - 1) < 1e-9 ? 0.f : (float) v;
      }
      break;
    case KEY_POOL: spec->pool = gtk_drop_down_get_selected (GTK_DROP_DOWN (widget)) ? TS_POOL_AVG : TS_POOL_MAX; break;
    case KEY_ACTIVATION:
      {
        guint a = gtk_drop_down_get_selected (GTK_DROP_DOWN (widget));
        spec->activation = a == 0 ? TS_INHERIT_ACTIVATION : (int) a - 1;
      }
      break;
    }
  /* a pool's stride follows its size while they are the same (the default) */
  if (key == KEY_KERNEL && spec->kind == TS_LAYER_POOL && spec->stride == old_kernel && lr->stride)
    {
      spec->stride = spec->kernel;
      g_signal_handlers_block_by_func (lr->stride, on_key_changed, lr);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (lr->stride), spec->stride);
      g_signal_handlers_unblock_by_func (lr->stride, on_key_changed, lr);
    }
  refresh_title (lr);
  emit_changed (lr->list);
}

static GtkWidget *
key_row (LayerRow *lr, const char *title, const char *tooltip, GtkWidget *control, Key key)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_widget_set_tooltip_text (row, tooltip);
  gtk_widget_set_valign (control, GTK_ALIGN_CENTER);
  gtk_widget_set_sensitive (control, lr->list->editable);
  gtk_accessible_update_property (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_object_set_data (G_OBJECT (control), "key", GINT_TO_POINTER (key));
  g_object_set_data (G_OBJECT (row), "control", control);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), control);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), control);
  adw_expander_row_add_row (ADW_EXPANDER_ROW (lr->row), row);
  return control;
}

/* a padding of -1 reads "same" */
static gboolean
padding_output (GtkSpinButton *spin, gpointer data)
{
  double v = gtk_spin_button_get_value (spin);
  g_autofree char *text = v < 0 ? g_strdup ("same") : g_strdup_printf ("%.0f", v);

  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (spin))) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static int
padding_input (GtkSpinButton *spin, double *value, gpointer data)
{
  if (g_ascii_strcasecmp (gtk_editable_get_text (GTK_EDITABLE (spin)), "same") != 0)
    return FALSE;
  *value = TS_PADDING_SAME;
  return TRUE;
}

static GtkWidget *
spin_row (LayerRow *lr, const char *title, const char *tooltip, double lo, double hi, double value, Key key)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, 1);

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
  if (key == KEY_PADDING)
    {
      /* new_with_range makes it numeric, which would filter the letters out */
      gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), FALSE);
      g_signal_connect (spin, "output", G_CALLBACK (padding_output), NULL);
      g_signal_connect (spin, "input", G_CALLBACK (padding_input), NULL);
      padding_output (GTK_SPIN_BUTTON (spin), NULL);
    }
  if (key == KEY_MOMENTUM || key == KEY_LR_SCALE)
    {
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), 3);
      gtk_editable_set_width_chars (GTK_EDITABLE (spin), 5); /* "0.100" whole */
      gtk_spin_button_set_increments (GTK_SPIN_BUTTON (spin), key == KEY_LR_SCALE ? 0.1 : 0.01,
                                      key == KEY_LR_SCALE ? 1 : 0.1);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), value);
    }
  g_signal_connect (spin, "notify::value", G_CALLBACK (on_key_changed), lr);
  return key_row (lr, title, tooltip, spin, key);
}

static GtkWidget *
activation_row (LayerRow *lr)
{
  GtkStringList *names = gtk_string_list_new ((const char *[]) { "model default", NULL });
  GtkWidget *drop;

  for (int a = 0; a < TS_N_USER_ACTIVATIONS; a++)
    gtk_string_list_append (names, ts_activation_name (a));
  drop = gtk_drop_down_new (G_LIST_MODEL (names), NULL);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (drop),
                              lr->spec.activation == TS_INHERIT_ACTIVATION ? 0 : (guint) lr->spec.activation + 1);
  g_signal_connect (drop, "notify::selected", G_CALLBACK (on_key_changed), lr);
  return key_row (lr, "Activation", "The layer's own activation, or model.activation", drop, KEY_ACTIVATION);
}

static void
add_key_rows (LayerRow *lr)
{
  const TsLayerSpec *spec = &lr->spec;

  switch (spec->kind)
    {
    case TS_LAYER_DENSE:
      spin_row (lr, "Units", "units: outputs of the layer", 1, TS_MAX_LAYER_UNITS, spec->units, KEY_UNITS);
      activation_row (lr);
      break;
    case TS_LAYER_CONV:
      spin_row (lr, "Filters", "filters: output channels", 1, TS_MAX_LAYER_UNITS, spec->units, KEY_UNITS);
      spin_row (lr, "Kernel", "kernel: the square window's side", 1, TS_MAX_LAYER_WINDOW, spec->kernel, KEY_KERNEL);
      spin_row (lr, "Stride", "stride: pixels between windows", 1, TS_MAX_LAYER_WINDOW, spec->stride, KEY_STRIDE);
      spin_row (lr, "Padding", "padding: zeros on every side, or “same” (below 0: the output keeps the input's "
                "height and width; odd kernel, stride 1)", TS_PADDING_SAME, TS_MAX_LAYER_WINDOW, spec->padding,
                KEY_PADDING);
      activation_row (lr);
      break;
    case TS_LAYER_POOL:
      {
        GtkWidget *kind = gtk_drop_down_new_from_strings ((const char *[]) { "max", "avg", NULL });
        gtk_drop_down_set_selected (GTK_DROP_DOWN (kind), spec->pool == TS_POOL_AVG);
        g_signal_connect (kind, "notify::selected", G_CALLBACK (on_key_changed), lr);
        key_row (lr, "Kind", "kind: the maximum or the mean of each window", kind, KEY_POOL);
        spin_row (lr, "Size", "size: the square window's side", 1, TS_MAX_LAYER_WINDOW, spec->kernel, KEY_KERNEL);
        lr->stride = spin_row (lr, "Stride", "stride: pixels between windows (the size by default)", 1,
                               TS_MAX_LAYER_WINDOW, spec->stride, KEY_STRIDE);
      }
      break;
    case TS_LAYER_BATCHNORM:
      spin_row (lr, "Momentum", "momentum: how fast the running statistics follow the batches'", 0.001, 1,
                spec->momentum, KEY_MOMENTUM);
      break;
    case TS_LAYER_GLOBAL_AVG_POOL:
      break;
    }
  /* discriminative rates: a smaller step for the layers a fine-tune should
   * move less (0 is "trainable": false, the lock) */
  if (has_params (spec->kind))
    spin_row (lr, "Learning-rate scale", "lr_scale: this layer's learning rate is the step's times this (1: the "
              "same as the others); to keep the layer as it is, lock it", LR_SCALE_MIN, LR_SCALE_MAX,
              ts_layer_lr_scale (spec), KEY_LR_SCALE);
}

static LayerRow *
add_layer_row (TsLayerList *self, const TsLayerSpec *spec, gboolean expanded)
{
  LayerRow *lr = g_new0 (LayerRow, 1);

  lr->list = self;
  lr->spec = *spec;
  /* a global average pool has no keys: nothing to expand */
  lr->row = g_object_ref_sink (spec->kind == TS_LAYER_GLOBAL_AVG_POOL ? adw_action_row_new () : adw_expander_row_new ());
  g_object_set_data (G_OBJECT (lr->row), "layer", lr);
  refresh_title (lr);
  add_actions (self, lr);
  if (has_params (spec->kind))
    add_lock (lr);
  if (ADW_IS_EXPANDER_ROW (lr->row))
    {
      add_key_rows (lr);
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (lr->row), expanded);
    }
  g_ptr_array_add (self->rows, lr);
  relayout (self);
  return lr;
}

/* ---- adding ------------------------------------------------------------ */

/* a new layer like the last of its kind: as wide as the last dense layer,
 * twice the last conv's filters */
static void
on_add (GtkButton *button, TsLayerList *self)
{
  int what = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (button), "what"));
  TsLayerSpec spec = { 100, TS_INHERIT_ACTIVATION };

  switch (what)
    {
    case ADD_CONV:
      spec = (TsLayerSpec) { 32, TS_INHERIT_ACTIVATION, TS_LAYER_CONV, .kernel = 3, .stride = 1, .padding = TS_PADDING_SAME };
      for (guint i = self->rows->len; i-- > 0;)
        if (((LayerRow *) self->rows->pdata[i])->spec.kind == TS_LAYER_CONV)
          {
            spec.units = MIN (((LayerRow *) self->rows->pdata[i])->spec.units * 2, TS_MAX_LAYER_UNITS);
            break;
          }
      break;
    case ADD_POOL:
      spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_POOL, .kernel = 2, .stride = 2, .pool = TS_POOL_MAX };
      break;
    case ADD_GAP:
      spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_GLOBAL_AVG_POOL };
      break;
    case ADD_BATCHNORM:
      spec = (TsLayerSpec) { 0, TS_INHERIT_ACTIVATION, TS_LAYER_BATCHNORM, TS_BN_MOMENTUM, TS_BN_EPS };
      break;
    default:
      for (guint i = self->rows->len; i-- > 0;)
        if (((LayerRow *) self->rows->pdata[i])->spec.kind == TS_LAYER_DENSE)
          {
            spec.units = ((LayerRow *) self->rows->pdata[i])->spec.units;
            break;
          }
      break;
    }
  /* the new row open to edit, the others closed to their one line */
  for (guint i = 0; i < self->rows->len; i++)
    if (ADW_IS_EXPANDER_ROW (((LayerRow *) self->rows->pdata[i])->row))
      adw_expander_row_set_expanded (ADW_EXPANDER_ROW (((LayerRow *) self->rows->pdata[i])->row), FALSE);
  add_layer_row (self, &spec, what != ADD_BATCHNORM && what != ADD_GAP);
  emit_changed (self);
}

void
ts_layer_list_set_layers (TsLayerList *self, GArray *layers, gboolean editable)
{
  self->loading = TRUE;
  self->editable = editable;
  for (guint i = 0; i < self->rows->len; i++)
    adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), ((LayerRow *) self->rows->pdata[i])->row);
  g_ptr_array_set_size (self->rows, 0);
  for (guint i = 0; i < layers->len; i++)
    add_layer_row (self, &g_array_index (layers, TsLayerSpec, i), FALSE);
  relayout (self);
  self->loading = FALSE;
}

GArray *
ts_layer_list_get_layers (TsLayerList *self)
{
  GArray *layers = g_array_new (FALSE, FALSE, sizeof (TsLayerSpec));

  for (guint i = 0; i < self->rows->len; i++)
    g_array_append_val (layers, ((LayerRow *) self->rows->pdata[i])->spec);
  return layers;
}

/* ---- shapes ------------------------------------------------------------ */

/* the entry an error names: "model.layers[2]…" → 2, else -1 */
static int
named_entry (const char *message)
{
  unsigned i;
  char close;

  if (message && sscanf (message, "model.layers[%u%c", &i, &close) == 2 && close == ']')
    return (int) i;
  return -1;
}

static char *
shape_text (const TsShape *shape, guint64 params, gboolean frozen)
{
  g_autofree char *dims = ts_shape_text (shape);
  g_autofree char *count = ts_format_count (params);

  if (params == 0)
    return g_strdup_printf ("→ %s · no parameters", dims);
  return g_strdup_printf ("→ %s · %s parameter%s%s", dims, count, params == 1 ? "" : "s", frozen ? ", frozen" : "");
}

/* "210,355 parameters", or with the frozen ones "210,355 parameters · 303 trained" */
static char *
total_text (guint64 total, guint64 frozen)
{
  g_autofree char *all = ts_format_count (total);
  g_autofree char *trained = ts_format_count (total - frozen);

  if (frozen == 0)
    return g_strdup_printf ("%s parameters", all);
  return g_strdup_printf ("%s parameters · %s trained", all, trained);
}

gboolean
ts_layer_list_show_shapes (TsLayerList *self, const TsExperiment *exp, const TsShape *input, const GError *error)
{
  guint n = self->rows->len;
  g_autofree TsShape *shapes = g_new0 (TsShape, n + 1);
  g_autofree guint64 *params = g_new0 (guint64, n + 1);
  g_autoptr(GError) shape_error = NULL;
  const char *message = error ? error->message : NULL;
  int bad = named_entry (message);
  guint known = 0;
  guint64 total = 0, frozen = 0;

  g_return_val_if_fail (exp->model.layers->len == n, FALSE);
  if (input && ts_experiment_layer_shapes (exp, input, shapes, params, &shape_error))
    known = n + 1;
  else if (input)
    {
      /* the shapes before the entry that does not fit are filled in */
      known = (guint) MAX (named_entry (shape_error->message), 0);
      if (bad < 0)
        bad = (int) known, message = shape_error->message;
    }
  for (guint i = 0; i < n; i++)
    {
      LayerRow *lr = self->rows->pdata[i];
      gboolean is_frozen = ts_experiment_layer_frozen (exp, i);
      g_autofree char *text = NULL;

      set_held (lr, i < exp->model.freeze);
      if ((int) i == bad)
        text = g_strdup (message);
      else if (i < known && (bad < 0 || (int) i < bad))
        text = shape_text (&shapes[i], params[i], is_frozen);
      else
        text = g_strdup (input ? "—" : "shape known once the data are loaded");
      set_subtitle (lr->row, text, (int) i == bad);
      total += params[i];
      frozen += is_frozen ? params[i] : 0;
    }
  if (known == n + 1 && bad < 0 && shapes[n].dims[0] > 0)
    {
      g_autofree char *text = shape_text (&shapes[n], params[n], FALSE);
      g_autofree char *label = total_text (total + params[n], frozen);
      set_subtitle (self->output_row, text, FALSE);
      gtk_label_set_text (GTK_LABEL (self->total), label);
    }
  else
    {
      set_subtitle (self->output_row, bad >= 0 ? "—" : "→ the classes, known once the data are loaded", FALSE);
      gtk_label_set_text (GTK_LABEL (self->total), "");
    }
  if (input)
    {
      g_autofree char *dims = ts_shape_text (input);
      g_autofree char *description = g_strdup_printf ("From the input %s to the output layer, added for the "
                                                      "classes; each layer's output shape and parameters", dims);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self), description);
    }
  else
    adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                           "The input's shape is known once the data are loaded; the output "
                                           "layer is added for the classes");
  if (bad >= 0 && bad >= (int) n)
    return FALSE; /* an error this list has no row for: the caller shows it */
  return bad < 0;
}

const char *
ts_layer_list_get_row_text (TsLayerList *self, guint i)
{
  return i < self->rows->len ? get_subtitle (((LayerRow *) self->rows->pdata[i])->row) : get_subtitle (self->output_row);
}

GtkWidget *
ts_layer_list_get_row (TsLayerList *self, guint i)
{
  return i < self->rows->len ? ((LayerRow *) self->rows->pdata[i])->row : NULL;
}

/* ---- the widget -------------------------------------------------------- */

static void
ts_layer_list_finalize (GObject *object)
{
  TsLayerList *self = TS_LAYER_LIST (object);

  g_ptr_array_unref (self->rows);
  g_clear_object (&self->add_row);
  g_clear_object (&self->output_row);
  G_OBJECT_CLASS (ts_layer_list_parent_class)->finalize (object);
}

static void
ts_layer_list_class_init (TsLayerListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ts_layer_list_finalize;
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);
}

static void
ts_layer_list_init (TsLayerList *self)
{
  static const struct { const char *label, *tip; } adds[] = {
    [ADD_DENSE] = { "Dense", "Add a dense layer, as wide as the last one" },
    [ADD_CONV] = { "Conv", "Add a 3×3 convolution with “same” padding (images only: before any dense layer)" },
    [ADD_POOL] = { "Pool", "Add a 2×2 max pool (images only: before any dense layer)" },
    [ADD_GAP] = { "Global Pool", "Add a global average pool: each channel's mean, [C,H,W] → [C]" },
    [ADD_BATCHNORM] = { "Batch Norm", "Normalise the last dense or conv layer over each batch (its activation follows)" },
  };
  GtkWidget *box = gtk_flow_box_new ();

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) layer_row_free);
  self->editable = TRUE;
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), "Hidden layers");
  self->total = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->total, "dim-label");
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (self), self->total);
  self->add_row = g_object_ref_sink (adw_action_row_new ());
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->add_row), GTK_ACCESSIBLE_PROPERTY_LABEL, "Add a layer", -1);
  /* one line of buttons, wrapping in a narrow window */
  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (box), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (box), 3);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (box), TRUE);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (box), G_N_ELEMENTS (adds));
  gtk_flow_box_set_column_spacing (GTK_FLOW_BOX (box), 6);
  gtk_flow_box_set_row_spacing (GTK_FLOW_BOX (box), 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_hexpand (box, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS (adds); i++)
    {
      GtkWidget *add = gtk_button_new_with_label (adds[i].label);
      gtk_widget_set_tooltip_text (add, adds[i].tip);
      g_object_set_data (G_OBJECT (add), "what", GINT_TO_POINTER ((int) i));
      g_signal_connect (add, "clicked", G_CALLBACK (on_add), self);
      gtk_flow_box_append (GTK_FLOW_BOX (box), add);
      self->add[i] = add;
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (self->add_row), box);
  self->output_row = g_object_ref_sink (adw_action_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->output_row), "Output · dense to the classes");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->add_row);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), self->output_row);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                         "From the input to the output layer, added for the classes");
  update_add_buttons (self);
}

GtkWidget *
ts_layer_list_new (void)
{
  return g_object_new (TS_TYPE_LAYER_LIST, NULL);
}
