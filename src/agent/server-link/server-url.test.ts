import { parseServerUrl, serverOrigin } from './server-url';

describe('parseServerUrl', () => {
  it.each(['https://portcullis.school.example', 'https://portcullis.school.example:8443/', 'http://127.0.0.1:4100', 'http://localhost:4100/'])('takes %s', (text) => {
    const url = parseServerUrl(text);
    expect(url.ok).toBe(true);
    expect(url.ok && serverOrigin(url.value)).toBe(text.replace(/\/$/, ''));
  });

  it.each([
    ['http://portcullis.school.example', /expected an https:\/\/ address \(plain http:\/\/ only to 127\.0\.0\.1 or localhost\)/],
    ['http://10.0.0.5:4100', /expected an https:\/\//],
    ['ftp://localhost', /expected an https:\/\//],
    ['portcullis.school.example', /is not a URL/],
    ['https://portcullis.school.example/console', /no path/],
    ['https://admin:pw@portcullis.school.example', /user name or password/],
    ['https://portcullis.school.example/?a=1', /no path/],
  ])('refuses %s', (text, message) => {
    const url = parseServerUrl(text);
    expect(url.ok).toBe(false);
    expect(!url.ok && url.error).toMatch(message);
  });
});
