import { escapeHtml, formatWhen, multiLine, oneLine, renderBody, sentence } from './mail-format';

describe('oneLine', () => {
  it('turns every control character into a space, so nothing can start a new header', () => {
    expect(oneLine('Cruzer\r\nBcc: x@evil.example\u0000\tBlade\u2028end\u0085')).toBe('Cruzer Bcc: x@evil.example Blade end');
  });

  it('drops bidirectional overrides and clips long values', () => {
    expect(oneLine('photo\u202Egpj.exe')).toBe('photogpj.exe');
    expect(oneLine('x'.repeat(300), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(oneLine('😀'.repeat(5), 3)).toBe('😀😀…');
  });
});

describe('multiLine', () => {
  it('keeps line breaks, normalised, and drops other control characters', () => {
    expect(multiLine('one\r\ntwo\rthree\u0007\n\n\n\nfour\u202E')).toBe('one\ntwo\nthree\n\nfour');
  });
});

describe('escapeHtml', () => {
  it('escapes the five characters that matter in content and attributes', () => {
    expect(escapeHtml(`<script>alert("x" + 'y') && 1</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;) &amp;&amp; 1&lt;/script&gt;');
  });
});

describe('sentence', () => {
  it('capitalises and ends with a full stop', () => {
    expect(sentence('this stick also presents itself as a keyboard')).toBe('This stick also presents itself as a keyboard.');
    expect(sentence('Already one.')).toBe('Already one.');
  });
});

describe('formatWhen', () => {
  it('writes dates the British way in the school\'s time zone', () => {
    expect(formatWhen('2026-04-20T09:00:00Z', 'Europe/London')).toBe('Monday 20 April 2026 at 10:00');
    expect(formatWhen('2026-01-20T09:00:00Z', 'Europe/London')).toBe('Tuesday 20 January 2026 at 09:00');
    expect(formatWhen('2026-07-22', 'Europe/London')).toBe('Wednesday 22 July 2026');
    expect(formatWhen('not a date\r\n', 'Europe/London')).toBe('not a date');
  });
});

describe('renderBody', () => {
  it('renders the same blocks as text and as escaped HTML', () => {
    const body = renderBody('A <title>', [
      { type: 'paragraph', text: 'Hello <b>there</b>' },
      { type: 'facts', rows: [['Device', '<img src=x onerror=alert(1)>'], ['Computer', 'ICT-07']] },
      { type: 'list', title: 'Please note:', items: ['a & b'] },
      { type: 'quote', title: 'Their reason:', text: 'line one\n<i>line two</i>' },
      { type: 'link', text: 'Open', url: 'https://portcullis.example/approvals/a%22b' },
    ]);
    expect(body.text).toBe(
      [
        'Hello <b>there</b>',
        '',
        'Device:   <img src=x onerror=alert(1)>',
        'Computer: ICT-07',
        '',
        'Please note:',
        '  - a & b',
        '',
        'Their reason:',
        '  line one',
        '  <i>line two</i>',
        '',
        'Open:',
        'https://portcullis.example/approvals/a%22b',
        '',
        'This message was sent automatically by Portcullis. Replies to it are not read.',
        '',
      ].join('\n'),
    );
    expect(body.html).toContain('<title>A &lt;title&gt;</title>');
    expect(body.html).toContain('<p>Hello &lt;b&gt;there&lt;/b&gt;</p>');
    expect(body.html).toContain('<td>&lt;img src=x onerror=alert(1)&gt;</td>');
    expect(body.html).toContain('<li>a &amp; b</li>');
    expect(body.html).toContain('line one<br>&lt;i&gt;line two&lt;/i&gt;</blockquote>');
    expect(body.html).toContain('<a href="https://portcullis.example/approvals/a%22b">Open</a>');
    expect(body.html).not.toMatch(/<(img|b|i)\b/);
  });
});
