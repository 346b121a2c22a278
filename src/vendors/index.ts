/** The four vendor clients by name: what the handler and the command-line tool call. */
import { VendorName } from '../contract';
import { britive } from './britive';
import { kore } from './kore';
import { polarity } from './polarity';
import { polytomic } from './polytomic';
import { VendorClient } from './vendor';

export const VENDOR_CLIENTS: { readonly [V in VendorName]: VendorClient<any, any, any, any> } = { polarity, britive, kore, polytomic };
