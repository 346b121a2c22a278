/**
 * The one module that names the CDK core. Every other file of constructs/ imports the core through it, so the
 * CDK Terrain twin (`cdktn-saas-permissions`) is this package with this one module pointing at `cdktn`: the build
 * swaps it, nothing else changes. Keep this file to re-exports.
 */
export {
  Annotations, Aspects, AssetType, DataResource, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformAsset,
  TerraformElement, TerraformLocal, TerraformResource, TerraformStack, Token, Tokenization,
} from 'cdktf';
export type { IAspect } from 'cdktf';
