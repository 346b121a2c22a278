/**
 * The access review's rows from drift entries: each drift status and expiry becomes the status an auditor reads;
 * CSV cells a spreadsheet would run are defused; HTML escapes vendor text.
 */
import { parse } from 'csv-parse/sync';
import { accessReport } from '../../src/cli/access';
import { accessCsv } from '../../src/cli/access-render';
import { accessHtml } from '../../src/cli/access-html';
import type { DriftEntry } from '../../src/cli/drift';

const READ_AT = new Date('2026-06-01T12:00:00Z');

function polarity(groupId: string, over: Partial<DriftEntry>): DriftEntry {
  return {
    vendor: 'polarity', provider: 'app/polarity', construct: `app/g${groupId}`, address: `terraform_data.polarity_apply["virustotal/${groupId}"]`,
    identity: { integrationId: 'virustotal', groupId }, status: 'in-sync', declared: { permissions: ['read'] }, actual: { permissions: ['read'] }, detail: '',
    ...over,
  };
}

describe('access report', () => {
  test('each drift status and expiry becomes what an auditor reads', () => {
    const report = accessReport('/stack', [
      polarity('1', {}),
      polarity('2', { expiresAt: '2026-07-01T00:00:00Z' }),
      polarity('3', { status: 'expired', expiresAt: '2026-05-01T00:00:00Z' }),
      polarity('4', { status: 'in-sync', actual: null, expiresAt: '2026-05-01T00:00:00Z' }),
      polarity('5', { status: 'missing', actual: null }),
      polarity('6', { status: 'changed', actual: { permissions: ['admin', 'read'] } }),
      polarity('7', { status: 'unknown', actual: null, detail: 'The vendor could not be read: refused' }),
      polarity('8', { status: 'unmanaged', construct: null, address: null, declared: null }),
    ], READ_AT);
    expect(report.rows.map((r) => [r.principal, r.kind, r.holds, r.status])).toEqual([
      ['group 1', 'declared', 'read', 'declared by app/g1'],
      ['group 2', 'expiring', 'read', 'expiring on 2026-07-01T00:00:00Z (declared by app/g2)'],
      ['group 3', 'expired', 'read', 'expired on 2026-05-01T00:00:00Z (declared by app/g3)'],
      ['group 4', 'not-held', '', 'expired on 2026-05-01T00:00:00Z, not held (declared by app/g4)'],
      ['group 5', 'not-held', '', 'not held (declared by app/g5)'],
      ['group 6', 'declared', 'admin, read', 'declared by app/g6; differs from the last apply'],
      ['group 7', 'unreadable', '', 'unreadable (declared by app/g7)'],
      ['group 8', 'unmanaged', 'read', 'unmanaged'],
    ]);
    expect(report.summary).toEqual({ declared: 2, expiring: 1, expired: 1, unmanaged: 1, 'not-held': 2, unreadable: 1 });
    expect(report.unreadable).toEqual([{ vendor: 'polarity', provider: 'app/polarity', scope: 'integration virustotal', reason: 'The vendor could not be read: refused' }]);
    expect(report.rows.every((r) => r.readAt === '2026-06-01T12:00:00.000Z')).toBe(true);
  });

  test('a Polytomic policy is one row per role, with the actions it holds', () => {
    const report = accessReport('/stack', [{
      vendor: 'polytomic', provider: 'app/polytomic', construct: 'app/ops', address: 'a', identity: { name: 'Ops', organizationId: null }, status: 'in-sync',
      declared: { actions: { read: ['r1', 'r2'], sync_to: ['r1'] } }, actual: { actions: { read: ['r1', 'r2'], sync_to: ['r1'] } }, detail: '',
    }], READ_AT);
    expect(report.rows.map((r) => [r.scope, r.principal, r.holds])).toEqual([['policy Ops', 'role r1', 'read, sync_to'], ['policy Ops', 'role r2', 'read']]);
  });

  test('csv: every cell a spreadsheet would evaluate (= + - @) starts with an apostrophe; quoting survives a round trip', () => {
    const entries = ['=1+1', '+1', '-1', '@SUM(A1)', 'a, "quoted"\nline'].map((action, i) => ({
      vendor: 'polytomic', provider: 'app/polytomic', construct: null, address: null, identity: { name: `P${i}`, organizationId: null }, status: 'unmanaged' as const,
      declared: null, actual: { actions: { [action]: ['r1'] } }, detail: '',
    }));
    const rows: string[][] = parse(accessCsv(accessReport('/stack', entries, READ_AT)));
    expect(rows.slice(1).map((r) => r[4])).toEqual(["'=1+1", "'+1", "'-1", "'@SUM(A1)", 'a, "quoted"\nline']);
  });

  test('html escapes vendor text everywhere it appears', () => {
    const html = accessHtml(accessReport('/stack', [polarity('1', { status: 'unmanaged', construct: null, identity: { integrationId: '<script>x</script>', groupId: '"1"' } })], READ_AT));
    expect(html).not.toContain('<script>x');
    expect(html).toContain('integration &lt;script&gt;x&lt;/script&gt;');
    expect(html).toContain('group &quot;1&quot;');
  });
});
