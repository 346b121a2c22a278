/**
 * How the command-line tool reads a vendor's answer against what a stack declares: the identity and managed fields
 * of a grant as the drift report prints them, what the vendor holds of it, what it holds that nothing declares, and
 * the constructs that would declare what it holds (import). One file per vendor.
 */
import { VendorName } from '../../contract';

export type Fields = Record<string, unknown>;

/** Something the vendor holds in a scope that no construct declares. */
export interface HeldGrant {
  readonly identity: Fields;
  readonly actual: Fields;
  /** The grant as the vendor client takes it (to prune it). */
  readonly resource: Fields;
}

/** A construct the import command prints: its class, a stable id and its props; or a comment saying why not. */
export type ImportItem =
  | { readonly className: string; readonly id: string; readonly props: Fields; readonly grant: HeldGrant }
  | { readonly comment: string };

export interface VendorView<S, H> {
  readonly vendor: VendorName;
  identity(resource: Fields): Fields;
  /** The managed fields as declared: {permissions}, {actions}, or {present: true}. */
  declared(resource: Fields): Fields;
  /** The managed fields the vendor holds for this grant, null when it holds nothing; throws when it cannot tell. */
  actual(resource: Fields, held: H): Fields | null;
  /** What the scope holds that none of `declared` (grants of one provider in this scope) names. */
  unmanaged(scope: S, held: H, declared: readonly Fields[]): HeldGrant[];
  /** The constructs that declare what the scope holds. */
  importItems(scope: S, held: H): ImportItem[];
}

/** A construct id from names: lower case, "-" between words, stable for the same input. */
export function constructId(...parts: string[]): string {
  const id = parts.join('-').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return id || 'grant';
}
