#!/bin/sh
# The transfer lab's 2×2 table on real data (README, "Transfer lab"):
# a source model trained on Fashion-MNIST classes 0–4 (the first 40 000
# training images), targets carved from the other 20 000 (never seen by the
# source) and sklearn's digits. MODEL is `mlp` (784-256-128-5, Adam, 8
# epochs; the default) or `cnn` (the benchmark CNN, the fashion-cnn example,
# 2 epochs, as the issue's PyTorch check pretrained it).
# Usage: tests/bench/transfer-table.sh BUILD_DIR OUT_DIR [mlp|cnn]
set -eu
CLI="$1/app/trainscope-cli"
OUT="$2"
MODEL="${3:-mlp}"
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
# CSV pixels enter as they are (digits: 0–16); the CNN reads raw pixels in
# [0,1] (data.preprocess none), so its digits are scaled to [0,1] here
digits = np.loadtxt("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz", delimiter=",")
digits[:, :64] /= 16.0
with gzip.open(os.path.join(out, "digits01.csv.gz"), "wt") as f:
    for row in digits:
        f.write(",".join("%g" % v for v in row[:64]) + ",%d\n" % row[64])
PY
case "$MODEL" in
mlp)
  DIGITS=/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz
  "$CLI" run default --out "$OUT/source" --set data.source=idx:"$OUT/fm-source" --set data.class_subset=0,1,2,3,4 \
    --set 'model.layers=[256,128]' --set train.optimizer=adam --set train.lr=0.001 --set train.epochs=8 \
    --set train.schedule.type=none --set train.batch_size=64 --set data.val_fraction=0.1
  SMALL="" ;;
cnn)
  # conv32x5/same → maxpool2 → conv64x5/same → maxpool2 → 128, momentum SGD
  # 0.05 at batch 128, cosine over the 2 epochs, raw pixels; the targets
  # with ~100 samples train at batch 32 (4 steps an epoch, not 1)
  DIGITS="$OUT/digits01.csv.gz"
  "$CLI" run fashion-cnn --out "$OUT/source" --set data.source=idx:"$OUT/fm-source" \
    --set data.class_subset=0,1,2,3,4 --set train.epochs=2
  SMALL="--set train.batch_size=32" ;;
*) echo "MODEL: mlp or cnn, not $MODEL" >&2; exit 2 ;;
esac
t() { name=$1; shift; "$CLI" transfer "$OUT/source" --out "$OUT/$name" "$@" > "$OUT/$name.txt" 2>&1 || true; }
t similar-100 --data idx:"$OUT/fm-target" --set data.class_subset=0,1,2,3,4 --set data.limit=125 --set train.epochs=50 $SMALL
t similar-5000 --data idx:"$OUT/fm-target" --set data.class_subset=0,1,2,3,4 --set data.limit=6250 --set train.epochs=10
t related-100 --data idx:"$OUT/fm-target" --set data.class_subset=5,6,7,8,9 --set data.limit=125 --set train.epochs=50 $SMALL
t digits-100 --data csv:$DIGITS --set data.image_shape=1,8,8 --set data.resize=28,28 --set data.val_fraction=0.94 --set train.epochs=50 $SMALL
t digits-1300 --data csv:$DIGITS --set data.image_shape=1,8,8 --set data.resize=28,28 --set data.val_fraction=0.28 --set train.epochs=20
