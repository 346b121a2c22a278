export * from './permissions-provider';
export * from './permission';
export * from './polarity';
export * from './britive';
export * from './kore';
export * from './polytomic';
