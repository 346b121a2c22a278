/** What the vendor-client tests hand the handler: one grant as a task, with settings that fail fast on a simulator. */
import { DEFAULT_CONNECTIONS, DEFAULT_HTTP_SETTINGS, HttpSettings, VendorName } from '../../src/contract';
import { Task } from '../../src/handler';

export const FAST_HTTP: HttpSettings = { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, requestTimeoutMs: 2000, maxRetries: 1 };

export function grantTask(vendor: VendorName, operation: 'apply' | 'revoke', resource: object, http: Partial<HttpSettings> = FAST_HTTP): Task {
  return {
    operation, vendor, path: 'test/grant', address: `terraform_data.${vendor}_${operation}["k"]`, removalPolicy: 'destroy',
    connection: DEFAULT_CONNECTIONS[vendor], http, resource: resource as Record<string, unknown>,
  };
}
