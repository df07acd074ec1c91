// Numbers as the page writes them. Thousands are grouped by hand: the first toLocaleString() call loads
// the browser's locale data, tens of milliseconds while the page is starting.

/** 12396 -> "12,396" */
export const count = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
