/**
 * The one module that names the CDK core. Every other file of constructs/ imports the core through it, so the
 * CDK Terrain twin (`cdktn-saas-permissions`) is this package with this one module pointing at `cdktn`: the build
 * (scripts/build-twin.ts) turns every quoted core name in this file into cdktn, nothing else changes. Keep this file
 * to re-exports and facts about the core.
 */
export {
  Annotations, Aspects, AssetType, DataResource, DefaultTokenResolver, Fn, Lazy, StringConcat, TerraformAsset,
  TerraformElement, TerraformLocal, TerraformResource, TerraformStack, Token, Tokenization,
} from 'cdktf';
export type { IAspect, ITerraformDependable } from 'cdktf';

/** The npm name of the core this build imports (rewritten with the imports above in the twin). */
export const CORE_PACKAGE: string = 'cdktf';
