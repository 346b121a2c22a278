/**
 * The drift report at scale and against time: a table of hundreds of thousands of rows prints, an overall deadline
 * turns the scopes not read by then into `unknown`, exit codes tell unread vendors from drift, and prune's rule of
 * who may remove what.
 */
// p-limit is ESM only, which jest's CommonJS runtime cannot load; the bundle (esbuild) and the e2e tests use the real one.
jest.mock('p-limit', () => ({ __esModule: true, default: () => <T>(fn: () => T) => fn() }));

import { DriftEntry, ProviderSessions, collectDrift, prunable } from '../../src/cli/drift';
import { EXIT, exitCode } from '../../src/cli/drift-run';
import { driftDocument, driftTable } from '../../src/cli/report';
import { StackProvider, StackView, StateGrant } from '../../src/cli/stack';

const entry = (groupId: number, over: Partial<DriftEntry> = {}): DriftEntry => ({
  vendor: 'polarity', provider: 'app/polarity', construct: `app/g${groupId}`, address: `terraform_data.polarity_apply["virustotal/${groupId}"]`,
  identity: { integrationId: 'virustotal', groupId: String(groupId) }, status: 'in-sync', declared: { permissions: ['read'] },
  actual: { permissions: ['read'] }, detail: '', ...over,
});

const provider = (exclusiveScope: boolean): StackProvider => ({
  vendor: 'polarity', providerId: 'polarity', path: 'app/polarity', settings: { connection: { urlEnv: 'POLARITY_URL', tokenEnv: 'POLARITY_TOKEN' } as never }, exclusiveScope,
});

describe('drift report', () => {
  test('300,000 rows, every one with a note, print without overflowing the call stack', () => {
    const entries = Array.from({ length: 300_000 }, (_, i) => entry(i, { status: 'unknown', actual: null, detail: 'The vendor could not be read: x' }));
    const text = driftTable(driftDocument(entries, false), false);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(600_000);
    expect(lines[1]).toMatch(/^unknown +polarity +app\/polarity +app\/g0 +virustotal \/ 0 +read +\(not read\)$/);
    expect(text).toContain('300000 grants in state: 0 in sync, 0 missing, 0 changed, 300000 unknown');
  });

  test('pendingApply "unknown" is said with its reason', () => {
    const doc = driftDocument([entry(1)], 'unknown', [], 'No value for required variable "group"');
    expect(doc).toMatchObject({ pendingApply: 'unknown', pendingApplyReason: 'No value for required variable "group"' });
    expect(driftTable(doc, false)).toContain('Whether the synthesized stack differs from the last apply is unknown: No value for required variable "group"');
    expect(driftDocument([entry(1)], false)).not.toHaveProperty('pendingApplyReason');
  });

  test('exit codes: 0 no drift, 3 only unread, 2 drift (with or without unread)', () => {
    const unknown = entry(2, { status: 'unknown', actual: null });
    expect(exitCode([entry(1)])).toBe(EXIT.clean);
    expect(exitCode([entry(1), unknown])).toBe(EXIT.unknown);
    expect(exitCode([entry(3, { status: 'missing', actual: null }), unknown])).toBe(EXIT.drift);
    expect([EXIT.clean, EXIT.error, EXIT.drift, EXIT.unknown]).toEqual([0, 1, 2, 3]);
  });

  test('prune may remove only in an exclusive scope, and a whole Polytomic policy only by name', () => {
    expect(prunable('polarity', provider(false), { groupId: '8' }, []).ok).toBe(false);
    expect(prunable('polarity', provider(true), { groupId: '8' }, []).ok).toBe(true);
    expect(prunable('polytomic', provider(true), { name: 'Policy B' }, []).ok).toBe(false);
    expect(prunable('polytomic', provider(true), { name: 'Policy B' }, ['Policy B']).ok).toBe(true);
  });

  test('the overall deadline: a scope whose read does not end in time is unknown, and the report returns', async () => {
    const grant = (groupId: string, integrationId: string): StateGrant => ({
      vendor: 'polarity', providerId: 'polarity', key: `${integrationId}/${groupId}`, address: `terraform_data.polarity_apply["${integrationId}/${groupId}"]`, path: `app/g${groupId}`,
      resource: { integrationId, groupId, permissions: ['read'] }, stored: {}, tainted: false,
    });
    const stack: StackView = { dir: '/nowhere', grants: [grant('1', 'virustotal'), grant('2', 'shodan')], providers: new Map([['polarity/polarity', provider(false)]]), legacy: [] };
    // A vendor that never answers.
    const sessions: ProviderSessions = new Map([['polarity/polarity', { open: () => new Promise<never>(() => undefined) }]]);
    const started = Date.now();
    const result = await collectDrift(stack, sessions, { unmanaged: false, secrets: [], deadlineAt: started + 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.entries.map((e) => e.status)).toEqual(['unknown', 'unknown']);
    expect(result.entries[0].detail).toMatch(/not read: the drift deadline \(--deadline\) passed/);
    expect(result.readFailed).toBe(2);
  });
});
