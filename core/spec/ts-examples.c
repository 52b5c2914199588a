/* The built-in experiments, by name: the default; the batch-norm rescue
 * pair — eight tanh layers under `small` init (σ 0.01), where the signal
 * shrinks a hundredfold at every layer and training stalls at chance, and
 * the same net with a batchnorm after each layer, which gives every layer
 * unit spread again and trains (Ioffe & Szegedy, 2015); and the
 * convolutional nets — the classic small CNN on Fashion-MNIST (two 5×5
 * convolutions and pools under a dense layer, momentum SGD with cosine
 * decay), the same with BatchNorm2d after each convolution, and a CNN on
 * builtin:shapes trained on random crops, flips and colour jitter. */
#include "ts-experiment.h"
#include "ts-error.h"

#include <string.h>

/* momentum SGD at batch 128 with L2 and cosine decay (the PyTorch
 * reference: lr 0.05, momentum 0.9, batch 128) on raw pixels: per-pixel
 * standardisation blows up the near-constant border pixels, which the
 * convolutions then read everywhere (88.6% against 92.4% test) */
#define FASHION_CNN "data.source=fashion-mnist", "data.val_fraction=0.1", "data.preprocess=none", \
                    "model.activation=relu", "model.init=he", "train.optimizer=momentum", "train.momentum=0.9", \
                    "train.lr=0.05", "train.l2=5e-4", "train.batch_size=128", "train.epochs=12", \
                    "train.schedule.type=cosine"

#define DEEP_TANH "model.activation=tanh", "model.init=small", "model.init_scale=0.01", "train.epochs=30", \
                  "train.lr=0.05", "train.l2=0"

typedef struct {
  const char *name;
  const char *title;
  const char *keys[20]; /* KEY=VALUE, as --set takes them */
} TsExample;

static const TsExample examples[] = {
  { "default", NULL, { NULL } },
  { "deep-small", "Spiral · 8 tanh layers · small init",
    { "model.layers=64,64,64,64,64,64,64,64", DEEP_TANH, NULL } },
  { "deep-small-bn", "Spiral · 8 tanh layers · small init · batch norm",
    { "model.layers=64,bn,64,bn,64,bn,64,bn,64,bn,64,bn,64,bn,64,bn", DEEP_TANH, NULL } },
  { "fashion-cnn", "Fashion-MNIST · CNN",
    { "model.layers=conv32x5/same,maxpool2,conv64x5/same,maxpool2,128", FASHION_CNN, NULL } },
  { "fashion-cnn-bn", "Fashion-MNIST · CNN · BN",
    { "model.layers=conv32x5/same,bn,maxpool2,conv64x5/same,bn,maxpool2,128", FASHION_CNN, NULL } },
  { "shapes-cnn-augmented", "Shapes · CNN · augmented",
    { "data.source=builtin:shapes", "data.samples=6000", "data.classes=8", "data.augment.hflip=0.5",
      "data.augment.crop_pad=4", "data.augment.pad_mode=reflect", "data.augment.brightness=0.2",
      "data.augment.contrast=0.2", "data.augment.saturation=0.2",
      "model.layers=conv16x3/same,maxpool2,conv32x3/same,maxpool2,conv64x3/same,gap", "model.init=he",
      "train.lr=0.05", "train.l2=5e-4", "train.epochs=30", "train.schedule.type=cosine", NULL } },
};

const char *const *
ts_experiment_example_names (void)
{
  static const char *names[G_N_ELEMENTS (examples) + 1];
  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    names[i] = examples[i].name;
  return names;
}

TsExperiment *
ts_experiment_new_example (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (examples); i++)
    if (g_strcmp0 (name, examples[i].name) == 0 || g_strcmp0 (name, examples[i].title) == 0)
      {
        g_autoptr(TsExperiment) exp = ts_experiment_new_default ();
        for (int k = 0; examples[i].keys[k]; k++)
          if (!ts_experiment_set_override (exp, examples[i].keys[k], NULL))
            g_return_val_if_reached (NULL); /* the table is ours: a bad entry is a bug */
        if (examples[i].title)
          {
            g_free (exp->name);
            exp->name = g_strdup (examples[i].title);
          }
        return g_steal_pointer (&exp);
      }
  return NULL;
}

TsExperiment *
ts_experiment_load_named (const char *arg, GError **error)
{
  TsExperiment *exp = ts_experiment_new_example (arg);
  return exp ? exp : ts_experiment_load_file (arg, error);
}
