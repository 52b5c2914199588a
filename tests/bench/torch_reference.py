#!/usr/bin/python3
"""PyTorch's side of bench-train: the same nets, data and optimizer.

Fashion-MNIST from the Debian package, standardised like Trainscope does,
--net mlp: MLP 784-512-256-10 with ReLU; --net cnn: conv 5×5 32 same → max
pool 2 → conv 5×5 64 same → max pool 2 → dense 128 → 10, ReLU (Debian's
torch runs its convolutions through oneDNN); momentum SGD 0.9, for batch
sizes 64/128/256, with 1 and 2 threads, in five windows of samples/5 each.
Prints one line per measurement, the best window's rate and the median's,
and at the end the process's peak RSS (getrusage's ru_maxrss):
    torch batch=B threads=T samples_per_second=S median=M
    torch peak_rss_kb=N
"""
import argparse
import gzip
import resource
import time

import numpy as np
import torch

DIR = "/usr/share/datasets/fashion-mnist"
WINDOWS = 5  # as bench-train: the best and the median window are reported


def load_images():
    with gzip.open(f"{DIR}/train-images-idx3-ubyte.gz") as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(f"{DIR}/train-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    x = x.astype(np.float32) / 255.0
    x = (x - x.mean()) / x.std()
    return torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))


def make_model(net):
    if net == "cnn":
        return torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 5, padding=2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(64 * 7 * 7, 128), torch.nn.ReLU(),
            torch.nn.Linear(128, 10))
    return torch.nn.Sequential(
        torch.nn.Linear(784, 512), torch.nn.ReLU(),
        torch.nn.Linear(512, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))


def measure(net, x, y, batch, samples):
    torch.manual_seed(0)
    model = make_model(net)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = torch.nn.CrossEntropyLoss()
    order = torch.randperm(x.shape[0])
    xs, ys = x[order], y[order]

    def step(i):
        lo = (i * batch) % (x.shape[0] - batch)
        xb, yb = xs[lo:lo + batch], ys[lo:lo + batch]
        opt.zero_grad(set_to_none=True)
        loss_fn(model(xb), yb).backward()
        opt.step()

    for i in range(20):
        step(i)
    steps = max(1, samples // WINDOWS // batch)
    rates = []
    for w in range(WINDOWS):
        start = time.perf_counter()
        for i in range(steps):
            step(w * steps + i)
        rates.append(steps * batch / (time.perf_counter() - start))
    rates.sort()
    return rates[-1], rates[WINDOWS // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--net", choices=("mlp", "cnn"), default="mlp")
    args = parser.parse_args()
    x, y = load_images()
    if args.net == "cnn":
        x = x.reshape(-1, 1, 28, 28)
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for batch in (64, 128, 256):
            best, median = measure(args.net, x, y, batch, args.samples)
            print(f"torch batch={batch} threads={threads} samples_per_second={best:.0f} "
                  f"median={median:.0f}", flush=True)
    print(f"torch peak_rss_kb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)


if __name__ == "__main__":
    main()
