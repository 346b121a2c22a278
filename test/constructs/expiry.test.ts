/**
 * `expiresAt` at synth: checked as RFC 3339 (a past literal is a warning naming the construct, a token is left to
 * Terraform), stored with the grant for the command-line tool, and turned into a for_each that leaves expired grants
 * out of each plan, with `required_version >= 1.5` merged into what the app sets. Stacks without it are unchanged.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider } from '../../constructs';

const FUTURE = '2999-01-01T00:00:00Z';
const grant = { integrationId: 'virustotal', groupId: '7', permissions: ['read'] as Array<'read'> };

function synthJson(build: (stack: TerraformStack) => void): any {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return JSON.parse(Testing.synth(stack, true));
}

/** Synthesizes as `cdktf synth` does (annotations stop it); returns the error and the warnings. */
function synth(build: (stack: TerraformStack) => void): { error?: string; warnings: string[] } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'expiry-'));
  const stack = new TerraformStack(new App({ outdir, skipValidation: true }), 'test');
  try {
    build(stack);
    (stack.node.root as App).synth();
    return { warnings: warningsOf(stack) };
  } catch (error) {
    return { error: (error as Error).message, warnings: warningsOf(stack) };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

function warningsOf(stack: TerraformStack): string[] {
  return stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => `[${c.node.path}] ${m.data}`));
}

describe('expiresAt', () => {
  test('plans leave out expired grants: for_each filters on plantimestamp(), each instance carries its expiry, state keeps it', () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'temp', { ...grant, expiresAt: FUTURE });
      new PolarityIntegrationPermission(s, 'forever', { ...grant, groupId: '8' });
    });
    const filtered = '${{ for k, v in local.polarity_instances : k => v if v.expires == "" ? true : timecmp(plantimestamp(), v.expires) < 0 }}';
    expect(tf.resource.terraform_data.polarity_apply.for_each).toBe(filtered);
    expect(tf.resource.terraform_data.polarity_revoke.for_each).toBe(filtered);
    expect(tf.locals.polarity_instances['virustotal/7'].expires).toBe(FUTURE);
    expect(tf.locals.polarity_instances['virustotal/8'].expires).toBe('');
    expect(JSON.parse(tf.locals.polarity_instances['virustotal/7'].stored)).toEqual({ path: 'test/temp', expiresAt: FUTURE });
    // Nothing to store: the revoke instance's input is null.
    expect(tf.locals.polarity_instances['virustotal/8'].stored).toBe('');
    expect(tf.terraform.required_version).toBe('>= 1.5');
    // Other vendors' blocks, with no expiring grant, stay as they were.
    expect(tf.resource.terraform_data.kore_apply.for_each).toBe('${local.kore_instances}');
  });

  test('a stack without expiresAt is unchanged: no filter, no expires field, no required_version', () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'forever', grant);
    });
    expect(tf.resource.terraform_data.polarity_apply.for_each).toBe('${local.polarity_instances}');
    expect(tf.locals.polarity_instances['virustotal/7'].expires).toBeUndefined();
    expect(tf.terraform?.required_version).toBeUndefined();
  });

  test('an expiry from a variable is left to Terraform, and reaches state through jsonencode; a list only Terraform knows carries it per item', () => {
    const tf = synthJson((s) => {
      const until = new TerraformVariable(s, 'until', { type: 'string' });
      const users = new TerraformVariable(s, 'users', { type: 'list(string)' });
      new KoreProvider(s, 'kore');
      new KoreEntityUsers(s, 'contractors', { botId: 'st-1', connectorId: 'fc-1', entityId: 'eng', users: users.listValue, expiresAt: until.stringValue });
    });
    const forEach: string = tf.resource.terraform_data.kore_apply.for_each;
    expect(forEach).toMatch(/^\$\{\{ for k, v in merge\(local\.kore_instances, \{ for item in toset\(var\.users\) : .*expires = "\$\{var\.until\}".* \}\) : k => v if v\.expires == "" \? true : timecmp\(plantimestamp\(\), v\.expires\) < 0 \}\}$/);
    expect(forEach).toContain('stored = "{\\"path\\":\\"test/contractors\\",\\"expiresAt\\":${jsonencode(var.until)}}"');
  });

  test('the Terraform version constraint an app sets is kept: both must hold, whichever was set first', () => {
    for (const order of ['before', 'after']) {
      const tf = synthJson((s) => {
        if (order === 'before') s.addOverride('terraform.required_version', '>= 1.3, < 2.0');
        new PolarityProvider(s, 'polarity');
        new PolarityIntegrationPermission(s, 'temp', { ...grant, expiresAt: FUTURE });
        if (order === 'after') s.addOverride('terraform.required_version', '>= 1.3, < 2.0');
      });
      expect(tf.terraform.required_version).toBe('>= 1.3, < 2.0, >= 1.5');
    }
  });

  test('a bad timestamp is an error naming the construct and field; a past one is a warning naming the construct; retain is refused', () => {
    for (const bad of ['2026-13-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01', '2026-01-01 10:00:00Z', 'tomorrow', '2026-01-01T10:00:00']) {
      const { error } = synth((s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'temp', { ...grant, expiresAt: bad }); });
      expect(error).toContain(`[test/temp] expiresAt: must be an RFC 3339 timestamp such as "2026-12-31T18:00:00Z" (upper-case T, Z or an offset such as +02:00), got ${JSON.stringify(bad)}`);
    }
    const past = synth((s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'old', { ...grant, expiresAt: '2020-01-01T00:00:00+02:00' }); });
    expect(past.error).toBeUndefined();
    expect(past.warnings).toEqual(['[test/old] expiresAt: 2020-01-01T00:00:00+02:00 is already past: the grant is not applied, and the next apply revokes it if it is held']);
    const retain = synth((s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'kept', { ...grant, expiresAt: FUTURE, removalPolicy: 'retain' }); });
    expect(retain.error).toContain("[test/kept] expiresAt: cannot be combined with removalPolicy 'retain'");
    const fine = synth((s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'ok', { ...grant, expiresAt: '2999-06-30T23:59:59.5-07:00' }); });
    expect(fine).toEqual({ warnings: [] });
  });
});
