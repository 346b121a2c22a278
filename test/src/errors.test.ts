import { printableUrl, redact, redactAndTruncate } from '../../src/errors';

describe('redact', () => {
  test('removes secret values and their base64 and URL-encoded forms', () => {
    const secret = 'sk-live/abc+123';
    const text = `key ${secret} b64 ${Buffer.from(secret).toString('base64')} url ${encodeURIComponent(secret)}`;
    expect(redact(text, [secret])).toBe('key [REDACTED] b64 [REDACTED] url [REDACTED]');
  });

  test('removes Authorization headers and JWTs even when the value is not known', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJhcHBJZCI6ImNzLTEifQ.c2lnbmF0dXJl';
    expect(redact(`Authorization: Bearer abc.def and "auth":"xyz" then ${jwt}`, [])).toBe(
      'Authorization: [REDACTED] and "auth":"[REDACTED]" then [REDACTED]',
    );
  });

  test('ignores empty and very short values, which would shred the message', () => {
    expect(redact('a b c', ['', 'a'])).toBe('a b c');
  });
});

describe('redact: a secret echoed in any encoding a vendor may use', () => {
  const secret = 'sk/live+Tok3n=9f8e7d6c';
  const cases: Array<[string, string]> = [
    ['JSON-escaped slashes', JSON.stringify({ echo: secret }).replace(/\//g, '\\/')],
    ['JSON \\u escapes', `{"echo":"${[...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"}`],
    ['HTML entities (named and numeric)', `<p>${secret.replace(/\//g, '&#x2F;').replace(/\+/g, '&#43;').replace(/=/g, '&equals;')}</p>`],
    ['percent-encoding in lower case', `token=${encodeURIComponent(secret).toLowerCase()}`],
    ['percent-encoding in upper case', `token=${encodeURIComponent(secret)}`],
    ['base64url', `sig ${Buffer.from(secret).toString('base64url')}`],
    ['twice encoded', encodeURIComponent(encodeURIComponent(secret))],
  ];
  test.each(cases)('%s', (_name, text) => {
    const out = redact(text, [secret]);
    expect(out).toContain('[REDACTED]');
    expect(out).not.toContain('Tok3n');
    expect(out.toLowerCase()).not.toContain(encodeURIComponent(secret).toLowerCase().slice(0, 8));
  });

  test('a start of a secret cut off at the end of a text is removed, and a cut one inside a text from 8 characters', () => {
    expect(redact(`the token was ${secret.slice(0, 15)}`, [secret])).toBe('the token was [REDACTED]');
    expect(redact(`token ${secret.slice(0, 10)}... rejected`, [secret])).toBe('token [REDACTED]... rejected');
  });

  test('redactAndTruncate never leaves part of a secret at the cut', () => {
    const text = `${'x'.repeat(490)}${secret} and more`;
    const out = redactAndTruncate(text, [secret], 500);
    expect(out).not.toMatch(/sk\/live/);
    expect(out).toMatch(/more characters\)$/);
  });

  test('a text with no secret keeps its own encoding', () => {
    expect(redact('name=Team%20A &amp; B', [secret])).toBe('name=Team%20A &amp; B');
  });
});

describe('printableUrl', () => {
  test('drops user information, keeps the rest', () => {
    expect(printableUrl('https://svc:pw@host.example.com/api?x=1')).toBe('https://host.example.com/api?x=1');
    expect(printableUrl('http://host/path@x')).toBe('http://host/path@x');
  });
});
