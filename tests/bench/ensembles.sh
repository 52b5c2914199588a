#!/bin/sh
# The README's "Ensembles and model selection" measurements on Fashion-MNIST,
# as they were taken: ./tests/bench/ensembles.sh [OUT] (about 15 minutes on
# two idle cores). Needs a build in ./build.
set -eu
CLI="$(pwd)/build/app/trainscope-cli"
OUT="${1:-ensembles-bench}"
mkdir -p "$OUT" && cd "$OUT"

cat > mlp.json <<'JSON'
{
  "name": "Fashion-MNIST · MLP",
  "seed": 7,
  "data": { "source": "fashion-mnist", "val_fraction": 0.1, "preprocess": "standardize" },
  "model": { "layers": [ { "type": "dense", "units": 512 }, { "type": "dense", "units": 256 } ],
             "activation": "relu", "init": "he" },
  "train": { "epochs": 10, "batch_size": 128, "optimizer": "momentum", "momentum": 0.9, "lr": 0.05,
             "schedule": { "type": "step", "every_epochs": 3, "factor": 2 }, "l2": 1e-4 }
}
JSON
cat > space.json <<'JSON'
{ "train.lr": {"log_uniform": [0.003, 0.3]},
  "train.l2": {"log_uniform": [1e-6, 1e-3]},
  "model.layers": {"choice": [[64], [128], [256], [512], [512, 256]]},
  "model.activation": {"choice": ["relu", "tanh", "elu"]} }
JSON

# seeds: five members and their ensemble
"$CLI" run mlp.json --seeds 5 --out seeds
"$CLI" ensemble seeds/seed-7 seeds/seed-8 seeds/seed-9 seeds/seed-10 seeds/seed-11 --out seeds-ens

# snapshots against seeds of the same cost: all the data, then 5 000 images
"$CLI" run mlp.json --set train.schedule.type=cosine_restarts --set train.schedule.cycles=5 --set train.lr=0.1 --out sgdr5x2
"$CLI" ensemble sgdr5x2 --checkpoints --fusion late --out sgdr5x2-ens
"$CLI" run mlp.json --seeds 5 --epochs 2 --set train.schedule.type=cosine --set train.lr=0.1 --out cos2
"$CLI" ensemble cos2/seed-7 cos2/seed-8 cos2/seed-9 cos2/seed-10 cos2/seed-11 --fusion late --out cos2-ens
"$CLI" run mlp.json --epochs 20 --set data.limit=5000 --set train.schedule.type=cosine_restarts \
  --set train.schedule.cycles=5 --set train.lr=0.1 --out small-sgdr
"$CLI" ensemble small-sgdr --checkpoints --fusion late --out small-sgdr-ens
"$CLI" run mlp.json --seeds 5 --epochs 4 --set data.limit=5000 --set train.schedule.type=cosine --set train.lr=0.1 \
  --out small-cos
"$CLI" ensemble small-cos/seed-7 small-cos/seed-8 small-cos/seed-9 small-cos/seed-10 small-cos/seed-11 --fusion late \
  --out small-cos-ens
"$CLI" run mlp.json --epochs 20 --set train.schedule.type=cosine_restarts --set train.schedule.cycles=4 \
  --set train.lr=0.1 --out sgdr4x5
"$CLI" ensemble sgdr4x5 --checkpoints --fusion late --out sgdr4x5-ens
"$CLI" run mlp.json --seeds 4 --epochs 5 --set train.schedule.type=cosine --set train.lr=0.1 --out cos5
"$CLI" ensemble cos5/seed-7 cos5/seed-8 cos5/seed-9 cos5/seed-10 --fusion late --out cos5-ens

# fusion of inputs: a net per half of every image
"$CLI" run mlp.json --set data.view=top --out view-top
"$CLI" run mlp.json --set data.view=bottom --out view-bottom
"$CLI" ensemble view-top view-bottom --out view-ens

# the search: killed once mid-way and resumed, then reproduced in part
"$CLI" search mlp.json --set data.limit=10000 --space space.json --trials 12 --folds 3 --top 3 --out search &
PID=$!
while [ ! -f search/trials/5/fold-2/summary.json ]; do sleep 1; done
kill -9 "$PID" || true
"$CLI" search mlp.json --set data.limit=10000 --space space.json --trials 12 --folds 3 --top 3 --out search --resume
"$CLI" search mlp.json --set data.limit=10000 --space space.json --trials 4 --folds 3 --out search-again
