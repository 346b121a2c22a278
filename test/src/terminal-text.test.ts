/**
 * Vendor text never drives a terminal or hides code in a review: ESC/OSC sequences, C1 controls, line breaks and
 * bidirectional overrides are shown as escapes in messages, the drift table and import comments, and as \uXXXX in
 * printed code and JSON.
 */
import type { DriftEntry } from '../../src/cli/drift';
import { importCode } from '../../src/cli/import';
import { driftDocument, driftTable } from '../../src/cli/report';
import { codeText, stringLiteral, terminalLines, terminalText } from '../../src/terminal-text';

// drift.ts pulls p-limit, an ES module jest does not load; nothing here runs it.
jest.mock('p-limit', () => ({ __esModule: true, default: () => (fn: () => unknown) => fn() }));

const OSC_TITLE = '\u001b]0;pwned\u0007';
const ERASE_LINE = '\u001b[2K\r';
const C1_CSI = '\u009b31m';
const BIDI = 'admin\u202e\u2066nimda\u2069\u202c';
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/;

describe('terminalText', () => {
  test('shows ESC, OSC, C1, DEL, line breaks and bidi controls as visible escapes, on one line', () => {
    expect(terminalText(`a${OSC_TITLE}b`)).toBe('a\\x1b]0;pwned\\x07b');
    expect(terminalText(`x${ERASE_LINE}y`)).toBe('x\\x1b[2K\\x0dy');
    expect(terminalText(`${C1_CSI}\u007f`)).toBe('\\x9b31m\\x7f');
    expect(terminalText('row 1\nforged row\u2028')).toBe('row 1\\x0aforged row\\u2028');
    expect(terminalText(BIDI)).toBe('admin\\u202e\\u2066nimda\\u2069\\u202c');
    expect(terminalText('\u200e\u200f\u061c\u202a')).toBe('\\u200e\\u200f\\u061c\\u202a');
  });

  test('leaves ordinary text, accents, other scripts and emoji alone', () => {
    const text = 'José Müller — 東京 / عربى 🚀 C:\\path "quoted" tab-free';
    expect(terminalText(text)).toBe(text);
  });

  test('terminalLines keeps line breaks and escapes the rest', () => {
    expect(terminalLines(`first ${OSC_TITLE}\nsecond\r`)).toBe('first \\x1b]0;pwned\\x07\nsecond\\x0d');
  });
});

describe('code and JSON', () => {
  test('a string literal shows every unsafe character as \\uXXXX and still means the same string', () => {
    const value = `${OSC_TITLE}${C1_CSI}${BIDI}\u2028`;
    const literal = stringLiteral(value);
    expect(literal).not.toMatch(UNSAFE);
    expect(literal).toBe('"\\u001b]0;pwned\\u0007\\u009b31madmin\\u202e\\u2066nimda\\u2069\\u202c\\u2028"');
    expect(JSON.parse(literal)).toBe(value);
    // eslint-disable-next-line no-eval
    expect((0, eval)(literal)).toBe(value);
  });

  test('a JSON document keeps its value, with no raw control or bidi character', () => {
    const doc = { name: BIDI, detail: `${C1_CSI}\u0085` };
    const text = codeText(JSON.stringify(doc, null, 2));
    expect(text.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(JSON.parse(text)).toEqual(doc);
  });
});

describe('where vendor text reaches a person', () => {
  const entry = (identity: Record<string, string>, detail: string): DriftEntry => ({
    vendor: 'kore', provider: null, construct: null, address: null, identity, status: 'unmanaged', declared: null, actual: { present: true }, detail,
  });

  test('the drift table: a hostile user name cannot forge a row, retitle the terminal or reorder columns', () => {
    const doc = driftDocument([
      entry({ entityId: 'eng@example.com', user: `zed@example.com\nin-sync    kore       saas/x${OSC_TITLE}` }, 'held'),
      entry({ entityId: `eng${BIDI}`, user: `${C1_CSI}bo@example.com` }, 'held'),
    ], false);
    const out = driftTable(doc, true);
    expect(out.split('\n')).toHaveLength(6);
    expect(out.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(out).toContain('zed@example.com\\x0ain-sync    kore       saas/x\\x1b]0;pwned\\x07');
    expect(out).toContain('eng / \\x9b31mbo'.replace('eng', `engadmin\\u202e\\u2066nimda\\u2069\\u202c`));
  });

  test('the drift notes: an unreadable vendor\'s message is escaped too', () => {
    const unknown = { ...entry({ entityId: 'e', user: 'u' }, `read failed: ${ERASE_LINE}all good`), status: 'unknown' as const, construct: 'saas/eng' };
    const out = driftTable(driftDocument([unknown], false), false);
    expect(out).toContain('  saas/eng: read failed: \\x1b[2K\\x0dall good');
    expect(out.replace(/\n/g, '')).not.toMatch(UNSAFE);
  });

  test('import: string literals escape as \\uXXXX (Trojan Source), comments as visible escapes', () => {
    const lines0 = [
      { className: 'PolytomicPolicy', id: 'ops', props: { name: `Ops${BIDI}`, policyActions: [] }, grants: [] },
      { comment: `policy "x\u2028new Evil()${OSC_TITLE}" has a control character` },
    ];
    const source = { url: 'http://127.0.0.1:1', urlSource: 'POLYTOMIC_DEPLOYMENT_URL', providerCount: 1 };
    const code = importCode('cdktf-saas-permissions', `import polytomic${OSC_TITLE}`, { lines: lines0, entries: [], source, scope: 'all' }, 'polytomic');
    const lines = code.split('\n');
    expect(lines).toHaveLength(8);
    expect(code.replace(/\n/g, '')).not.toMatch(UNSAFE);
    expect(code).toContain('name: "Opsadmin\\u202e\\u2066nimda\\u2069\\u202c"');
    expect(code).toContain('// Not declared: policy "x\\u2028new Evil()\\x1b]0;pwned\\x07" has a control character.');
  });
});
