export * from './permissions-provider';
export * from './permission';
export type { PolytomicPolicyAction, RemovalPolicy, VendorName } from '../src/contract';
export * from './polarity';
export * from './britive';
export * from './kore';
export * from './polytomic';
