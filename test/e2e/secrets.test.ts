/**
 * Secrets never reach cdk.tf.json, the state, the plan or Terraform's output, for every vendor, including failures
 * where the vendor echoes the credential back in its error.
 */
import * as fs from 'fs';
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

  test('a URL holding a password is refused, and the password is never printed', async () => {
    const run = await ws.apply(buildStack(ALL), { expectFailure: true, env: { POLARITY_URL: ws.sims.polarity.url.replace('http://', 'http://svc:hunter2-pass@') } });
    expect(run.output).toMatch(/polarity: the URL from POLARITY_URL holds a user name or password/);
    expect(run.output).not.toContain('hunter2-pass');
    await ws.destroy();
  });
});
