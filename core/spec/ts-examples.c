/* The built-in experiments, by name: the default, and the batch-norm
 * rescue pair — eight tanh layers under `small` init (σ 0.01), where the
 * signal shrinks a hundredfold at every layer and training stalls at
 * chance, and the same net with a batchnorm after each layer, which gives
 * every layer unit spread again and trains (Ioffe & Szegedy, 2015). */
#include "ts-experiment.h"
#include "ts-error.h"

#include <string.h>

#define DEEP_TANH "model.activation=tanh", "model.init=small", "model.init_scale=0.01", "train.epochs=30", \
                  "train.lr=0.05", "train.l2=0"

typedef struct {
  const char *name;
  const char *title;
  const char *keys[12]; /* KEY=VALUE, as --set takes them */
} TsExample;

static const TsExample examples[] = {
  { "default", NULL, { NULL } },
  { "deep-small", "Spiral · 8 tanh layers · small init",
    { "model.layers=64,64,64,64,64,64,64,64", DEEP_TANH, NULL } },
  { "deep-small-bn", "Spiral · 8 tanh layers · small init · batch norm",
    { "model.layers=64,bn,64,bn,64,bn,64,bn,64,bn,64,bn,64,bn,64,bn", DEEP_TANH, NULL } },
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
    if (g_strcmp0 (name, examples[i].name) == 0)
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
