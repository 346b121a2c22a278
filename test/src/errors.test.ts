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

describe('redact: a token echoed as the whole header value, in other case, hex, spaced out or quoted-printable', () => {
  const token = 'sk_live_9f8e7d6c5b4a3928';
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const qp = (text: string) => text.replace(/[=_]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const cases: Array<[string, string]> = [
    ['base64 of "Bearer <token>"', `echo ${b64(`Bearer ${token}`)}`],
    ['base64 of "TOKEN <token>"', `echo ${b64(`TOKEN ${token}`)}`],
    ['base64 of "WorkloadToken <token>"', `echo ${b64(`WorkloadToken ${token}`)}`],
    ['base64 of a Basic user:<token> pair', `Basic ${b64(`svc:${token}`)}`],
    ['base64url of the header value', `sig=${Buffer.from(`Bearer ${token}`).toString('base64url')}`],
    ['base64 of the header value, wrapped at 8 characters', b64(`Bearer ${token}`).replace(/(.{8})/g, '$1\r\n')],
    ['base64 of the upper-cased header value', b64(`BEARER ${token.toUpperCase()}`)],
    ['upper-cased', `TOKEN ${token.toUpperCase()} REJECTED`],
    ['hex', `key=${Buffer.from(token).toString('hex')}`],
    ['upper-case hex of the header value', Buffer.from(`Bearer ${token}`).toString('hex').toUpperCase()],
    ['hex bytes spaced out', Buffer.from(token).toString('hex').replace(/(..)/g, '$1 ')],
    ['spaced out', `token was ${[...token].join(' ')} ok`],
    ['quoted-printable', `Authorisation-Echo: ${qp(`Bearer ${token}`)}`],
    ['quoted-printable with a soft line break', `value ${qp(token).slice(0, 9)}=\r\n${qp(token).slice(9)} end`],
    ['C-style hex escapes', [...token].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('')],
  ];
  test.each(cases)('%s', (_name, text) => {
    const out = redact(text, [token]);
    expect(out).toContain('[REDACTED]');
    const compact = out.replace(/\s/g, '').toLowerCase();
    for (const form of [token, Buffer.from(token).toString('hex'), b64(token).slice(4, 16)]) {
      expect(compact).not.toContain(form.toLowerCase().slice(4, 14));
    }
    // Nothing of the token survives in any alignment of its base64 either.
    for (const prefix of ['', 'a', 'ab']) expect(compact).not.toContain(b64(prefix + token).slice(4, 16).toLowerCase());
  });

  test('a short secret does not redact ordinary words that match a few characters of its encodings', () => {
    // base64 of "ass" is "YXNz"; of "pass", "cGFzcw".
    expect(redact('yxnz cgfzcw words', ['pass'])).toBe('yxnz cgfzcw words');
    expect(redact('the PASS was pass', ['pass'])).toBe('the [REDACTED] was [REDACTED]');
  });

  test('ordinary text around an echo is kept', () => {
    expect(redact(`denied for ${b64(`Bearer ${token}`)} at 12:00`, [token])).toMatch(/^denied for \S*\[REDACTED\]\S* at 12:00$/);
    expect(redact('Team A has 3 members; hex 0a0b; base64 aGVsbG8=', [token])).toBe('Team A has 3 members; hex 0a0b; base64 aGVsbG8=');
  });

  test('a long answer is only scanned near its start, and the count of what was cut stays right', () => {
    const text = `${token} ${'z'.repeat(5_000_000)}`;
    const started = Date.now();
    const out = redactAndTruncate(text, [token], 100);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(out).toMatch(/^\[REDACTED\] z+\.\.\. \(4999911 more characters\)$/);
  });
});

describe('printableUrl', () => {
  test('drops user information, keeps the rest', () => {
    expect(printableUrl('https://svc:pw@host.example.com/api?x=1')).toBe('https://host.example.com/api?x=1');
    expect(printableUrl('http://host/path@x')).toBe('http://host/path@x');
  });
});
