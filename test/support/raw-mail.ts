/** Reads a raw RFC 5322 message as nodemailer writes it (headers, encoded words, multipart/alternative, quoted-printable, base64), for tests. */

export interface RawMail {
  /** Every header, unfolded, in order; names lower-cased. */
  headers: Array<[name: string, value: string]>;
  /** A header's decoded value (the first, if several). */
  header(name: string): string | undefined;
  /** The text/plain and text/html parts, decoded, with CRLF line ends made LF. */
  text: string;
  html: string;
}

interface Part {
  headers: Array<[string, string]>;
  body: string;
}

function splitPart(raw: string): Part {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end + 4);
  const headers: Array<[string, string]> = [];
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return { headers, body };
}

function headerOf(part: Part, name: string): string | undefined {
  return part.headers.find(([key]) => key === name.toLowerCase())?.[1];
}

/** `=?UTF-8?Q?...?=` and `=?UTF-8?B?...?=` words, joined as RFC 2047 says. */
export function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_match, _charset: string, encoding: string, text: string) =>
      encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(decodeQuotedPrintableBytes(text.replace(/_/g, ' '))).toString('utf8'),
    );
}

function decodeQuotedPrintableBytes(text: string): number[] {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return bytes;
}

function decodeBody(part: Part): string {
  const encoding = (headerOf(part, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(part.body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return Buffer.from(decodeQuotedPrintableBytes(part.body.replace(/=\r\n/g, ''))).toString('utf8');
  return part.body;
}

function leafParts(part: Part): Part[] {
  const type = headerOf(part, 'content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!/^multipart\//i.test(type) || boundary === undefined) return [part];
  const sections = part.body.split(`--${boundary}`).slice(1);
  return sections.filter((section) => !section.startsWith('--')).flatMap((section) => leafParts(splitPart(section.replace(/^\r\n/, '').replace(/\r\n$/, ''))));
}

export function parseRawMail(raw: string): RawMail {
  const message = splitPart(raw);
  const parts = leafParts(message);
  const body = (type: string): string => {
    const part = parts.find((candidate) => (headerOf(candidate, 'content-type') ?? 'text/plain').toLowerCase().startsWith(type));
    return part === undefined ? '' : decodeBody(part).replace(/\r\n/g, '\n');
  };
  return {
    headers: message.headers,
    header: (name) => {
      const value = headerOf(message, name);
      return value === undefined ? undefined : decodeWords(value);
    },
    text: body('text/plain'),
    html: body('text/html'),
  };
}
