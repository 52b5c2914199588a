/* ts-data-page-private.h — what ts-data-page.c (loading, sliders, layout)
 * and ts-data-page-draw.c (its figures' draw and CSV functions) share. */
#pragma once

#include "ts-data-page.h"
#include "ts-plot.h"

#include <adwaita.h>

G_BEGIN_DECLS

#define WHITENED 8 /* samples shown whitened */
#define SAMPLE_ROWS 6
#define AUGMENTED 4
#define MAX_FIT 5000 /* samples the preprocessing views are fitted on */

/* what a worker thread computes from the data, and the page then shows */
typedef struct {
  TsDataset    *ds;           /* the source's training part (at most MAX_FIT samples) */
  TsPreprocess *std_pp;       /* standardize: the mean image */
  float        *std_image;    /* per-pixel std, for its view */
  TsPreprocess *pca_pp;       /* PCA: spectrum and components; NULL if too wide */
  float        *whitened;     /* (WHITENED, dim): a few samples after ZCA, or NULL */
  TsPreprocess *exp_pp;       /* the experiment's preprocessing, for the strip */
  TsDataset    *panels[4];    /* 2-D: raw, centred, decorrelated, whitened */
} Views;

struct _TsDataPage {
  GtkBox        parent_instance;

  GtkWidget    *facts;
  GtkWidget    *balance;
  GtkWidget    *sliders[7];
  GtkWidget    *fork_bar;     /* a started run: the sliders preview; fork to keep them */
  GtkWidget    *fork_button;
  GtkWidget    *image_box;    /* samples, strip, preprocessing: images only */
  GtkWidget    *samples;
  GtkWidget    *strip;
  GtkWidget    *views;
  GtkWidget    *points;       /* the four 2-D panels */
  TsExperiment *exp;
  Views         v;            /* of the loaded data */
  TsAugment    *augment;
  guint         generation;
  gboolean      editable;     /* the run has not started: the sliders edit it */
  gboolean      setting;      /* the sliders follow the experiment: not edits */
  gboolean      fitting;      /* the image views are being fitted */
  gboolean      fitted;       /* … and are, for the data shown */
  guint         shown;        /* the generation whose data is shown */
  GtkWidget    *whitened;
};

/* the page's figures (ts-data-page-draw.c); data is the TsDataPage */
void  _ts_data_page_draw_samples (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
void  _ts_data_page_draw_strip (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
void  _ts_data_page_draw_views (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
void  _ts_data_page_draw_whitened (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
void  _ts_data_page_draw_points (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
void  _ts_data_page_draw_balance (cairo_t *cr, double width, double height, const TsPlotStyle *style, gpointer data);
char *_ts_data_page_balance_csv (gpointer data);
char *_ts_data_page_preprocessing_csv (gpointer data);
char *_ts_data_page_panels_csv (gpointer data);

G_END_DECLS
