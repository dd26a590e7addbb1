/** Safe text for emails: one-line header values, escaped HTML, British dates, and a message body rendered as both plain text and HTML. */
import { assertNever } from '../../util/assert-never';

/** Control characters (CR and LF among them) and the Unicode line and paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/gu;
/** Bidirectional overrides, which can make a hostile device name read backwards ("gpj.exe"). */
const BIDI = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

function clip(text: string, maxLength: number): string {
  const characters = Array.from(text);
  return characters.length <= maxLength ? text : `${characters.slice(0, maxLength - 1).join('').trimEnd()}…`;
}

/** A value on one line: every control character (CR, LF, tab, ...) becomes a space; no header injection gets through. */
export function oneLine(value: string, maxLength = 200): string {
  return clip(value.replace(BIDI, '').replace(CONTROL, ' ').replace(/\s+/g, ' ').trim(), maxLength);
}

/** A value that may have several lines (a justification): line breaks kept, other control characters dropped. */
export function multiLine(value: string, maxLength = 2000): string {
  const lines = value
    .replace(BIDI, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(CONTROL, ' ').trimEnd());
  return clip(lines.join('\n').replace(/\n{3,}/g, '\n\n').trim(), maxLength);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

/** The first letter in capitals and a full stop at the end: "this stick ..." → "This stick ....". */
export function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** "1 day", "30 days". */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** "Monday 20 April 2026 at 10:00" in the school's time zone; a date alone ("2026-07-22") stays a date. */
export function formatWhen(iso: string, timeZone: string): string {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(iso);
  const when = new Date(dateOnly ? `${iso}T00:00:00Z` : iso);
  if (Number.isNaN(when.getTime())) return oneLine(iso, 40);
  const format = new Intl.DateTimeFormat('en-GB', dateOnly ? { timeZone: 'UTC', dateStyle: 'full' } : { timeZone, dateStyle: 'full', timeStyle: 'short' });
  // en-GB writes "Monday, 20 April 2026"; British house style drops the comma.
  return format.format(when).replace(/^(\w+),/, '$1');
}

/** One part of a message body. Values are raw: rendering makes them safe. */
export type Block =
  | { type: 'paragraph'; text: string }
  | { type: 'facts'; rows: ReadonlyArray<readonly [label: string, value: string]> }
  | { type: 'list'; title: string; items: readonly string[] }
  | { type: 'quote'; title: string; text: string }
  | { type: 'link'; text: string; url: string };

export interface MailBody {
  text: string;
  html: string;
}

const FOOTER = 'This message was sent automatically by Portcullis. Replies to it are not read.';

function textBlock(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return oneLine(block.text, 1000);
    case 'facts': {
      const width = Math.max(...block.rows.map(([label]) => label.length)) + 2;
      return block.rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${oneLine(value, 300)}`).join('\n');
    }
    case 'list':
      return [oneLine(block.title), ...block.items.map((item) => `  - ${oneLine(item, 300)}`)].join('\n');
    case 'quote':
      return [oneLine(block.title), ...multiLine(block.text).split('\n').map((line) => `  ${line}`)].join('\n');
    case 'link':
      return `${oneLine(block.text)}:\n${block.url}`;
    default:
      return assertNever(block);
  }
}

function htmlBlock(block: Block): string {
  switch (block.type) {
    case 'paragraph':
      return `<p>${escapeHtml(oneLine(block.text, 1000))}</p>`;
    case 'facts': {
      const rows = block.rows.map(
        ([label, value]) => `<tr><th align="left" valign="top" style="padding:2px 12px 2px 0">${escapeHtml(label)}</th><td>${escapeHtml(oneLine(value, 300))}</td></tr>`,
      );
      return `<table role="presentation" cellspacing="0" cellpadding="0">${rows.join('')}</table>`;
    }
    case 'list':
      return `<p>${escapeHtml(oneLine(block.title))}</p><ul>${block.items.map((item) => `<li>${escapeHtml(oneLine(item, 300))}</li>`).join('')}</ul>`;
    case 'quote': {
      const text = multiLine(block.text).split('\n').map(escapeHtml).join('<br>');
      return `<p>${escapeHtml(oneLine(block.title))}</p><blockquote style="margin:0 0 0 12px;padding-left:12px;border-left:3px solid #ccc">${text}</blockquote>`;
    }
    case 'link':
      return `<p><a href="${escapeHtml(block.url)}">${escapeHtml(oneLine(block.text))}</a></p>`;
    default:
      return assertNever(block);
  }
}

/** The same body as plain text and as a small, escaped HTML document. */
export function renderBody(title: string, blocks: readonly Block[]): MailBody {
  const text = `${[...blocks.map(textBlock), FOOTER].join('\n\n')}\n`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="en-GB"><head><meta charset="utf-8"><title>${escapeHtml(oneLine(title))}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;font-size:15px;line-height:1.4;color:#222">',
    ...blocks.map(htmlBlock),
    `<p style="color:#666;font-size:13px">${escapeHtml(FOOTER)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return { text, html };
}
