// Pre-js for the CLI under Node: the program sees the real environment ($MNIST_SAMPLE, $HOME for fastai's
// cache, ...), not Emscripten's stand-in with USER=web_user and HOME=/home/web_user.
Module['preRun'] = [].concat(Module['preRun'] || [], () => Object.assign(ENV, process.env));
