// The PyTorch code of a run, for the book's notebook: torch.manual_seed, the model's initial parameters as the
// book draws them, and the book's loop with the run's learning rate, batch size, epochs and shuffling. Run
// after the book's cells that build dset and valid_dset and define mnist_loss and batch_accuracy, it prints
// the line the page prints (scripts/check-notebook runs it under PyTorch to hold it to that). No imports, so
// that Node can run it too.

// The book's models, as the notebook draws them right after torch.manual_seed (init 'randn' or 'pytorch').
const MODEL_CODE = {
  'linear randn': `weights = init_params((28*28,1))
bias = init_params(1)
def model(xb): return xb@weights + bias
params = weights, bias`,
  'linear pytorch': `model = nn.Linear(28*28,1)
params = list(model.parameters())`,
  'simple_net pytorch': `model = nn.Sequential(nn.Linear(28*28,30), nn.ReLU(), nn.Linear(30,1))
params = list(model.parameters())`,
  'simple_net randn': `w1 = init_params((28*28,30))
b1 = init_params(30)
w2 = init_params((30,1))
b2 = init_params(1)
def model(xb):
    res = xb@w1 + b1
    res = res.max(torch.tensor(0.0))
    return res@w2 + b2
params = w1, b1, w2, b2`,
};

/**
 * The notebook's code for a run: {model: 'linear' | 'simple_net', init: 'randn' | 'pytorch' (not 'default':
 * resolve it first), lr, batchSize, epochs, seed (decimal text or a number), shuffle}.
 */
export function notebookCode({ model, init, lr, batchSize, epochs, seed, shuffle }) {
  const code = MODEL_CODE[`${model} ${init}`];
  if (!code) throw new Error(`no notebook code for model ${model} with init ${init}`);
  const shuffled = shuffle ? ', shuffle=True' : '';
  return `# After the book's cells: dset, valid_dset, mnist_loss, batch_accuracy.
# torch.utils.data's DataLoader: fastai's shuffles with Python's random instead.
import torch
from torch import nn
torch.manual_seed(${seed})
${init === 'randn' ? 'def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()\n' : ''}${code}
dl = torch.utils.data.DataLoader(dset, batch_size=${batchSize}${shuffled})
valid_dl = torch.utils.data.DataLoader(valid_dset, batch_size=${batchSize})

def train_epoch(model, lr, params):
    for xb,yb in dl:
        mnist_loss(model(xb), yb).backward()
        for p in params:
            p.data -= p.grad*lr
            p.grad.zero_()

def validate_epoch(model):
    accs = [batch_accuracy(model(xb), yb) for xb,yb in valid_dl]
    return round(torch.stack(accs).mean().item(), 4)

for i in range(${epochs}):
    train_epoch(model, ${lr}, params)
    print(f'{validate_epoch(model):.4f}', end=' ')
`;
}
