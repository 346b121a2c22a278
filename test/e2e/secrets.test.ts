/**
 * Secrets never reach cdk.tf.json, the state, the plan or Terraform's output, for every vendor, including failures
 * where the vendor echoes the credential back in its error.
 */
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { SIM_CREDENTIALS } from '../../src/simulators';
import { E2eWorkspace } from './harness';
import { ROLE_A, StackSpec, buildStack } from './stack-spec';

jest.setTimeout(300_000);

const ALL: StackSpec = {
  polarity: [{ id: 'p', integrationId: 'virustotal', groupId: '7', permissions: ['read'] }],
  britive: [{ id: 'b', profileId: 'pap-oncall', permissionName: 'Admins', permissionType: 'group' }],
  kore: [{ id: 'k', entityId: 'eng@example.com', users: ['ana@example.com'] }],
  polytomic: [{ id: 't', name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE_A] }] }],
  providerProps: { requestTimeoutSeconds: 1, deadlineSeconds: 20, baseBackoffMs: 5, maxRetries: 1 },
};

const SECRETS = Object.values(SIM_CREDENTIALS).filter((v) => !v.startsWith('cs-'));

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) {
    if (text.includes(secret)) throw new Error(`${where} contains the secret ${secret.slice(0, 6)}...`);
    if (text.includes(Buffer.from(secret).toString('base64'))) throw new Error(`${where} contains a base64 form of a secret`);
  }
  // A minted Kore JWT (header.payload.signature, base64url of {"alg"...}).
  expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
}

/** No secret in any form a vendor may echo it in: any case, spaced out, hex, base64 of any text holding it. */
function expectNoSecretInAnyForm(where: string, text: string): void {
  const compact = text.replace(/\s/g, '').toLowerCase();
  for (const secret of SECRETS) {
    const bytes = Buffer.from(secret);
    const forms = [secret, bytes.toString('hex')];
    // Base64 at each byte alignment, without the edge characters that depend on what surrounds the secret.
    for (const pad of ['', 'x', 'xy']) forms.push(Buffer.from(pad + secret).toString('base64').slice(4, -4));
    for (const form of forms) {
      if (compact.includes(form.toLowerCase())) throw new Error(`${where} contains a form of the secret ${secret.slice(0, 6)}...: ${form}`);
    }
  }
}

/** Characters that drive a terminal or reorder text: a raw one in output is a vendor in control of the screen. */
const RAW_CONTROL = /[\u001b\u0007\u0080-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('secret hygiene', () => {
  let ws: E2eWorkspace;
  beforeAll(async () => { ws = await E2eWorkspace.create(); });
  afterAll(async () => { await ws.dispose(); });

  test('synth, plan, apply, state and destroy hold no secret', async () => {
    const synthesized = ws.synth(buildStack(ALL));
    expectNoSecret('cdk.tf.json', synthesized);
    await ws.init();
    const plan = await ws.terraform(['plan', '-no-color', '-input=false']);
    expect(plan.code).toBe(0);
    expectNoSecret('plan output', plan.output);
    const apply = await ws.apply(buildStack(ALL));
    expectNoSecret('apply output', apply.output);
    expectNoSecret('state', fs.readFileSync(ws.stateFile, 'utf8'));
    const show = await ws.terraform(['show', '-no-color']);
    expectNoSecret('terraform show', show.output);
  });

  test('failures echoing credentials back are redacted for every vendor', async () => {
    const echo = (sent: string) => `request was: Authorization: ${sent}; auth=${sent}`;
    const t = SIM_CREDENTIALS;
    ws.sims.polarity.injectFault({ kind: 'status', status: 400, count: 10, body: { errors: [{ title: 'Bad Request', detail: echo(`Bearer ${t.polarityToken}`) }] } });
    ws.sims.britive.injectFault({ kind: 'status', status: 400, count: 10, body: { status: 400, message: echo(`TOKEN ${t.britiveToken}`), errorCode: 'E1000', details: t.britiveToken } });
    ws.sims.kore.injectFault({ kind: 'status', status: 400, count: 10, body: { errors: [{ msg: `client secret ${t.koreClientSecret} rejected`, code: 4002 }] } });
    ws.sims.polytomic.injectFault({ kind: 'status', status: 400, count: 10, body: { key: 'bad', message: echo(`Bearer ${t.polytomicApiKey}`), metadata: {}, status: 400 } });
    const changed: StackSpec = {
      ...ALL,
      polarity: [{ id: 'p', integrationId: 'virustotal', groupId: '7', permissions: ['admin'] }],
      britive: [{ id: 'b', profileId: 'pap-oncall', permissionName: 'Operators', permissionType: 'group' }],
      kore: [{ id: 'k', entityId: 'eng@example.com', users: ['bo@example.com'] }],
      polytomic: [{ id: 't', name: 'Ops', policyActions: [{ action: 'trigger', roleIds: [ROLE_A] }] }],
    };
    const run = await ws.apply(buildStack(changed), { expectFailure: true });
    for (const vendor of ['polarity', 'britive', 'kore', 'polytomic']) expect(run.output).toContain(`${vendor}: `);
    expect(run.output).toContain('[REDACTED]');
    expectNoSecret('failure output', run.output);
    expectNoSecret('state after failure', fs.readFileSync(ws.stateFile, 'utf8'));
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) sim.clearFaults();
    const destroy = await ws.destroy();
    expectNoSecret('destroy output', destroy.output);
  });

  test('a network error names the URL but no credential', async () => {
    const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_URL: 'http://127.0.0.1:9' } });
    expect(run.output).toMatch(/polarity: grant read on integration virustotal for group 7 failed: POST http:\/\/127\.0\.0\.1:9\/api\/integrations\/virustotal\/permissions: ECONNREFUSED/);
    expectNoSecret('network failure output', run.output);
    await ws.destroy();
  });

  test('echoes in every encoding a vendor may use, and a body cut to length, leak no character of a secret', async () => {
    const t = SIM_CREDENTIALS;
    const jsonEscaped = `Bearer ${t.polarityToken}`.replace(/-/g, '\\u002d');
    const entities = [...t.britiveToken].map((c) => `&#${c.charCodeAt(0)};`).join('');
    const percentLower = encodeURIComponent(`secret=${t.koreClientSecret}`).toLowerCase().replace(/-/g, '%2d');
    // Long enough that the message is cut, with the key right where a cut before redaction would split it.
    const cut = `${'x'.repeat(480)}${t.polytomicApiKey}${'y'.repeat(100)}`;
    ws.sims.polarity.injectFault({ kind: 'status', status: 400, count: 10, body: `{"errors":[{"title":"Bad Request","detail":"sent ${jsonEscaped}"}]}` });
    ws.sims.britive.injectFault({ kind: 'status', status: 400, count: 10, body: { status: 400, message: `token ${entities}`, errorCode: 'E1000', details: null } });
    ws.sims.kore.injectFault({ kind: 'status', status: 400, count: 10, body: { errors: [{ msg: `rejected ${percentLower}`, code: 4002 }] } });
    ws.sims.polytomic.injectFault({ kind: 'status', status: 400, count: 10, body: { key: 'bad', message: cut, metadata: {}, status: 400 } });
    const changed: StackSpec = {
      ...ALL,
      polarity: [{ id: 'p', integrationId: 'shodan', groupId: '7', permissions: ['admin'] }],
      britive: [{ id: 'b', profileId: 'pap-oncall', permissionName: 'Readers', permissionType: 'group' }],
      kore: [{ id: 'k', entityId: 'eng@example.com', users: ['cy@example.com'] }],
      polytomic: [{ id: 't', name: 'Ops', policyActions: [{ action: 'export', roleIds: [ROLE_A] }] }],
    };
    const run = await ws.apply(buildStack(changed), { expectFailure: true });
    for (const vendor of ['polarity', 'britive', 'kore', 'polytomic']) expect(run.output).toContain(`${vendor}: `);
    expectNoSecret('failure output', run.output);
    for (const secret of SECRETS) {
      // No run of 6 characters of any secret that holds a digit (the rest, "sim-polarity-token", is ordinary text here).
      for (let i = 0; i + 6 <= secret.length; i++) {
        if (/\d/.test(secret.slice(i, i + 6))) expect(run.output).not.toContain(secret.slice(i, i + 6));
      }
    }
    expect(run.output).not.toMatch(/&#\d+;&#\d+;&#\d+;/);
    for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) sim.clearFaults();
    await ws.destroy();
  });

  test('a token echoed as its whole header in base64, upper-cased, hex, spaced or quoted-printable, with terminal controls, reaches neither apply output nor drift --json', async () => {
    const t = SIM_CREDENTIALS;
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    const hex = (text: string) => Buffer.from(text).toString('hex').toUpperCase();
    const qp = (text: string) => `${text.slice(0, 10)}=\r\n${text.slice(10)}`.replace(/-/g, '=2D');
    const hostile = '\u001b]0;pwned\u0007\u009b2J\u202e';
    const inject = () => {
      ws.sims.polarity.injectFault({ kind: 'status', status: 400, count: 20, body: { errors: [{ title: 'Bad Request', detail: `sent ${b64(`Bearer ${t.polarityToken}`)} ${hostile}` }] } });
      ws.sims.britive.injectFault({ kind: 'status', status: 400, count: 20, body: { status: 400, message: `TOKEN ${t.britiveToken.toUpperCase()} / ${hex(`TOKEN ${t.britiveToken}`)}\nforged line`, errorCode: 'E1000', details: null } });
      ws.sims.kore.injectFault({ kind: 'status', status: 400, count: 20, body: { errors: [{ msg: `secret ${[...t.koreClientSecret].join(' ')} ${hostile}`, code: 4002 }] } });
      ws.sims.polytomic.injectFault({ kind: 'status', status: 400, count: 20, body: { key: 'bad', message: `auth ${qp(`Bearer ${t.polytomicApiKey}`)} ${b64(`Bearer ${t.polytomicApiKey}`).replace(/(.{10})/g, '$1\n')}`, metadata: {}, status: 400 } });
    };
    const clear = () => { for (const sim of [ws.sims.polarity, ws.sims.britive, ws.sims.kore, ws.sims.polytomic]) sim.clearFaults(); };
    await ws.apply(buildStack(ALL));

    inject();
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env };
    const drift = await runProcess(process.execPath, [path.join(__dirname, '../../bin/cdktf-saas-permissions.js'), 'drift', '--json', '--stack-dir', ws.stackDir], { env });
    clear();
    expect(drift.code).toBe(1);
    const doc = JSON.parse(drift.output.slice(drift.output.indexOf('{'), drift.output.lastIndexOf('}') + 1)) as { summary: Record<string, number> };
    expect(doc.summary.unknown).toBe(4);
    expect(drift.output).toContain('[REDACTED]');
    expectNoSecret('drift --json', drift.output);
    expectNoSecretInAnyForm('drift --json', drift.output);
    expect(drift.output).not.toMatch(RAW_CONTROL);

    inject();
    const changed: StackSpec = {
      ...ALL,
      polarity: [{ id: 'p', integrationId: 'urlscan', groupId: '7', permissions: ['read'] }],
      britive: [{ id: 'b', profileId: 'pap-oncall', permissionName: 'Auditors', permissionType: 'group' }],
      kore: [{ id: 'k', entityId: 'eng@example.com', users: ['dee@example.com'] }],
      polytomic: [{ id: 't', name: 'Ops', policyActions: [{ action: 'query', roleIds: [ROLE_A] }] }],
    };
    const run = await ws.apply(buildStack(changed), { expectFailure: true });
    clear();
    for (const vendor of ['polarity', 'britive', 'kore', 'polytomic']) expect(run.output).toContain(`${vendor}: `);
    expectNoSecret('failure output', run.output);
    expectNoSecretInAnyForm('failure output', run.output);
    expect(run.output).not.toMatch(RAW_CONTROL);
    expect(run.output).toContain('\\x1b]0;pwned\\x07\\x9b2J\\u202e');
    expect(run.output).not.toMatch(/^\S*\s*forged line/m);
    await ws.destroy();
  });

  test('plain http to a host other than loopback, from a variable, is refused before anything is sent, unless allowed', async () => {
    // 0.0.0.0 reaches this machine, but is not loopback: it stands for a host on the network.
    const outside = ws.sims.polarity.url.replace('127.0.0.1', '0.0.0.0');
    const refused = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_URL: outside } });
    expect(refused.output).toContain(`polarity: grant read on integration virustotal for group 7 refused: POST ${outside}/api/integrations/virustotal/permissions is plain http to a host other than this machine`);
    expect(refused.output).toContain('SAAS_PERMISSIONS_ALLOW_HTTP=1');
    expect(ws.sims.polarity.snapshot()).toEqual({});
    await ws.apply(buildStack(ALL), { env: { POLARITY_URL: outside, SAAS_PERMISSIONS_ALLOW_HTTP: '1' } });
    expect(ws.sims.polarity.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
    await ws.destroy({ env: { POLARITY_URL: outside, SAAS_PERMISSIONS_ALLOW_HTTP: '1' } });
  });

  test('a URL holding a password is refused, and the password is never printed', async () => {
    const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_URL: ws.sims.polarity.url.replace('http://', 'http://svc:hunter2-pass@') } });
    expect(run.output).toMatch(/polarity: the URL from POLARITY_URL holds a user name or password/);
    expect(run.output).not.toContain('hunter2-pass');
    await ws.destroy();
  });
  test('state cannot choose where a secret goes: an orphan revoke instance storing another URL and variable is refused until confirmed', async () => {
    const stolen: string[] = [];
    const attacker = http.createServer((req, res) => { stolen.push(String(req.headers.authorization ?? '(none)')); res.writeHead(204); res.end(); });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
    try {
      await ws.apply(buildStack(ALL));
      // Whoever can write state adds a revoke instance of a provider the code never declared.
      type Instance = { index_key: string; attributes: Record<string, any> };
      const state = JSON.parse(fs.readFileSync(ws.stateFile, 'utf8')) as { serial: number; resources: Array<{ name: string; instances: Instance[] }> };
      const block = state.resources.find((r) => r.name === 'polarity_revoke')!;
      const orphan = JSON.parse(JSON.stringify(block.instances[0])) as Instance;
      const stored = JSON.stringify({ path: 'e2e/innocent', connection: { url, urlEnv: 'POLARITY_URL', tokenEnv: 'CI_DEPLOY_SECRET' } });
      orphan.index_key = 'evil//virustotal/9';
      orphan.attributes.id = 'a0000000-0000-0000-0000-000000000009';
      orphan.attributes.input = { value: stored, type: 'string' };
      orphan.attributes.output = { value: stored, type: 'string' };
      orphan.attributes.triggers_replace = { value: JSON.stringify(['virustotal', '9']), type: 'string' };
      block.instances.push(orphan);
      // And its apply instance, so that drift reads it as a grant.
      const applies = state.resources.find((r) => r.name === 'polarity_apply')!;
      const applied = JSON.parse(JSON.stringify(applies.instances[0])) as Instance;
      applied.index_key = 'evil//virustotal/9';
      applied.attributes.id = 'a0000000-0000-0000-0000-000000000010';
      applied.attributes.triggers_replace = { value: JSON.stringify({ integrationId: 'virustotal', groupId: '9', permissions: ['read'] }), type: 'string' };
      applies.instances.push(applied);
      state.serial += 1;
      fs.writeFileSync(ws.stateFile, JSON.stringify(state));

      const env = { CI_DEPLOY_SECRET: 'ci-deploy-secret-value-42' };
      // drift reads a deleted provider's grants with the settings in state: not these, unconfirmed.
      const cliEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CHECKPOINT_DISABLE: '1', ...ws.sims.env, ...env };
      const drift = await runProcess(process.execPath, [path.join(__dirname, '../../bin/cdktf-saas-permissions.js'), 'drift', '--json', '--stack-dir', ws.stackDir], { env: cliEnv });
      expect(stolen).toEqual([]);
      const doc = JSON.parse(drift.output.slice(drift.output.indexOf('{'), drift.output.lastIndexOf('}') + 1)) as { grants: Array<{ address: string; status: string; detail: string }> };
      const orphanEntry = doc.grants.find((g) => g.address.includes('evil//'));
      expect(orphanEntry?.status).toBe('unknown');
      expect(orphanEntry?.detail).toContain('reading its grants would use settings found only in state');

      const run = await ws.apply(buildStack(ALL), { expectFailure: true, env });
      expect(stolen).toEqual([]);
      expect(run.output).toContain('this revoke would use settings found only in state, for provider "evil"');
      expect(run.output).toContain('Nothing was sent');
      const token = /SAAS_PERMISSIONS_TRUST_STORED='(evil@[0-9a-f]{12})'/.exec(run.output)?.[1];
      expect(token).toBeDefined();
      expect(ws.stateKeys('terraform_data', 'polarity_revoke')).toEqual(['evil//virustotal/9', 'virustotal/7']);
      // A confirmation of other settings does not cover these.
      await ws.apply(buildStack(ALL), { expectFailure: true, env: { ...env, SAAS_PERMISSIONS_TRUST_STORED: 'evil@000000000000' } });
      expect(stolen).toEqual([]);

      // The user who recognises nothing removes the instance; applies work again.
      expect((await ws.terraform(['state', 'rm', 'terraform_data.polarity_revoke["evil//virustotal/9"]'])).code).toBe(0);
      await ws.apply(buildStack(ALL), { env });
      expect(stolen).toEqual([]);
    } finally {
      await new Promise<void>((r) => attacker.close(() => r()));
    }
    await ws.destroy();
  });
});
