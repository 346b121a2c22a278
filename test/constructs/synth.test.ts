import * as fs from 'fs';
import * as path from 'path';
import { App, DataResource, TerraformStack, TerraformVariable, Testing, Token } from 'cdktf';
import { PolarityIntegrationPermission, PolarityProvider, KoreEntityUsers, KoreProvider } from '../../constructs';
import { parseApplyTrigger } from '../../src/contract';

function synthJson(build: (stack: TerraformStack) => void): any {
  const stack = new TerraformStack(Testing.app(), 'test');
  build(stack);
  return JSON.parse(Testing.synth(stack, true));
}

describe('synthesized blocks', () => {
  test('a permission becomes one instance of its vendor\'s revoke and apply blocks', () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity', { url: 'https://polarity.example.com' });
      new PolarityIntegrationPermission(s, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read', 'admin'] });
    });
    expect(tf.locals.polarity_instances).toMatchInlineSnapshot(`
{
  "virustotal/7": {
    "apply": "{"v":3,"vendor":"polarity","path":"test/analysts","connection":{"url":"https://polarity.example.com","urlEnv":"POLARITY_URL","tokenEnv":"POLARITY_TOKEN"},"resource":{"integrationId":"virustotal","groupId":"7","permissions":["read","admin"]}}",
    "conflict": "["virustotal","7"]",
    "identity": "["virustotal","7"]",
    "path": "test/analysts",
    "provider": "polarity",
    "stored": "{"path":"test/analysts","connection":{"url":"https://polarity.example.com","urlEnv":"POLARITY_URL","tokenEnv":"POLARITY_TOKEN"}}",
    "trigger": "construct test/analysts
{"integrationId":"virustotal","groupId":"7","permissions":["read","admin"]}",
  },
}
`);
    const revoke = tf.resource.terraform_data.polarity_revoke;
    const apply = tf.resource.terraform_data.polarity_apply;
    expect(revoke.for_each).toBe('${local.polarity_instances}');
    // State keeps the identity, and in input the provider settings that are not defaults with the construct path;
    // a grant with nothing to store keeps null (its path is in the manifest, exclusive-scope.test.ts, and the apply trigger).
    expect(revoke.triggers_replace).toBe('${each.value.identity}');
    expect(revoke.input).toBe('${jsondecode(each.value.stored == "" ? "null" : jsonencode(each.value.stored))}');
    expect(revoke.provisioner[0]['local-exec']).toMatchObject({
      when: 'destroy', command: 'revoke',
      environment: {
        SAAS_PERMISSIONS_PAYLOAD: '{"v":3,"vendor":"polarity","stack":"test","providers":{"polarity":{"path":"test/polarity","connection":{"url":"https://polarity.example.com","urlEnv":"POLARITY_URL","tokenEnv":"POLARITY_TOKEN"}}},'
          + '"key":${jsonencode(each.key)},"stored":${jsonencode(self.input)},"identity":${self.triggers_replace}}',
        SAAS_PERMISSIONS_ADDRESS: '${format("terraform_data.polarity_revoke[%q]", each.key)}',
        SAAS_PERMISSIONS_HANDLER: expect.stringMatching(/^assets\/.+\/lifecycle-handler\.cjs$/),
        SAAS_PERMISSIONS_NODE: 'node',
      },
    });
    // The construct path on a line of its own, then the resource: a plan prints it as a heredoc (README, Reading a plan).
    expect(apply.triggers_replace).toBe('${each.value.trigger}');
    expect(apply.input).toBeUndefined();
    expect(apply.depends_on).toBeUndefined();
    expect(apply.provisioner[0]['local-exec']).toMatchObject({ command: 'apply', environment: { SAAS_PERMISSIONS_PAYLOAD: '${each.value.apply}' } });
    expect(apply.provisioner[0]['local-exec'].when).toBeUndefined();
    // A shell hands the grant to the run's agent; the Node handler is named for it (and for running alone).
    expect(apply.provisioner[0]['local-exec'].interpreter).toEqual(['sh', expect.stringMatching(/^assets\/.+\/lifecycle-handler\.sh$/)]);
    expect(apply.provisioner[0]['local-exec'].environment.SAAS_PERMISSIONS_HANDLER).toMatch(/^assets\/.+\/lifecycle-handler\.cjs$/);
    // Literal identities are compared at synth: no precondition for Terraform to check on every plan.
    expect(tf.locals.polarity_instances_owners).toEqual({});
    expect(apply.lifecycle).toEqual({});
  });

  test('an identity known only at apply time gets a precondition on both blocks that refuses a grant declared twice', () => {
    const tf = synthJson((s) => {
      const group = new DataResource(s, 'group', { input: {} });
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'g', { integrationId: 'shodan', groupId: group.getStringAttribute('output'), permissions: ['read'] });
    });
    const apply = tf.resource.terraform_data.polarity_apply;
    expect(tf.locals.polarity_instances_owners).toBe('${{ for k, v in local.polarity_instances : format("%s %s", v.provider, v.conflict) => v.path... }}');
    expect(apply.lifecycle.precondition[0].condition).toBe('${length(local.polarity_instances_owners[format("%s %s", each.value.provider, each.value.conflict)]) == 1}');
    expect(tf.resource.terraform_data.polarity_revoke.lifecycle).toEqual(apply.lifecycle);
    expect(tf.resource.terraform_data.britive_apply.lifecycle).toEqual({});
  });

  test('the blocks belong to the stack: moving or deleting a provider construct does not rename or remove them', () => {
    const moved = synthJson((s) => {
      const team = new (require('constructs').Construct)(s, 'platform-team');
      new PolarityProvider(team, 'polarity');
    });
    const none = synthJson((s) => { new KoreEntityUsers(s, 'orphan', { botId: 'b', connectorId: 'c', entityId: 'e', users: ['u'], provider: new KoreProvider(s, 'kore') }); });
    const names = ['britive_apply', 'britive_revoke', 'kore_apply', 'kore_revoke', 'polarity_apply', 'polarity_revoke', 'polytomic_apply', 'polytomic_revoke'];
    expect(Object.keys(moved.resource.terraform_data).sort()).toEqual(names);
    expect(Object.keys(none.resource.terraform_data).sort()).toEqual(names);
  });

  test('a second provider of a vendor keys its grants by its id, and moves them out of the blocks earlier versions named after it', () => {
    const tf = synthJson((s) => {
      const eu = new PolarityProvider(s, 'polarity-eu', { url: 'https://eu.polarity.example.com' });
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'eu-analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'], provider: eu });
    });
    expect(Object.keys(tf.locals.polarity_instances)).toEqual(['polarity_eu//virustotal/7']);
    expect(tf.moved).toEqual([
      { from: 'terraform_data.polarity_eu_revoke["virustotal/7"]', to: 'terraform_data.polarity_revoke["polarity_eu//virustotal/7"]' },
      { from: 'terraform_data.polarity_eu_apply["virustotal/7"]', to: 'terraform_data.polarity_apply["polarity_eu//virustotal/7"]' },
    ]);
  });


  test("a '~' in an id is escaped in the key, and an instance applied under the unescaped key is moved, not revoked", () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'tilde', { integrationId: 'team~a', groupId: '7', permissions: ['read'] });
      new PolarityIntegrationPermission(s, 'plain', { integrationId: 'shodan', groupId: '7', permissions: ['read'] });
    });
    expect(Object.keys(tf.locals.polarity_instances).sort()).toEqual(['shodan/7', 'team%7Ea/7']);
    expect(tf.moved).toEqual([
      { from: 'terraform_data.polarity_revoke["team~a/7"]', to: 'terraform_data.polarity_revoke["team%7Ea/7"]' },
      { from: 'terraform_data.polarity_apply["team~a/7"]', to: 'terraform_data.polarity_apply["team%7Ea/7"]' },
    ]);
  });
  test('the blocks are emitted with no permission at all, so deleting the last one still revokes', () => {
    const tf = synthJson((s) => { new PolarityProvider(s, 'polarity'); });
    expect(tf.locals.polarity_instances).toEqual({});
    expect(tf.resource.terraform_data.polarity_revoke.for_each).toBe('${local.polarity_instances}');
    expect(tf.resource.terraform_data.polarity_apply).toBeDefined();
  });

  test('a Kore user list becomes one instance per user', () => {
    const tf = synthJson((s) => {
      new KoreProvider(s, 'kore');
      new KoreEntityUsers(s, 'eng', { botId: 'st-1', connectorId: 'fc-1', entityId: 'eng/team', users: ['a@x.io', 'b@x.io'] });
    });
    expect(Object.keys(tf.locals.kore_instances)).toEqual(['st-1/fc-1/eng%2Fteam/a@x.io', 'st-1/fc-1/eng%2Fteam/b@x.io']);
  });

  test('a Kore user list only Terraform knows is expanded by a for expression at plan time', () => {
    const tf = synthJson((s) => {
      const users = new TerraformVariable(s, 'users', { type: 'list(string)' });
      new KoreProvider(s, 'kore');
      new KoreEntityUsers(s, 'eng', { botId: 'st-1', connectorId: 'fc-1', entityId: 'e"q', users: Token.asList(users.value) });
    });
    expect(tf.locals.kore_instances).toEqual({});
    const forEach: string = tf.resource.terraform_data.kore_revoke.for_each;
    // The item is escaped as literal key parts are: no '/' in it can fake a separator, no '~' a list item.
    expect(forEach.startsWith('${merge(local.kore_instances, { for item in toset(var.users) : "st-1/fc-1/e\\"q/~${replace(replace(replace(replace(item, "%", "%25"), "/", "%2F"), "$", "%24"), "~", "%7E")}" => { apply = "')).toBe(true);
    expect(forEach).toContain('\\"user\\":${jsonencode(item)}');
    expect(tf.resource.terraform_data.kore_apply.for_each).toBe(forEach);
  });

  test('a key built from another resource\'s value is stable across synths and creation order', () => {
    const build = (extraFirst: boolean) => synthJson((s) => {
      if (extraFirst) new DataResource(s, 'unrelated', { input: {} });
      const group = new DataResource(s, 'group', { input: {} });
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'g', { integrationId: 'shodan', groupId: group.getStringAttribute('output'), permissions: ['read'] });
    });
    const keys = [Object.keys(build(false).locals.polarity_instances), Object.keys(build(true).locals.polarity_instances)];
    expect(keys[0]).toEqual(keys[1]);
    expect(keys[0][0]).toMatch(/^shodan\/ref-[0-9a-f]{12}$/);
  });

  test('resourceType null_resource emits null_resource blocks and the null provider', () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity', { resourceType: 'null_resource' });
      new PolarityIntegrationPermission(s, 'g', { integrationId: 'shodan', groupId: '1', permissions: ['read'] });
    });
    expect(tf.provider.null).toBeDefined();
    const revoke = tf.resource.null_resource.polarity_revoke;
    expect(revoke.for_each).toBe('${local.polarity_null_instances}');
    expect(revoke.triggers).toEqual({ identity: '${each.value.identity}', stored: '${each.value.stored}' });
    expect(revoke.provisioner[0]['local-exec'].environment.SAAS_PERMISSIONS_PAYLOAD).toContain('"stored":${jsonencode(self.triggers.stored)},"identity":${self.triggers.identity}}');
    const apply = tf.resource.null_resource.polarity_apply;
    expect(apply.triggers).toEqual({ resource: '${each.value.trigger}', stored: '${each.value.stored}' });
    // A change of what is stored replaces both objects; the re-grant must come after the revoke.
    expect(apply.depends_on).toEqual(['null_resource.polarity_revoke']);
    // The terraform_data blocks stay, empty: other providers of the stack may use them.
    expect(tf.locals.polarity_instances).toEqual({});
  });

  test('the synthesized stack folder carries the handler, so it can move between pipeline stages', () => {
    const outdir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'synth-'));
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'moved');
    new PolarityProvider(stack, 'polarity');
    app.synth();
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks/moved/cdk.tf.json'), 'utf8'));
    const provisioner = tf.resource.terraform_data.polarity_apply.provisioner[0]['local-exec'];
    const handler = provisioner.environment.SAAS_PERMISSIONS_HANDLER;
    const bundled = path.join(outdir, 'stacks/moved', handler);
    expect(fs.existsSync(bundled)).toBe(true);
    expect(fs.existsSync(path.join(outdir, 'stacks/moved', provisioner.interpreter[1]))).toBe(true);
    expect(fs.readFileSync(bundled, 'utf8')).not.toMatch(/require\("cdktf"\)|require\("constructs"\)/);
    fs.rmSync(outdir, { recursive: true });
  });

  test('literal template syntax is escaped and values from other resources are JSON-encoded by Terraform', () => {
    const tf = synthJson((s) => {
      const group = new DataResource(s, 'group', { input: {} });
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'g', { integrationId: 'odd-${x}-%{y}', groupId: group.getStringAttribute('output'), permissions: ['read'] });
    });
    const [entry] = Object.values(tf.locals.polarity_instances) as Array<{ trigger: string }>;
    expect(entry.trigger).toBe('construct test/g\n{"integrationId":"odd-$${x}-%%{y}","groupId":${jsonencode(terraform_data.group.output)},"permissions":["read"]}');
  });

  test('template syntax in a construct path is escaped in the trigger, and the path reads back whole', () => {
    const tf = synthJson((s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'odd-${x}-%{y}', { integrationId: 'virustotal', groupId: '3', permissions: ['read'] });
    });
    const [entry] = Object.values(tf.locals.polarity_instances) as Array<{ trigger: string }>;
    expect(entry.trigger).toBe('construct test/odd-$${x}-%%{y}\n{"integrationId":"virustotal","groupId":"3","permissions":["read"]}');
    // What Terraform stores once it has read the template: the path as written.
    expect(parseApplyTrigger(entry.trigger.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{'))).toEqual({
      path: 'test/odd-${x}-%{y}', resource: { integrationId: 'virustotal', groupId: '3', permissions: ['read'] },
    });
    // State written by 0.2.0: the JSON alone.
    expect(parseApplyTrigger('{"integrationId":"virustotal","groupId":"3","permissions":["read"]}')).toEqual({ resource: { integrationId: 'virustotal', groupId: '3', permissions: ['read'] } });
  });

  test('credentials in the synthesizing environment never reach the JSON', () => {
    process.env.POLARITY_TOKEN = 'synth-time-secret-value';
    const text = JSON.stringify(synthJson((s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'g', { integrationId: 'shodan', groupId: '1', permissions: ['read'] });
    }));
    delete process.env.POLARITY_TOKEN;
    expect(text).not.toContain('synth-time-secret-value');
    expect(text).toContain('\\"tokenEnv\\":\\"POLARITY_TOKEN\\"');
  });
});
