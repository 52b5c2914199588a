#!/usr/bin/env python3
"""Seed corpora for the libFuzzer harnesses (tests/fuzz/seeds/NAME/).

Small well-formed inputs, so the fuzzers start from the formats' real
structure; the malformed corpus (tests/fixtures/bad) is added by dev.sh.
Run with any Python 3: python3 tests/fuzz/make_seeds.py
"""
import gzip
import json
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def write(name, rel, data):
    path = os.path.join(HERE, name, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def idx(dims, payload):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def safetensors(tensors, meta):
    header = {"__metadata__": meta}
    blob, off = b"", 0
    for name, (shape, values) in tensors.items():
        data = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [off, off + len(data)]}
        blob += data
        off += len(data)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blob


def layers_csv(measurements):
    """layers.csv as a run writes it: per (step, layers) a row per layer"""
    kinds = ["weights", "activations", "gradients"]
    head = ["step", "layer", "act_mean", "act_std", "dead_fraction", "saturated_fraction", "weight_rms",
            "grad_norm", "update_ratio"]
    for k in kinds:
        head += [f"{k}_lo", f"{k}_hi"] + [f"{k}_{b}" for b in range(40)]
    rows = [",".join(head)]
    for step, n_layers in measurements:
        for layer in range(1, n_layers + 1):
            row = [str(step), str(layer), "0.5", "0.25", "0", "0", "0.1", "1.5", "" if step == 0 else "0.001"]
            for k in range(3):
                row += ["-1", "1"] + [str((b * 7 + k) % 5) for b in range(40)]
            rows.append(",".join(row))
    return ("\n".join(rows) + "\n").encode()


def main():
    write("idx", "images", idx([2, 2, 3], bytes(range(12))))
    write("idx", "labels", idx([2], bytes([1, 0])))
    write("idx", "images.gz", gzip.compress(idx([2, 2, 3], bytes(range(12)))))
    write("cifar", "one-record", bytes([3]) + bytes(range(256)) * 12)
    write("cifar", "two-records-100", (bytes([1, 42]) + bytes(3072)) * 2)
    write("csv", "header", b"a,b,label\n1,2,cat\n3.5,-4,dog\n")
    write("csv", "numeric", b"0.1,0.2,1\n0.3,0.4,0\n")
    write("csv", "quoted", b'"x","y","class"\n"1","2","a b"\n')
    write("experiment", "default", b"{}")
    write("experiment", "full", json.dumps({
        "name": "seed", "seed": 3,
        "data": {"source": "builtin:moons", "preprocess": "zca", "augment": {"hflip": 0.5}},
        "model": {"layers": [{"type": "dense", "units": 8, "activation": "tanh"}], "init": "xavier"},
        "train": {"lr": 0.1, "schedule": {"type": "step", "every_epochs": 2}}}).encode())
    write("set", "numbers", b"train.lr=0.3\ntrain.epochs=12\nseed=42\ndata.val_fraction=0.25\ntrain.momentum=0.99")
    write("set", "layers", b"model.layers=512:tanh,256\nmodel.activation=leaky_relu\nmodel.layers=[64,{\"units\":8}]")
    write("set", "strings", b"name=caf\xc3\xa9 \xc2\xb7 1\ndata.source=builtin:moons\ntrain.optimizer=adam")
    write("set", "refused", b"model.layers=512,,256\ntrain.lr=0x10\n=5\nnoequals\ntrain.epochs=1e99\nmodel.layers=[]")
    write("layers", "two-layers", layers_csv([(50, 2), (100, 2)]))
    write("summary", "done", json.dumps({
        "name": "seed", "state": "done", "epochs_completed": 2, "steps": 38, "train_acc": 0.9, "val_acc": 0.85,
        "best_val_acc": 0.9, "test_acc": None, "samples_per_second": 50000.5, "diverged": False,
        "warnings": ["a/b.png: skipped: truncated"]}, indent=2).encode())
    write("summary", "failed", json.dumps({
        "name": "seed", "state": "failed", "epochs_completed": 0, "error": "r/layers.csv: cannot write"}).encode())
    write("advice", "two", json.dumps({"advice": [
        {"code": "lr_too_low", "severity": "warning", "confidence": 0.7, "message": "The loss falls slowly",
         "evidence": {"slope": -0.001, "window": [10, 200]}, "action": "train.lr=0.3"},
        {"code": "healthy", "severity": "info", "confidence": 1, "message": "ok", "evidence": None, "action": ""}]},
        indent=2).encode())
    write("metrics", "three-epochs", b"epoch,step,lr,train_loss,train_acc,val_loss,val_acc,seconds\n"
          b"1,19,0.100000001,1.0986,0.4,0.9,0.5,0.012\n2,38,0.100000001,0.5,0.8,,,0.020\n"
          b"3,57,0.0500000007,inf,0.3,-inf,0.2,0.031\n")
    write("metrics", "regression-lone-newline", b"\n")  # an empty header line: read lines[0] of none
    write("steps", "regression-lone-newline", b"\n")
    write("steps", "steps", b"step,epoch,lr,loss\n1,1,0.100000001,1.09861231\n2,1,0.100000001,\n3,1,0.1,inf\n4,2,0.1,0.5")
    experiment = json.dumps({"model": {"layers": [{"type": "dense", "units": 2}]}, "data": {"preprocess": "none"}})
    write("safetensors", "model", safetensors({
        "layers.0.weight": ([2, 2], [1, 2, 3, 4]), "layers.0.bias": ([2], [0, 0]),
        "layers.1.weight": ([3, 2], [1, 0, 0, 1, 1, 1]), "layers.1.bias": ([3], [0, 0, 0])},
        {"experiment": experiment}))


if __name__ == "__main__":
    main()
