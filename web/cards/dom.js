// What every card's renderer needs to write the DOM sparingly.

/** The elements of these ids, by id. */
export const elements = (ids) => Object.fromEntries(ids.map((id) => [id, document.getElementById(id)]));

// Live regions announce every change, and a new text is laid out again, so a text that did not change is
// not written again.
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}
