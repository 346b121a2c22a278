/**
 * A stand-in for a Node built-in that loads the real module on first property access, for the bundle to alias a
 * module its dependencies require at start-up but a handler run seldom uses.
 */
export function lazyBuiltin(load: () => object): object {
  let loaded: Record<string | symbol, unknown> | undefined;
  return new Proxy({}, { get: (_target, name) => (loaded ??= load() as Record<string | symbol, unknown>)[name] });
}
