#!/usr/bin/python3
"""The slow suite's CNN recipe in PyTorch, to find and check it there.

The net of tests/test-slow-fashion.c (conv 5×5 32 same → max pool 2 → conv
5×5 64 same → max pool 2 → dense 128 → 10, ReLU, He init, zero biases) on
Fashion-MNIST from the Debian package, pixels in [0,1] standardised by the
training set's one mean and std (Trainscope's standardize on one-channel
images), momentum SGD 0.9, L2 on the weights only, the LR per step under a
cosine decay to 0 over the run (or "stepN": halved every N epochs, or
"none"), optional flip and random crop (zero padding) as data.augment does.
Prints the test accuracy after every epoch and a RESULT line:

    /usr/bin/python3 tests/bench/torch_cnn_recipe.py --epochs 12 --seed 1
    /usr/bin/python3 tests/bench/torch_cnn_recipe.py --limit 10000 --epochs 3
"""
import argparse
import gzip
import math
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"


def load(kind):
    with gzip.open(f"{DIR}/{kind}-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(f"{DIR}/{kind}-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    return torch.from_numpy(x.astype(np.float32) / 255.0), torch.from_numpy(y.astype(np.int64))


def net():
    m = torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(64 * 49, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    for mod in m:
        if isinstance(mod, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(mod.weight, nonlinearity="relu")
            torch.nn.init.zeros_(mod.bias)
    return m


def augment(xb, flip, pad, g):
    if flip > 0:
        m = torch.rand(xb.shape[0], generator=g) < flip
        xb = torch.where(m[:, None, None, None], xb.flip(3), xb)
    if pad > 0:
        padded = torch.nn.functional.pad(xb, (pad, pad, pad, pad), value=0.0)
        dx = torch.randint(0, 2 * pad + 1, (xb.shape[0],), generator=g)
        dy = torch.randint(0, 2 * pad + 1, (xb.shape[0],), generator=g)
        xb = torch.stack([padded[i, :, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28] for i in range(xb.shape[0])])
    return xb


def lr_at(a, t, epoch):
    if a.sched == "cosine":
        return a.lr * 0.5 * (1 + math.cos(math.pi * t / a.epochs))
    if a.sched.startswith("step"):
        return a.lr / 2 ** (epoch // int(a.sched[4:]))
    return a.lr


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--l2", type=float, default=5e-4)
    p.add_argument("--sched", default="cosine")
    p.add_argument("--flip", type=float, default=0)
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--limit", type=int, default=0, help="training images, the first limit/10 of each class")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x, y = load("train")
    xt, yt = load("t10k")
    if a.limit:
        keep = torch.cat([torch.nonzero(y == c).flatten()[:a.limit // 10] for c in range(10)])
        x, y = x[keep], y[keep]
    mean, std = x.mean(), x.std()
    m = net()
    decay = [q for n, q in m.named_parameters() if n.endswith("weight")]
    rest = [q for n, q in m.named_parameters() if not n.endswith("weight")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": a.l2}, {"params": rest, "weight_decay": 0}],
                          lr=a.lr, momentum=0.9)
    g = torch.Generator().manual_seed(a.seed)
    steps = math.ceil(x.shape[0] / a.batch)
    t0 = time.time()
    for e in range(a.epochs):
        m.train()
        order = torch.randperm(x.shape[0], generator=g)
        for s in range(steps):
            for grp in opt.param_groups:
                grp["lr"] = lr_at(a, e + s / steps, e)
            idx = order[s * a.batch:(s + 1) * a.batch]
            xb = (augment(x[idx], a.flip, a.pad, g) - mean) / std
            opt.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(m(xb), y[idx]).backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            right = sum((m((xt[i:i + 1000] - mean) / std).argmax(1) == yt[i:i + 1000]).sum().item()
                        for i in range(0, xt.shape[0], 1000))
        acc = right / xt.shape[0]
        print(f"epoch {e + 1} test_acc {acc:.4f} {time.time() - t0:.0f}s", flush=True)
    print(f"RESULT limit={a.limit} epochs={a.epochs} seed={a.seed} lr={a.lr} l2={a.l2} sched={a.sched} "
          f"flip={a.flip} pad={a.pad} test_acc={acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
