"""The seed's own PyTorch code (fastbook chapter 4, the linear model), timed for scripts/bench.

    /usr/bin/python3 scripts/benchmark/seed.py ARCHIVE INIT_PARAMS --epochs 20 --runs 1

Loads the data as the book does (PIL, files sorted by name, all 3s then all 7s, / 255), starts every run
from the parameters in INIT_PARAMS (784 weights, then the bias, one a line), and trains with the book's
loop unchanged. Prints a comment line with the versions, then `run epoch validate_epoch ms` as TSV, where
ms is the wall time of train_epoch alone (validate_epoch is not timed).
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('archive')
    parser.add_argument('init_params')
    parser.add_argument('--epochs', type=int, default=20)
    parser.add_argument('--runs', type=int, default=1)
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
    if initial.numel() != 28 * 28 + 1:
        sys.exit(f'{args.init_params}: expected 785 numbers, got {initial.numel()}')

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
    # --- end of the book's code ---

    threads = torch.get_num_threads()
    print(f'# torch {torch.__version__}, {threads} thread{"s" if threads > 1 else ""}')
    print('run\tepoch\tvalidate_epoch\tms')
    for run in range(1, args.runs + 1):
        with torch.no_grad():  # every run starts again from the same parameters
            weights.copy_(initial[:784].view(28 * 28, 1))
            bias.copy_(initial[784:])
        for epoch in range(1, args.epochs + 1):
            start = time.perf_counter()
            train_epoch(linear1, lr, params)
            ms = (time.perf_counter() - start) * 1000
            print(f'{run}\t{epoch}\t{validate_epoch(linear1):.4f}\t{ms:.3f}', flush=True)


if __name__ == '__main__':
    main()
