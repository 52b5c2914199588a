/* ts-data-page.h — what the selected experiment's data looks like: facts
 * and class balance; for images, samples beside augmented copies that are
 * redrawn as the augmentation sliders move, the "what the net sees" strip
 * (raw → augmented → preprocessed), and the preprocessing's mean, std and
 * principal components; for 2-D sets, raw → centred → decorrelated →
 * whitened. The data loads in a worker thread; ::loaded says it arrived.
 * The sliders show the experiment's data.augment.*: on a run not yet
 * started moving one edits it (::augment-changed); on a started one they
 * preview, and "Fork with These Settings" emits ::fork. */
#pragma once

#include <gtk/gtk.h>
#include <trainscope.h>

G_BEGIN_DECLS

#define TS_TYPE_DATA_PAGE (ts_data_page_get_type ())
G_DECLARE_FINAL_TYPE (TsDataPage, ts_data_page, TS, DATA_PAGE, GtkBox)

GtkWidget       *ts_data_page_new (void);
/* Shows exp's augmentation, loads its data source (if it changed) and
 * redraws; editable: the sliders edit it rather than preview. */
void             ts_data_page_set_experiment (TsDataPage *self, const TsExperiment *exp, gboolean editable);
/* the loaded training part (before preprocessing; a stratified sample of a
 * large set), or NULL while loading; valid until the next ::loaded */
const TsDataset *ts_data_page_get_dataset (TsDataPage *self);
/* the image views (std image, PCA, whitened samples, the strip's
 * preprocessing) are fitted in a worker once the page is shown: ready? */
gboolean         ts_data_page_views_ready (TsDataPage *self);
/* the samples shown ZCA-whitened, (n, dim), sample k being row k·N/n of the
 * dataset; NULL when the images are wider than 1024 values */
const float     *ts_data_page_get_whitened (TsDataPage *self, guint *n);
/* the augmentation the sliders set */
TsAugmentSpec    ts_data_page_get_augment (TsDataPage *self);
/* the slider of an augmentation key's last part ("hflip"), for tests */
GtkRange        *ts_data_page_get_slider (TsDataPage *self, const char *key);
/* the "Fork with These Settings" button (shown on a started run) */
GtkWidget       *ts_data_page_get_fork_button (TsDataPage *self);

G_END_DECLS
