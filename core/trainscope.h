/* trainscope.h — libtrainscope, the engine under the GUI and the CLI.
 *
 *   ts_blas_ensure_kernel (argv);                      // first, in main()
 *   g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
 *   g_autoptr(TsTrainer) tr = ts_trainer_new (exp, "runs/demo");
 *   ts_trainer_start (tr);
 *   ts_trainer_wait (tr);                              // runs/demo/metrics.csv, …
 */
#pragma once

#include "ts-advisor.h"
#include "ts-blas.h"
#include "ts-checkpoints.h"
#include "ts-dataset.h"
#include "ts-decision.h"
#include "ts-ensemble.h"
#include "ts-error.h"
#include "ts-feature-maps.h"
#include "ts-experiment.h"
#include "ts-io.h"
#include "ts-json.h"
#include "ts-layers.h"
#include "ts-limits.h"
#include "ts-linear-probe.h"
#include "ts-loaders.h"
#include "ts-logme.h"
#include "ts-load-context.h"
#include "ts-source.h"
#include "ts-lr-finder.h"
#include "ts-metrics.h"
#include "ts-model.h"
#include "ts-net.h"
#include "ts-optim.h"
#include "ts-pipeline.h"
#include "ts-preprocess.h"
#include "ts-probe.h"
#include "ts-probe-stack.h"
#include "ts-rng.h"
#include "ts-rundir.h"
#include "ts-safetensors.h"
#include "ts-search.h"
#include "ts-seeds.h"
#include "ts-slurm.h"
#include "ts-snapshot.h"
#include "ts-stats.h"
#include "ts-trainer.h"
#include "ts-training.h"
#include "ts-task.h"
#include "ts-transfer.h"
#include "ts-view.h"
