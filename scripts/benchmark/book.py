"""The book's own PyTorch code (fastbook chapter 4, the linear model or simple_net), timed for scripts/bench.

    /usr/bin/python3 scripts/benchmark/book.py ARCHIVE INIT_PARAMS [--model linear|simple_net] --epochs 20 --runs 1

Loads the data as the book does (PIL, files sorted by name, all 3s then all 7s, / 255), starts every run
from the parameters in INIT_PARAMS, one a line, and trains with the book's loop unchanged:
- linear (the default, lr 1): 784 weights, then the bias; the book's linear1.
- simple_net (lr 0.1): the book's nn.Sequential(nn.Linear(28*28,30), nn.ReLU(), nn.Linear(30,1)), its
  parameters as PyTorch stores them: w1 (30 x 784, row-major), b1 (30), w2 (1 x 30), b2 (1). Trained by the
  same train_epoch (`p.data -= p.grad * lr`) over simple_net.parameters().
Prints a comment line with the versions, then `run epoch validate_epoch ms` as TSV, where ms is the wall
time of train_epoch alone (validate_epoch is not timed). With --turns, before each run it prints the comment
`# waiting` and waits for a line on stdin: scripts/bench runs the other engines in between, in the same
process's lifetime, without loading the data again.
"""
import argparse
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader


def tensor(image):
    """fastai's tensor() on a PIL image: its pixels as a uint8 tensor."""
    return torch.as_tensor(np.array(image))


def load_digits(folder):
    return torch.stack([tensor(Image.open(o)) for o in sorted(folder.iterdir())]).float() / 255


def load_split(path, split):
    threes, sevens = load_digits(path / split / '3'), load_digits(path / split / '7')
    x = torch.cat([threes, sevens]).view(-1, 28 * 28)
    y = torch.tensor([1] * len(threes) + [0] * len(sevens)).unsqueeze(1)
    return x, y


def blas_library():
    """The BLAS this process has loaded (a Linux distribution's torch may use the system's), by file name."""
    try:
        maps = Path('/proc/self/maps').read_text().split('\n')
    except OSError:
        return 'unknown'
    names = sorted({line.split()[-1] for line in maps if 'blas' in line.lower() and line.split()[-1].startswith('/')})
    return ', '.join(str(Path(name).resolve()) for name in names) or 'none loaded (built into torch, or MKL)'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('archive')
    parser.add_argument('init_params')
    parser.add_argument('--model', choices=('linear', 'simple_net'), default='linear')
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--runs', type=int, default=1)
    parser.add_argument('--turns', action='store_true', help='wait for a line on stdin before each run')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        with tarfile.open(args.archive) as archive:
            # The 'data' filter (Python 3.11.4 and later) refuses paths that leave the folder.
            extra = {'filter': 'data'} if hasattr(tarfile, 'data_filter') else {}
            archive.extractall(folder, **extra)
        path = Path(folder) / 'mnist_sample'
        train_x, train_y = load_split(path, 'train')
        valid_x, valid_y = load_split(path, 'valid')

    initial = torch.tensor([float(line) for line in Path(args.init_params).read_text().split()])
    expected = 28 * 28 + 1 if args.model == 'linear' else 30 * 28 * 28 + 30 + 30 + 1
    if initial.numel() != expected:
        sys.exit(f'{args.init_params}: expected {expected} numbers for {args.model}, got {initial.numel()}')

    # --- the book's code, from here on ---
    dset = list(zip(train_x, train_y))
    valid_dset = list(zip(valid_x, valid_y))
    dl = DataLoader(dset, batch_size=256)
    valid_dl = DataLoader(valid_dset, batch_size=256)

    weights = initial[:784].clone().view(28 * 28, 1).requires_grad_()
    bias = initial[784:].clone().requires_grad_()

    def linear1(xb):
        return xb @ weights + bias

    def mnist_loss(predictions, targets):
        predictions = predictions.sigmoid()
        return torch.where(targets == 1, 1 - predictions, predictions).mean()

    def calc_grad(xb, yb, model):
        preds = model(xb)
        loss = mnist_loss(preds, yb)
        loss.backward()

    def train_epoch(model, lr, params):
        for xb, yb in dl:
            calc_grad(xb, yb, model)
            for p in params:
                p.data -= p.grad * lr
                p.grad.zero_()

    def batch_accuracy(xb, yb):
        preds = xb.sigmoid()
        correct = (preds > 0.5) == yb
        return correct.float().mean()

    def validate_epoch(model):
        accs = [batch_accuracy(model(xb), yb) for xb, yb in valid_dl]
        return round(torch.stack(accs).mean().item(), 4)

    lr = 1.
    params = weights, bias

    simple_net = nn.Sequential(
        nn.Linear(28*28, 30),
        nn.ReLU(),
        nn.Linear(30, 1)
    )
    # --- end of the book's code ---

    if args.model == 'linear':
        model = linear1

        def reset():
            weights.copy_(initial[:784].view(28 * 28, 1))
            bias.copy_(initial[784:])
    else:
        model, lr, params = simple_net, 0.1, list(simple_net.parameters())
        first, second = simple_net[0], simple_net[2]

        def reset():  # the reference's layout: w1 (30 x 784 row-major), b1, w2 (1 x 30), b2
            at = 0
            for p in (first.weight, first.bias, second.weight, second.bias):
                p.copy_(initial[at:at + p.numel()].view_as(p))
                at += p.numel()

    threads = torch.get_num_threads()
    print(f'# torch {torch.__version__}, {threads} thread{"s" if threads > 1 else ""}')
    print(f'# BLAS: {blas_library()}')  # simple_net's matrix products run on it
    print(f'# inked pixels: {int((train_x != 0).sum())}')  # the training images' nonzero pixels, for the floor
    print('run\tepoch\tvalidate_epoch\tms')
    for run in range(1, args.runs + 1):
        if args.turns:
            print('# waiting', flush=True)
            if not sys.stdin.readline():
                return
        with torch.no_grad():  # every run starts again from the same parameters
            reset()
        for epoch in range(1, args.epochs + 1):
            start = time.perf_counter()
            train_epoch(model, lr, params)
            ms = (time.perf_counter() - start) * 1000
            print(f'{run}\t{epoch}\t{validate_epoch(model):.4f}\t{ms:.3f}', flush=True)


if __name__ == '__main__':
    main()
