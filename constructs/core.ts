/**
 * The one module that names the CDK core. Every other file of constructs/ imports the core through it, so the
 * CDK Terrain twin (`cdktn-saas-permissions`) is this package with this one module pointing at `cdktn`: the build
 * swaps it, nothing else changes. Keep this file to re-exports.
 */
export {
  Annotations, AssetType, DataResource, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformAsset, TerraformLocal,
  TerraformResource, TerraformStack, Token, Tokenization,
} from 'cdktf';
