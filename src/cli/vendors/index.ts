import { VendorName } from '../../contract';
import { britiveView } from './britive';
import { koreView } from './kore';
import { polarityView } from './polarity';
import { polytomicView } from './polytomic';
import { VendorView } from './view';

export const VENDOR_VIEWS: { readonly [V in VendorName]: VendorView<any, any> } = {
  polarity: polarityView, britive: britiveView, kore: koreView, polytomic: polytomicView,
};
