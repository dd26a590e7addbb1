/** Data tables for the console pages: a caption, column headers with scope, and one row per item. */
import { el } from './dom';

export interface Column<T> {
  heading: string;
  cell(item: T): Node | string;
  numeric?: boolean;
}

/** A table of `items`, or `empty` in a paragraph when there are none. */
export function dataTable<T>(caption: string, columns: readonly Column<T>[], items: readonly T[], empty: string): HTMLElement {
  if (items.length === 0) return el('p', { class: 'notice' }, empty);
  const head = el('tr', {}, ...columns.map((column) => el('th', { scope: 'col', class: column.numeric === true ? 'number' : undefined }, column.heading)));
  const rows = items.map((item) => el('tr', {}, ...columns.map((column) => el('td', { class: column.numeric === true ? 'number' : undefined }, column.cell(item)))));
  return el('table', {}, el('caption', {}, caption), el('thead', {}, head), el('tbody', {}, ...rows));
}
