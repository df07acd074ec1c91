"""The PyTorch runs of the book's chapter-4 code that the tests compare the engine against.

    /usr/bin/python3 scripts/reference.py ARCHIVE OUT_DIR [RUN ...]

ARCHIVE is the MNIST sample (the .tgz or its extracted mnist_sample/ folder). Writes one folder per run into
OUT_DIR (all five below unless RUNs are named), each holding:
- config.txt: model, init, seed, lr, batch size, epochs, shuffle, torch version (one line);
- init_params.txt, final_params.txt: the parameters before the first and after the last epoch, one a line
  (%.9g): linear, the 784 weights in pixel order then the bias (785 lines); simple_net, w1 as nn.Linear stores
  it (30 rows of 784), b1, w2 (1 x 30), b2 (23,581 lines);
- trajectory.tsv: epoch, validate_epoch (the book's metric, 4 places), exact_accuracy (correct / 2038),
  mean_train_loss (the mean of that epoch's batch losses);
- batches.tsv: epoch, batch, loss: every SGD step's mnist_loss, computed before its update;
- first_grad.txt: the gradient of the first batch's loss, before the first update, in the parameters' layout.

Needs Debian's python3-torch (PyTorch 1.13) and python3-pil; CI does not install them, so no test runs this.
"""
import io
import sys
import tarfile
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader

# name: (model, init, lr, epochs, shuffle, the config line's wording). Seed 42 and batches of 256 for all.
# The first and fourth runs were made first; their config.txt keeps its original wording.
RUNS = {
    'linear-seed42-lr1-bs256-e20': ('linear', 'randn', 1.0, 20, False,
                                    'seed=42 lr=1.0 bs=256 epochs=20 dtype=float32 shuffle=False'),
    'linear-pytorch-seed42-lr1-bs256-e20': ('linear', 'pytorch', 1.0, 20, False, None),
    'linear-shuffle-seed42-lr1-bs256-e10': ('linear', 'randn', 1.0, 10, True, None),
    'simple_net-seed42-lr0.1-bs256-e40': ('simple_net', 'pytorch', 0.1, 40, False,
                                          'model=simple_net(784-30-1 relu) seed=42 lr=0.1 bs=256 epochs=40 '
                                          'shuffle=False'),
    'simple_net-randn-seed42-lr0.01-bs256-e10': ('simple_net', 'randn', 0.01, 10, False, None),
}
SEED = 42
BATCH_SIZE = 256


def read_pngs(source, split, digit):
    """The PNG files of one folder, as (name, bytes), sorted by name as the book's `.ls().sorted()`."""
    if source.is_dir():
        folder = source / split / digit
        return [(p.name, p.read_bytes()) for p in sorted(folder.iterdir())]
    prefix = f'mnist_sample/{split}/{digit}/'
    with tarfile.open(source) as archive:
        members = [m for m in archive.getmembers() if m.isfile() and m.name.startswith(prefix)]
        files = [(m.name[len(prefix):], archive.extractfile(m).read()) for m in members]
    return sorted(files)


def load_digits(source, split, digit):
    """The book's `torch.stack([tensor(Image.open(o)) for o in ...]).float()/255`."""
    images = [torch.as_tensor(np.array(Image.open(io.BytesIO(data)))) for _, data in read_pngs(source, split, digit)]
    return torch.stack(images).float() / 255


def load_split(source, split):
    """All 3s then all 7s, flattened to 784 pixels; label 1 for a 3, 0 for a 7."""
    threes, sevens = load_digits(source, split, '3'), load_digits(source, split, '7')
    x = torch.cat([threes, sevens]).view(-1, 28 * 28)
    y = torch.tensor([1] * len(threes) + [0] * len(sevens)).unsqueeze(1)
    return x, y


# --- the book's code ---
def init_params(size, std=1.0):
    return (torch.randn(size) * std).requires_grad_()


def mnist_loss(predictions, targets):
    predictions = predictions.sigmoid()
    return torch.where(targets == 1, 1 - predictions, predictions).mean()


def batch_accuracy(xb, yb):
    preds = xb.sigmoid()
    correct = (preds > 0.5) == yb
    return correct.float().mean()
# --- end of the book's code ---


def make_model(model, init):
    """Draws the initial parameters right after torch.manual_seed, as the notebook does.

    Returns the model, its parameters in training order, and a function giving them in the files' layout."""
    if model == 'linear' and init == 'randn':  # the book's linear1
        weights = init_params((28 * 28, 1))
        bias = init_params(1)
        return (lambda xb: xb @ weights + bias), [weights, bias], lambda ps: ps
    if model == 'linear':  # the book's linear_model
        linear_model = nn.Linear(28 * 28, 1)
        return linear_model, list(linear_model.parameters()), lambda ps: ps
    if init == 'pytorch':  # the book's simple_net
        simple_net = nn.Sequential(nn.Linear(28 * 28, 30), nn.ReLU(), nn.Linear(30, 1))
        return simple_net, list(simple_net.parameters()), lambda ps: ps
    # the book's hand-written simple_net; w1 is (784 in x 30 out), written transposed as nn.Linear stores it
    w1 = init_params((28 * 28, 30))
    b1 = init_params(30)
    w2 = init_params((30, 1))
    b2 = init_params(1)

    def simple_net(xb):
        res = xb @ w1 + b1
        res = res.max(torch.tensor(0.0))
        res = res @ w2 + b2
        return res

    return simple_net, [w1, b1, w2, b2], lambda ps: [ps[0].t(), ps[1], ps[2].t(), ps[3]]


def params_text(tensors):
    values = torch.cat([t.detach().reshape(-1) for t in tensors]).tolist()
    return ''.join(f'{v:.9g}\n' for v in values)


def run(name, train, valid, out_dir):
    model_name, init, lr, epochs, shuffle, config = RUNS[name]
    torch.manual_seed(SEED)
    model, params, layout = make_model(model_name, init)
    # The DataLoaders come after the initial parameters: each pass over either one draws from the global
    # generator, so a shuffled run's order depends on every pass before it, validation included.
    dl = DataLoader(list(zip(*train)), batch_size=BATCH_SIZE, shuffle=shuffle)
    valid_dl = DataLoader(list(zip(*valid)), batch_size=BATCH_SIZE)

    folder = out_dir / name
    folder.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = (f'model={model_name} init={init} seed={SEED} lr={lr} bs={BATCH_SIZE} epochs={epochs} '
                  f'shuffle={shuffle}')
    (folder / 'config.txt').write_text(f'{config} torch={torch.__version__}\n')
    (folder / 'init_params.txt').write_text(params_text(layout(params)))

    batches = ['epoch\tbatch\tloss\n']
    trajectory = ['epoch\tvalidate_epoch\texact_accuracy\tmean_train_loss\n']
    first_grad = None
    for epoch in range(1, epochs + 1):
        losses = []
        for xb, yb in dl:  # the book's train_epoch and calc_grad, keeping each loss and the first gradient
            loss = mnist_loss(model(xb), yb)
            loss.backward()
            if first_grad is None:
                first_grad = params_text(layout([p.grad for p in params]))
            losses.append(loss.item())
            batches.append(f'{epoch}\t{len(losses)}\t{loss.item():.9g}\n')
            for p in params:
                p.data -= p.grad * lr
                p.grad.zero_()
        with torch.no_grad():  # the book's validate_epoch, and the exact count beside it
            accs, correct = [], 0
            for xb, yb in valid_dl:
                preds = model(xb)
                accs.append(batch_accuracy(preds, yb))
                correct += int(((preds.sigmoid() > 0.5) == yb).sum())
            validate_epoch = round(torch.stack(accs).mean().item(), 4)
        exact = np.float32(correct) / np.float32(len(valid[1]))  # in float32, as a tensor's mean gives it
        trajectory.append(f'{epoch}\t{validate_epoch:.4f}\t{exact:.6f}\t{sum(losses) / len(losses):.6f}\n')
        print(f'{name}: epoch {epoch} validate_epoch {validate_epoch:.4f}', flush=True)

    (folder / 'final_params.txt').write_text(params_text(layout(params)))
    (folder / 'trajectory.tsv').write_text(''.join(trajectory))
    (folder / 'batches.tsv').write_text(''.join(batches))
    (folder / 'first_grad.txt').write_text(first_grad)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.split('\n\n')[1].strip())
    source, out_dir, names = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:] or list(RUNS)
    unknown = [n for n in names if n not in RUNS]
    if unknown:
        sys.exit(f'unknown run {unknown[0]!r}; the runs: {", ".join(RUNS)}')
    torch.set_num_threads(1)  # a parallel reduction could sum in another order on a machine with more cores
    train, valid = load_split(source, 'train'), load_split(source, 'valid')
    for name in names:
        run(name, train, valid, out_dir)


if __name__ == '__main__':
    main()
