// The embed builder's code (cards/embed.js shows the builder): an iframe of the page with the settings
// shown now, the panels chosen and how it starts, as plain HTML, as Jupyter's IFrame, or as a raw HTML
// block for Markdown and Quarto. Plain data in, text out.
import { PANEL_NAMES } from './panels.js';
import { toQuery } from './settings.js';

const TITLE = 'MNIST basics: SGD learns 3s and 7s';

/**
 * The page's address (`href`, the page now) as the iframe opens it: the settings, compact, the panels
 * chosen (none: every card), and how it starts (choice: the builder's {panels, start: 'waits', 'trained'
 * or 'plays', trained: epochs}).
 */
export function embedUrl(settings, { panels, start, trained }, href) {
  const shown = {
    ...settings, embed: true, panels: panels.length ? panels : PANEL_NAMES,
    trained: start === 'trained' ? trained : 0, autoplay: start === 'plays',
  };
  return new URL(`?${toQuery(shown)}`, href).href;
}

/**
 * The code to paste: choice as for embedUrl, and {height (CSS pixels), autoSize, format}. autoSize adds
 * the lines a host page needs to size the iframe to the page's content; Jupyter's IFrame cannot run them,
 * so it has the height alone.
 */
export function embedCode(settings, choice, href) {
  const src = embedUrl(settings, choice, href);
  const { height, autoSize, format } = choice;
  if (format === 'jupyter') return `from IPython.display import IFrame\nIFrame("${src}", width="100%", height=${height})`;
  const iframe = `<iframe src="${attribute(src)}" title="${TITLE}" width="100%" height="${height}" loading="lazy" style="border:0"></iframe>`;
  const html = autoSize ? `${iframe}\n${RESIZE_SCRIPT}` : iframe;
  return format === 'quarto' ? `\`\`\`{=html}\n${html}\n\`\`\`` : html;
}

/**
 * What a host page needs to size the page's iframes to their content: each 'mnist-sgd:resize' message sets
 * the height of the iframe it came from, if it came from the origin that iframe shows. Pasted with several
 * iframes, it is harmless more than once.
 */
export const RESIZE_SCRIPT = `<script>
  addEventListener('message', (event) => {
    if (event.data?.type !== 'mnist-sgd:resize') return;
    for (const frame of document.querySelectorAll('iframe')) {
      if (frame.contentWindow === event.source && event.origin === new URL(frame.src, location.href).origin) {
        frame.style.height = event.data.height + 'px';
      }
    }
  });
</script>`;

const attribute = (text) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;');
