/** Bad input fails at synth time with the construct path and the field; each row is one distinct bad input. */
import { App, DataResource, TerraformStack, Testing } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../../constructs';

const ROLE = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const polarity = { integrationId: 'virustotal', groupId: '7', permissions: ['read'] };
const britive = { profileId: 'pap-1', permissionName: 'Admins', permissionType: 'group' };
const kore = { botId: 'st-1', connectorId: 'fc-1', entityId: 'eng@example.com', users: ['ana@example.com'] };
const polytomic = { name: 'Ops', policyActions: [{ action: 'read', roleIds: [ROLE] }] };

type Build = (stack: TerraformStack) => void;
const P = (props: object): Build => (s) => { new PolarityProvider(s, 'polarity'); new PolarityIntegrationPermission(s, 'grant', { ...polarity, ...props } as never); };
const B = (props: object): Build => (s) => { new BritiveProvider(s, 'britive'); new BritiveProfilePermission(s, 'grant', { ...britive, ...props } as never); };
const K = (props: object): Build => (s) => { new KoreProvider(s, 'kore'); new KoreEntityUsers(s, 'grant', { ...kore, ...props } as never); };
const T = (props: object): Build => (s) => { new PolytomicProvider(s, 'polytomic'); new PolytomicPolicy(s, 'grant', { ...polytomic, ...props } as never); };

const BAD_INPUTS: Array<[string, Build, RegExp]> = [
  ['polarity: empty permissions', P({ permissions: [] }), /permissions: must hold at least one permission/],
  ['polarity: unknown permission', P({ permissions: ['write'] }), /permissions\[0\]: must be one of "read", "admin", got "write"/],
  ['polarity: permission in the wrong case', P({ permissions: ['Read'] }), /permissions\[0\]: must be one of/],
  ['polarity: repeated permission', P({ permissions: ['read', 'read'] }), /permissions\[1\]: repeats "read"/],
  ['polarity: permissions not a list', P({ permissions: 'read' }), /permissions: must be a list/],
  ['polarity: empty integrationId', P({ integrationId: '' }), /integrationId: must not be empty/],
  ['polarity: white space around integrationId', P({ integrationId: ' virustotal' }), /integrationId: must not start or end with white space/],
  ['polarity: missing integrationId', P({ integrationId: undefined }), /integrationId: must be a string, got nothing/],
  ['polarity: empty groupId', P({ groupId: '' }), /groupId: must not be empty/],
  ['polarity: non-numeric groupId', P({ groupId: 'analysts' }), /groupId: must be a numeric Polarity group id/],
  ['polarity: unknown removalPolicy', P({ removalPolicy: 'keep' }), /removalPolicy: must be one of "destroy", "retain"/],
  ['britive: permissionType in the wrong case', B({ permissionType: 'Role' }), /permissionType: is case-sensitive: use "role", not "Role"/],
  ['britive: unknown permissionType', B({ permissionType: 'team' }), /permissionType: must be one of "role", "group", "policy", "permission"/],
  ['britive: empty permissionType', B({ permissionType: '' }), /permissionType: must not be empty/],
  ['britive: empty profileId', B({ profileId: '' }), /profileId: must not be empty/],
  ['britive: empty permissionName', B({ permissionName: '   ' }), /permissionName: must not be empty/],
  ['britive: permissionName not a string', B({ permissionName: { name: 'x' } }), /permissionName: must be a string, got object/],
  ['kore: empty user list', K({ users: [] }), /users: must hold at least one user/],
  ['kore: duplicated user', K({ users: ['ana@example.com', 'ana@example.com'] }), /users\[1\]: repeats "ana@example.com"/],
  ['kore: empty user', K({ users: [''] }), /users\[0\]: must not be empty/],
  ['kore: empty botId', K({ botId: '' }), /botId: must not be empty/],
  ['kore: empty connectorId', K({ connectorId: '' }), /connectorId: must not be empty/],
  ['kore: empty entityId', K({ entityId: '' }), /entityId: must not be empty/],
  ['polytomic: unknown action', T({ policyActions: [{ action: 'admin', roleIds: [ROLE] }] }), /policyActions\[0\]\.action: must be one of/],
  ['polytomic: role id not a UUID', T({ policyActions: [{ action: 'read', roleIds: ['admins'] }] }), /policyActions\[0\]\.roleIds\[0\]: must be a role id \(UUID\), got "admins"/],
  ['polytomic: action with no roles', T({ policyActions: [{ action: 'read', roleIds: [] }] }), /policyActions\[0\]\.roleIds: must hold at least one role id/],
  ['polytomic: action declared twice', T({ policyActions: [{ action: 'read', roleIds: [ROLE] }, { action: 'read', roleIds: ['7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e'] }] }), /policyActions\[1\]\.action: "read" is declared twice/],
  ['polytomic: repeated role id', T({ policyActions: [{ action: 'read', roleIds: [ROLE, ROLE] }] }), /policyActions\[0\]\.roleIds\[1\]: repeats/],
  ['polytomic: empty policyActions', T({ policyActions: [] }), /policyActions: must hold at least one policy action/],
  ['polytomic: empty name', T({ name: '' }), /name: must not be empty/],
  ['polytomic: organizationId not a UUID', T({ organizationId: 'acme' }), /organizationId: must be a UUID, got "acme"/],
  ['polytomic: policy action not an object', T({ policyActions: ['read'] }), /policyActions\[0\]: must be an object/],
  ['provider: url not http(s)', (s) => { new PolarityProvider(s, 'polarity', { url: 'ftp://polarity.example.com' }); }, /url: must be an http\(s\) URL/],
  ['provider: tenant without scheme', (s) => { new BritiveProvider(s, 'britive', { tenant: 'acme.britive-app.com' }); }, /tenant: must be an http\(s\) URL/],
  ['provider: bad token variable name', (s) => { new PolarityProvider(s, 'polarity', { tokenEnv: 'MY-TOKEN' }); }, /tokenEnv: must be an environment variable name/],
  ['provider: bad Kore client secret variable name', (s) => { new KoreProvider(s, 'kore', { clientSecretEnv: '1SECRET' }); }, /clientSecretEnv: must be an environment variable name/],
  ['provider: negative timeout', (s) => { new KoreProvider(s, 'kore', { requestTimeoutSeconds: -1 }); }, /requestTimeoutSeconds must be a positive number/],
  ['provider: negative maxRetries', (s) => { new BritiveProvider(s, 'britive', { maxRetries: -1 }); }, /maxRetries must be a whole number >= 0, got -1/],
  ['provider: unknown resourceType', (s) => { new PolytomicProvider(s, 'polytomic', { resourceType: 'null' as never }); }, /resourceType must be "terraform_data" or "null_resource"/],
  ['two constructs declaring the same grant', (s) => {
    new PolarityProvider(s, 'polarity');
    new PolarityIntegrationPermission(s, 'first', { ...polarity, permissions: ['read'] });
    new PolarityIntegrationPermission(s, 'second', { ...polarity, permissions: ['admin'] });
  }, /test\/second: declares the same polarity grant as test\/first \(virustotal\/7\)/],
  ['the same Kore user in two constructs', (s) => {
    new KoreProvider(s, 'kore');
    new KoreEntityUsers(s, 'first', kore as never);
    new KoreEntityUsers(s, 'second', { ...kore, users: ['bo@example.com', 'ana@example.com'] } as never);
  }, /test\/second: declares the same kore grant as test\/first/],
  ['two providers whose ids name the same blocks', (s) => {
    new PolarityProvider(s, 'saas');
    const nested = new (require('constructs').Construct)(s, 'team');
    new BritiveProvider(nested, 'saas');
  }, /test\/team\/saas: provider ids name their Terraform blocks, and test\/saas already uses "saas"/],
  ['no provider of the vendor in the stack', (s) => { new BritiveProfilePermission(s, 'grant', britive); }, /test\/grant: no BritiveProvider in stack test: add one/],
  ['two providers and none chosen', (s) => {
    new PolarityProvider(s, 'eu', { url: 'https://eu.polarity.example.com' });
    new PolarityProvider(s, 'us', { url: 'https://us.polarity.example.com' });
    new PolarityIntegrationPermission(s, 'grant', polarity as never);
  }, /test\/grant: stack test has 2 PolarityProviders \(test\/eu, test\/us\): pass the one to use as provider/],
];

describe('synth-time validation', () => {
  test(`covers at least 30 distinct bad inputs (${BAD_INPUTS.length})`, () => {
    expect(new Set(BAD_INPUTS.map(([name]) => name)).size).toBeGreaterThanOrEqual(30);
  });

  test.each(BAD_INPUTS)('%s', (_name, build, message) => {
    const app = new App({ outdir: Testing.app().outdir });
    const stack = new TerraformStack(app, 'test');
    let error: Error | undefined;
    try { build(stack); Testing.synth(stack, true); } catch (e) { error = e as Error; }
    expect(error?.message).toMatch(message);
    // Every message names the construct at fault by its path.
    expect(error?.message).toMatch(/test\/\w/);
  });

  test('values from other resources are not checked at synth time', () => {
    const stack = new TerraformStack(Testing.app(), 'test');
    const upstream = new DataResource(stack, 'upstream', { input: {} });
    new PolarityProvider(stack, 'polarity');
    new PolarityIntegrationPermission(stack, 'grant', { ...polarity, groupId: upstream.getStringAttribute('output') } as never);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });
});
