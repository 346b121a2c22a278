/**
 * Bounds on reading one scope (a Britive profile, a Kore connector, a Polarity integration list): a vendor that keeps
 * answering more pages or more items (a `count` of 1e15, a connector that always returns new entities) is stopped
 * with a message instead of running the process out of memory or time. Apply, revoke, drift and import share them.
 */
import { MAX_ITEMS_ENV, MAX_PAGES_ENV } from '../contract';
import { ConfigurationError, UnexpectedAnswerError } from '../errors';

export interface PagingLimits {
  /** Pages read for one scope at most. */
  readonly maxPages: number;
  /** Items (permissions, entities, integrations) held from one scope's read at most. */
  readonly maxItems: number;
}

/** Far above any real tenant (100 items a page), far below what exhausts memory. */
export const DEFAULT_PAGING_LIMITS: PagingLimits = { maxPages: 10_000, maxItems: 100_000 };

function whole(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new ConfigurationError(`${name} must be a whole number above 0, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

/** The limits, from SAAS_PERMISSIONS_MAX_PAGES and SAAS_PERMISSIONS_MAX_ITEMS when set. */
export function pagingLimits(env: NodeJS.ProcessEnv): PagingLimits {
  return { maxPages: whole(env, MAX_PAGES_ENV, DEFAULT_PAGING_LIMITS.maxPages), maxItems: whole(env, MAX_ITEMS_ENV, DEFAULT_PAGING_LIMITS.maxItems) };
}

/** Counts one scope's pages and items; throws naming the vendor, the scope's read and the cap once either is passed. */
export class PageBudget {
  private pages = 0;

  constructor(private readonly limits: PagingLimits, private readonly vendor: string, private readonly operation: string) {}

  /** Call before each page is asked for. */
  page(url: string): void {
    // Counted once asked for, so the message gives the pages actually read.
    if (this.pages >= this.limits.maxPages) throw this.exceeded(url, `${this.limits.maxPages} pages`, `${MAX_PAGES_ENV}`);
    this.pages++;
  }

  /** Call with the number of items held so far. */
  items(count: number, url: string): void {
    if (count > this.limits.maxItems) throw this.exceeded(url, `${this.limits.maxItems} items`, `${MAX_ITEMS_ENV}`);
  }

  private exceeded(url: string, cap: string, env: string): UnexpectedAnswerError {
    return new UnexpectedAnswerError({ vendor: this.vendor, operation: this.operation }, 'GET', url,
      `kept answering more after ${this.pages} pages: the cap for one scope is ${cap} (${env} raises it); nothing is concluded from a partial read`);
  }
}
