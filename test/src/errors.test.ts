import { redact } from '../../src/errors';

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
