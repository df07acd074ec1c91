// An example host page: embeds the MNIST page in an iframe and drives it through its postMessage API.
// Everything a course page needs is here: send requests to the page's origin only, and trust only
// messages that come from the iframe's window with the page's origin.
const PREFIX = 'mnist-sgd:';
const LOG_LENGTH = 8;

const frame = document.getElementById('page');
const pageUrl = pageToEmbed();
const pageOrigin = pageUrl.origin;
frame.src = pageUrl.href;

// ?page=URL embeds another copy of the page (an http or https address); by default, the one beside this.
function pageToEmbed() {
  const asked = new URLSearchParams(location.search).get('page');
  try {
    const url = new URL(asked ?? '../?embed=1', location.href);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // not a URL: the default below
  }
  return new URL('../?embed=1', location.href);
}

function send(message) {
  frame.contentWindow.postMessage(message, pageOrigin);  // delivered only if the frame still shows the page
}

for (const button of document.querySelectorAll('[data-send]')) {
  button.addEventListener('click', () => {
    const message = { type: PREFIX + button.dataset.send };
    if (button.dataset.unit) message.unit = button.dataset.unit;
    send(message);
  });
}

document.getElementById('lr-form').addEventListener('submit', (event) => {
  event.preventDefault();
  // Sent as typed: the page checks it and answers with an error message if it is not a valid rate.
  send({ type: `${PREFIX}set`, settings: { lr: document.getElementById('lr').value.trim() } });
});

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.origin !== pageOrigin) return;
  const message = event.data;
  if (typeof message?.type !== 'string' || !message.type.startsWith(PREFIX)) return;
  log(message);
  const type = message.type.slice(PREFIX.length);
  if (type !== 'error') showError(null);
  switch (type) {
    case 'ready':
    case 'run':
    case 'epoch':
    case 'metrics':
      if (message.ready === false) break;  // a metrics reply before the data is loaded
      setReady();
      showModel(message);
      break;
    case 'settings':
      showSettings(message.settings);
      break;
    case 'resize':
      frame.style.height = `${message.height}px`;  // the iframe as tall as the page's content: nothing scrolls inside
      break;
    case 'error':
      showError(message.message);
      break;
    default:
      break;  // a message type this example does not know (a newer page): ignored
  }
});

// The page may have loaded before this script listened: ask it where it is.
frame.addEventListener('load', () => send({ type: `${PREFIX}get-metrics` }));

function setReady() {
  document.getElementById('connection').textContent = `Connected to the page at ${pageOrigin}.`;
  for (const button of document.querySelectorAll('[data-send]')) button.disabled = false;
}

function showModel({ epoch, validateEpoch, accuracy, trainLoss, settings }) {
  const set = (id, text) => { document.getElementById(id).textContent = text; };
  set('epoch', String(epoch));
  set('validate-epoch', validateEpoch.toFixed(4));
  set('accuracy', accuracy.toFixed(4));
  set('train-loss', trainLoss === null ? '– (no epoch yet)' : trainLoss.toFixed(4));
  if (settings) showSettings(settings);
}

function showSettings(settings) {
  document.getElementById('current-lr').textContent = String(settings.lr);
}

function showError(text) {
  const error = document.getElementById('error');
  error.hidden = !text;
  error.textContent = text ? `The page says: ${text}` : '';
}

function log(message) {
  const list = document.getElementById('log');
  const item = document.createElement('li');
  const { type, ...rest } = message;
  const code = document.createElement('code');
  code.textContent = `${type} ${JSON.stringify(rest, (key, value) => (key === 'history' ? `[${value.length} epochs]` : value))}`;
  item.append(code);
  list.prepend(item);
  while (list.children.length > LOG_LENGTH) list.lastElementChild.remove();
}
