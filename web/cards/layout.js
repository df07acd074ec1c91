// The page's layout: the compact embed mode, and the panels (panels.js) the settings ask for. The whole
// page lays its cards out in two columns; chosen panels leave the columns for a grid of their own, in the
// order given, side by side where the width allows (style.css), so that the reading and tabbing order is
// the order shown.
import { PANEL_NAMES, wholePage } from '../panels.js';

export class LayoutView {
  #grid = document.getElementById('layout');
  // Each panel's <section> and the column it belongs to in the whole page, in the page's order.
  #home = PANEL_NAMES.map((name) => {
    const section = document.getElementById(name);
    if (!section) throw new Error(`panels.js names a panel "${name}" that index.html has no section for`);
    return { name, section, column: section.parentElement };
  });
  #shown = null;  // the panels laid out, joined

  /** From the settings: embed and panels. */
  render({ embed, panels }) {
    const root = document.documentElement;
    root.classList.toggle('embed', embed);
    if (panels.join() === this.#shown) return;
    this.#shown = panels.join();
    const whole = wholePage(panels);
    root.classList.toggle('panels', !whole);
    for (const { name, section, column } of this.#home) {
      section.hidden = !panels.includes(name);
      if (whole) column.append(section);
    }
    if (!whole) this.#grid.append(...panels.map((name) => this.#home.find((home) => home.name === name).section));
  }
}
