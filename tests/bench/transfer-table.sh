#!/bin/sh
# The transfer lab's 2×2 table on real data (README, "Transfer lab"):
# a source MLP trained on Fashion-MNIST classes 0–4 (the first 40 000 training
# images), targets carved from the other 20 000 (never seen by the source) and
# sklearn's digits. Usage: tests/bench/transfer-table.sh BUILD_DIR OUT_DIR
set -eu
CLI="$1/app/trainscope-cli"
OUT="$2"
mkdir -p "$OUT"
/usr/bin/python3 - "$OUT" <<'PY'
import gzip, os, sys
import numpy as np
out = sys.argv[1]
src = "/usr/share/datasets/fashion-mnist"
def read(name):
    return gzip.open(os.path.join(src, name)).read()
images, labels = read("train-images-idx3-ubyte.gz"), read("train-labels-idx1-ubyte.gz")
for part, lo, hi in (("fm-source", 0, 40000), ("fm-target", 40000, 60000)):
    d = os.path.join(out, part)
    os.makedirs(d, exist_ok=True)
    n = hi - lo
    with open(os.path.join(d, "train-images-idx3-ubyte"), "wb") as f:
        f.write(images[:4] + n.to_bytes(4, "big") + images[8:16] + images[16 + lo * 784:16 + hi * 784])
    with open(os.path.join(d, "train-labels-idx1-ubyte"), "wb") as f:
        f.write(labels[:4] + n.to_bytes(4, "big") + labels[8 + lo:8 + hi])
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        p = os.path.join(d, name)
        if not os.path.exists(p):
            os.symlink(os.path.join(src, name), p)
PY
DIGITS=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
"$CLI" run default --out "$OUT/source" --set data.source=idx:"$OUT/fm-source" --set data.class_subset=0,1,2,3,4 \
  --set 'model.layers=[256,128]' --set train.optimizer=adam --set train.lr=0.001 --set train.epochs=8 \
  --set train.schedule.type=none --set train.batch_size=64 --set data.val_fraction=0.1
t() { name=$1; shift; "$CLI" transfer "$OUT/source" --out "$OUT/$name" "$@" > "$OUT/$name.txt" 2>&1 || true; }
t similar-100 --data idx:"$OUT/fm-target" --set data.class_subset=0,1,2,3,4 --set data.limit=125 --set train.epochs=50
t similar-5000 --data idx:"$OUT/fm-target" --set data.class_subset=0,1,2,3,4 --set data.limit=6250 --set train.epochs=10
t related-100 --data idx:"$OUT/fm-target" --set data.class_subset=5,6,7,8,9 --set data.limit=125 --set train.epochs=50
t digits-100 --data csv:$DIGITS --set data.image_shape=1,8,8 --set data.resize=28,28 --set data.val_fraction=0.94 --set train.epochs=50
t digits-1300 --data csv:$DIGITS --set data.image_shape=1,8,8 --set data.resize=28,28 --set data.val_fraction=0.28 --set train.epochs=20
