import { describeMailError, redact } from './mail-errors';

function smtpError(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

describe('describeMailError', () => {
  it('retries what may pass: timeouts, DNS failures, busy servers, dropped connections', () => {
    expect(describeMailError(smtpError('Connection timeout', { code: 'ETIMEDOUT' }), undefined)).toEqual({ problem: 'the mail server did not answer in time (Connection timeout)', retry: true });
    expect(describeMailError(smtpError('getaddrinfo ENOTFOUND smtp.example', { code: 'EDNS' }), undefined)).toEqual({
      problem: "the mail server's name could not be found (getaddrinfo ENOTFOUND smtp.example)",
      retry: true,
    });
    expect(describeMailError(smtpError('Data command failed', { code: 'EMESSAGE', response: '451 4.3.0 Try again\r\nlater', responseCode: 451 }), undefined)).toEqual({
      problem: 'the mail server could not take the message for now; it said: "451 4.3.0 Try again later"',
      retry: true,
    });
    expect(describeMailError(smtpError('read ECONNRESET', { code: 'ESOCKET' }), undefined).retry).toBe(true);
  });

  it('does not retry refusals and broken settings', () => {
    expect(describeMailError(smtpError('Invalid login', { code: 'EAUTH', response: '535 no', responseCode: 535 }), 'portcullis')).toEqual({
      problem: 'the mail server refused the user name "portcullis" or its password; it said: "535 no"',
      retry: false,
    });
    expect(describeMailError(smtpError('Error initiating TLS - self-signed certificate', { code: 'ETLS' }), undefined)).toEqual({
      problem: 'the TLS connection to the mail server failed (Error initiating TLS - self-signed certificate)',
      retry: false,
    });
    expect(describeMailError(smtpError('No recipients defined', { code: 'EENVELOPE' }), undefined).retry).toBe(false);
  });

  it('copes with things that are not errors', () => {
    expect(describeMailError('boom', undefined)).toEqual({ problem: 'boom', retry: true });
    expect(describeMailError(undefined, undefined)).toEqual({ problem: 'undefined', retry: true });
  });
});

describe('redact', () => {
  it('removes a secret and its base64 form', () => {
    expect(redact('pass hunter2, AUTH aHVudGVyMg==', ['hunter2', ''])).toBe('pass [redacted], AUTH [redacted]');
  });
});
