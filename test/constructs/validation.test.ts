/**
 * Bad input fails at synth time with the construct path and the field; each row is one distinct bad input. cdktf
 * stops synth on error annotations and lists them all, also when its own validations are skipped.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, DataResource, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../../constructs';

const ROLE = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const ORG = '0b7f1d2c-3e4a-4b5c-8d6e-7f8091a2b3c4';
const polarity = { integrationId: 'virustotal', groupId: '7', permissions: ['read'] };
const britive = { profileId: 'pap-1', permissionName: 'Admins', permissionType: 'group' };
const kore = { botId: 'st-1', connectorId: 'fc-1', entityId: 'eng@example.com', users: ['ana@example.com'] };
const polytomic = { name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE] }] };

type Build = (stack: TerraformStack) => void;
const P = (props: object): Build => (s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'grant', { ...polarity, ...props } as never); };
const B = (props: object): Build => (s) => { new BritiveProvider(s, 'britive'); new BritiveProfilePermission(s, 'grant', { ...britive, ...props } as never); };
const K = (props: object): Build => (s) => { new KoreProvider(s, 'kore'); new KoreEntityUsers(s, 'grant', { ...kore, ...props } as never); };
const T = (props: object): Build => (s) => { new PolytomicProvider(s, 'polytomic'); new PolytomicPolicy(s, 'grant', { ...polytomic, ...props } as never); };

/** Synthesizes a stack built by `build` the way `cdktf synth` does; returns the error, if any. */
function synth(build: Build, options: { skipValidation?: boolean } = {}): { error?: Error; stack: TerraformStack } {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'validation-'));
  const app = new App({ outdir, skipValidation: options.skipValidation ?? true });
  const stack = new TerraformStack(app, 'test');
  try {
    build(stack);
    app.synth();
    return { stack };
  } catch (error) {
    return { error: error as Error, stack };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** A dependency no depends_on can name: a construct that is not a Terraform element. */
const DEPENDS_ON_GROUP: Build = (s) => {
  const group = new Construct(s, 'group');
  new PolarityProvider(s, 'polarity');
  new PolarityIntegrationPermission(s, 'grant', polarity as never).node.addDependency(group);
};

const BAD_INPUTS: Array<[string, Build, RegExp]> = [
  ['polarity: empty permissions', P({ permissions: [] }), /permissions: must hold at least one permission/],
  ['polarity: unknown permission', P({ permissions: ['write'] }), /permissions\[0\]: must be one of "read", "admin", got "write"/],
  ['polarity: permission in the wrong case', P({ permissions: ['Read'] }), /permissions\[0\]: must be one of/],
  ['polarity: repeated permission', P({ permissions: ['read', 'read'] }), /permissions\[1\]: repeats permissions\[0\] "read"/],
  ['polarity: permissions not a list', P({ permissions: 'read' }), /permissions: must be a list/],
  ['polarity: empty integrationId', P({ integrationId: '' }), /integrationId: must not be empty/],
  ['polarity: integrationId ".." would retarget the request', P({ integrationId: '..' }), /integrationId: must not be "\.\.": it would change the request's path/],
  ['polarity: integrationId "." would retarget the request', P({ integrationId: '.' }), /integrationId: must not be "\.": it would change the request's path/],
  ['polarity: white space around integrationId', P({ integrationId: ' virustotal' }), /integrationId: must not start or end with white space/],
  ['polarity: missing integrationId', P({ integrationId: undefined }), /integrationId: must be a string, got nothing/],
  ['polarity: empty groupId', P({ groupId: '' }), /groupId: must not be empty/],
  ['polarity: non-numeric groupId', P({ groupId: 'analysts' }), /groupId: must be a numeric Polarity group id/],
  ['polarity: unknown removalPolicy', P({ removalPolicy: 'keep' }), /removalPolicy: must be one of "destroy", "retain"/],
  ['polarity: dependsOn holding no Terraform element', P({ dependsOn: [{}] }), /dependsOn\[0\]: must be a Terraform resource, data source or module/],
  ['polarity: node.addDependency on a plain construct', DEPENDS_ON_GROUP, /node\.addDependency: test\/group is not a Terraform resource, data source or module/],
  ['britive: empty permissionType', B({ permissionType: '' }), /permissionType: must not be empty/],
  ['britive: empty profileId', B({ profileId: '' }), /profileId: must not be empty/],
  ['britive: profileId ".."', B({ profileId: '..' }), /profileId: must not be "\.\."/],
  ['britive: empty permissionName', B({ permissionName: '   ' }), /permissionName: must not be empty/],
  ['britive: a newline in permissionName would forge a log line', B({ permissionName: 'Admins\nbritive: removed everything' }), /permissionName: must not contain control characters/],
  ['britive: a NUL in profileId', B({ profileId: 'pap\u0000x' }), /profileId: must not contain control characters/],
  ['britive: permissionName not a string', B({ permissionName: { name: 'x' } }), /permissionName: must be a string, got object/],
  ['kore: empty user list', K({ users: [] }), /users: must hold at least one user/],
  ['kore: duplicated user', K({ users: ['ana@example.com', 'ana@example.com'] }), /users\[1\]: repeats users\[0\] "ana@example.com"/],
  ['kore: one user in two Unicode spellings', K({ users: ['jose\u0301@example.com', 'jos\u00e9@example.com'] }), /users\[1\]: repeats users\[0\] .*Unicode-normalized/],
  ['kore: empty user', K({ users: [''] }), /users\[0\]: must not be empty/],
  ['kore: empty botId', K({ botId: '' }), /botId: must not be empty/],
  ['kore: empty connectorId', K({ connectorId: '' }), /connectorId: must not be empty/],
  ['kore: empty entityId', K({ entityId: '' }), /entityId: must not be empty/],
  ['kore: entityId ".."', K({ entityId: '..' }), /entityId: must not be "\.\."/],
  ['polytomic: role id not a UUID', T({ policyActions: [{ action: 'read', roleIds: ['admins'] }] }), /policyActions\[0\]\.roleIds\[0\]: must be a role id \(UUID\), got "admins"/],
  ['polytomic: empty action', T({ policyActions: [{ action: '', roleIds: [ROLE] }] }), /policyActions\[0\]\.action: must not be empty/],
  ['polytomic: action declared twice', T({ policyActions: [{ action: 'read', roleIds: [ROLE] }, { action: 'read', roleIds: ['7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e'] }] }), /policyActions\[1\]\.action: "read" is declared twice/],
  ['polytomic: repeated role id', T({ policyActions: [{ action: 'read', roleIds: [ROLE, ROLE] }] }), /policyActions\[0\]\.roleIds\[1\]: repeats/],
  ['polytomic: empty policyActions', T({ policyActions: [] }), /policyActions: must hold at least one policy action/],
  ['polytomic: empty name', T({ name: '' }), /name: must not be empty/],
  ['polytomic: organizationId not a UUID', T({ organizationId: 'acme' }), /organizationId: must be a UUID, got "acme"/],
  ['polytomic: policy action not an object', T({ policyActions: ['read'] }), /policyActions\[0\]: must be an object/],
  ['provider: url not http(s)', (s) => { new PolarityProvider(s, 'polarity', { url: 'ftp://polarity.example.com' }); }, /url: must be an http\(s\) URL/],
  ['provider: url with a query, which would be printed', (s) => { new PolarityProvider(s, 'polarity', { url: 'https://polarity.example.com/?token=abc' }); }, /url: must be an http\(s\) URL without query or fragment/],
  ['provider: url with a password', (s) => { new PolarityProvider(s, 'polarity', { url: 'https://svc:pw@polarity.example.com' }); }, /url: must not hold a user name or password/],
  ['provider: plain http url to another host, which sends the token in clear', (s) => { new PolarityProvider(s, 'polarity', { url: 'http://polarity.example.com' }); }, /\[test\/polarity\] url: is plain http to a host other than this machine.*allowInsecureHttp: true/],
  ['provider: plain http Kore host', (s) => { new KoreProvider(s, 'kore', { url: 'http://10.0.0.5:8080' }); }, /url: is plain http to a host other than this machine/],
  ['provider: answer size limit not a whole number', (s) => { new PolarityProvider(s, 'polarity', { maxResponseBytes: 1.5 }); }, /maxResponseBytes: must be a whole number of bytes above 0, got 1\.5/],
  ['provider: url from a variable', (s) => {
    new PolarityProvider(s, 'polarity', { url: new TerraformVariable(s, 'url', { type: 'string' }).stringValue });
  }, /url: cannot come from a variable or another resource.*name it in urlEnv/],
  ['provider: tenant without scheme', (s) => { new BritiveProvider(s, 'britive', { tenant: 'acme.britive-app.com' }); }, /tenant: must be an http\(s\) URL/],
  ['provider: bad token variable name', (s) => { new PolarityProvider(s, 'polarity', { tokenEnv: 'MY-TOKEN' }); }, /tokenEnv: must be an environment variable name/],
  ['provider: bad url variable name', (s) => { new PolarityProvider(s, 'polarity', { urlEnv: 'URL OF POLARITY' }); }, /urlEnv: must be an environment variable name/],
  ['provider: bad Kore client secret variable name', (s) => { new KoreProvider(s, 'kore', { clientSecretEnv: '1SECRET' }); }, /clientSecretEnv: must be an environment variable name/],
  ['provider: negative timeout', (s) => { new KoreProvider(s, 'kore', { requestTimeoutSeconds: -1 }); }, /requestTimeoutSeconds: must be a positive number/],
  ['provider: negative maxRetries', (s) => { new BritiveProvider(s, 'britive', { maxRetries: -1 }); }, /maxRetries: must be a whole number >= 0, got -1/],
  ['provider: unknown resourceType', (s) => { new PolytomicProvider(s, 'polytomic', { resourceType: 'null' as never }); }, /resourceType: must be "terraform_data" or "null_resource"/],
  ['provider: two nodeCommands in one stack', (s) => {
    new PolarityProvider(s, 'polarity', { nodeCommand: '/usr/bin/node' });
    new BritiveProvider(s, 'britive', { nodeCommand: 'node20' });
  }, /nodeCommand "node20" differs from "\/usr\/bin\/node" set by test\/polarity/],
  ['two constructs declaring the same grant', (s) => {
    new PolarityProvider(s, 'polarity');
    new PolarityIntegrationPermission(s, 'first', { ...polarity, permissions: ['read'] } as never);
    new PolarityIntegrationPermission(s, 'second', { ...polarity, permissions: ['admin'] } as never);
  }, /\[test\/second\] declares the same polarity grant as test\/first/],
  ['the same Kore user in two constructs', (s) => {
    new KoreProvider(s, 'kore');
    new KoreEntityUsers(s, 'first', kore as never);
    new KoreEntityUsers(s, 'second', { ...kore, users: ['bo@example.com', 'ana@example.com'] } as never);
  }, /\[test\/second\] declares the same kore grant as test\/first/],
  ['the same Kore user in two constructs, spelled in two Unicode forms', (s) => {
    new KoreProvider(s, 'kore');
    new KoreEntityUsers(s, 'first', { ...kore, users: ['jos\u00e9@example.com'] } as never);
    new KoreEntityUsers(s, 'second', { ...kore, users: ['jose\u0301@example.com'] } as never);
  }, /\[test\/second\] declares the same kore grant as test\/first/],
  ['one Britive permission in two type spellings', (s) => {
    new BritiveProvider(s, 'britive');
    new BritiveProfilePermission(s, 'first', { ...britive, permissionType: 'role' });
    new BritiveProfilePermission(s, 'second', { ...britive, permissionType: 'Role' });
  }, /\[test\/second\] declares the same britive grant as test\/first/],
  ['one Polytomic policy name with and without an organization', (s) => {
    new PolytomicProvider(s, 'polytomic');
    new PolytomicPolicy(s, 'first', polytomic);
    new PolytomicPolicy(s, 'second', { ...polytomic, organizationId: ORG });
  }, /\[test\/second\] declares the same polytomic grant as test\/first/],
  ['two providers whose ids name the same instance keys', (s) => {
    new PolarityProvider(s, 'saas');
    const nested = new (require('constructs').Construct)(s, 'team');
    new BritiveProvider(nested, 'saas');
  }, /\[test\/team\/saas\] provider ids name Terraform instance keys, and test\/saas already uses "saas"/],
  ['a provider named after another vendor', (s) => { new BritiveProvider(s, 'polarity'); }, /"polarity" names the polarity vendor's blocks: give this britive provider another id/],
  ['no provider of the vendor in the stack', (s) => { new BritiveProfilePermission(s, 'grant', britive); }, /\[test\/grant\] no BritiveProvider in stack test: add one/],
  ['two providers and none chosen', (s) => {
    new PolarityProvider(s, 'eu', { url: 'https://eu.polarity.example.com' });
    new PolarityProvider(s, 'us', { url: 'https://us.polarity.example.com' });
    new PolarityIntegrationPermission(s, 'grant', polarity as never);
  }, /\[test\/grant\] stack test has 2 PolarityProviders \(test\/eu, test\/us\): pass the one to use as provider/],
];

describe('synth-time validation', () => {
  test(`covers at least 40 distinct bad inputs (${BAD_INPUTS.length})`, () => {
    expect(new Set(BAD_INPUTS.map(([name]) => name)).size).toBeGreaterThanOrEqual(40);
  });

  test.each(BAD_INPUTS)('%s', (_name, build, message) => {
    const { error } = synth(build);
    expect(error?.message).toMatch(message);
    // Every message names the construct at fault by its path.
    expect(error?.message).toMatch(/\[test\/[\w/-]+\]/);
  });

  test('every bad construct is reported at once, also when cdktf\'s own validations are skipped', () => {
    const all: Build = (s) => {
      new PolarityProvider(s, 'polarity');
      new PolarityIntegrationPermission(s, 'p', { ...polarity, groupId: 'x' } as never);
      new BritiveProvider(s, 'britive', { maxRetries: -1 });
      new BritiveProfilePermission(s, 'b', { ...britive, profileId: '' });
      new KoreProvider(s, 'kore');
      new KoreEntityUsers(s, 'k', { ...kore, users: [] });
    };
    for (const skipValidation of [false, true]) {
      const { error } = synth(all, { skipValidation });
      for (const line of ['[test/p] groupId:', '[test/britive] maxRetries:', '[test/b] profileId:', '[test/k] users:']) {
        expect(error?.message).toContain(line);
      }
    }
  });

  test('plain http is accepted to loopback, and elsewhere only with allowInsecureHttp, which the handler receives', () => {
    let allowed: PolarityProvider | undefined;
    const { error } = synth((s) => {
      new PolarityProvider(s, 'polarity', { url: 'http://127.0.0.1:8080' });
      new KoreProvider(s, 'kore', { url: 'http://localhost:8081' });
      new BritiveProvider(s, 'britive', { tenant: 'http://[::1]:8082' });
      allowed = new PolarityProvider(s, 'polarity-lab', { url: 'http://polarity.lab.internal', allowInsecureHttp: true, maxResponseBytes: 1024 });
    });
    expect(error).toBeUndefined();
    expect(allowed!._settings().http).toEqual({ allowInsecureHttp: true, maxResponseBytes: 1024 });
  });

  test('values Polytomic and Britive accept are accepted, with a warning where they are probably a mistake', () => {
    const build: Build = (s) => {
      new PolytomicProvider(s, 'polytomic');
      new PolytomicPolicy(s, 'custom', { name: 'Custom', policyActions: [{ action: 'run_model', roleIds: [ROLE] }, { action: 'sync_to', roleIds: [] }] });
      new BritiveProvider(s, 'britive');
      new BritiveProfilePermission(s, 'cased', { ...britive, permissionType: 'Role' });
      new BritiveProfilePermission(s, 'other-type', { ...britive, permissionName: 'Other', permissionType: 'ResourceManagerPolicy' });
    };
    const { error, stack } = synth(build);
    expect(error).toBeUndefined();
    const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => `[${c.node.path}] ${m.data}`));
    expect(warnings).toEqual([
      expect.stringMatching(/^\[test\/custom\] policyActions\[0\]\.action: "run_model" is not an action Polytomic documents/),
      expect.stringMatching(/^\[test\/cased\] permissionType: Britive's documented type is "role", not "Role"/),
    ]);
  });

  test('values from other resources are not checked at synth time', () => {
    const { error } = synth((stack) => {
      const upstream = new DataResource(stack, 'upstream', { input: {} });
      new PolarityProvider(stack, 'polarity');
      new PolarityIntegrationPermission(stack, 'grant', { ...polarity, groupId: upstream.getStringAttribute('output') } as never);
      new KoreProvider(stack, 'kore');
      new KoreEntityUsers(stack, 'users', { ...kore, users: Token.asList(new TerraformVariable(stack, 'user_list', { type: 'list(string)' }).value) });
    });
    expect(error).toBeUndefined();
  });
});
