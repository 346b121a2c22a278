/**
 * The core the end-to-end suite runs on (jest's cdktf and cdktn projects run this file, see jest.config.js): the
 * constructs must be built on that core, since a construct tree mixing two cores fails at synth.
 */
import * as cdktf from 'cdktf';
import * as core from '../../constructs/core';
import { PolarityIntegrationPermission, PolarityProvider } from '../../constructs';
import { CORE, CORE_VERSION, E2eWorkspace } from './harness';

describe(`the e2e suite on ${CORE}`, () => {
  test('the constructs and the tests load one core, the one the project names', () => {
    const named = require(CORE);
    expect(core.TerraformStack).toBe(named.TerraformStack);
    expect(cdktf.App).toBe(named.App);
    // The other core is installed too, and is not what either side loaded.
    const other = require(CORE === 'cdktf' ? 'cdktn' : 'cdktf/lib/index.js');
    expect(other.TerraformStack).not.toBe(named.TerraformStack);
  });

  test('a stack of these constructs is synthesized by that core', async () => {
    const ws = await E2eWorkspace.create('core');
    try {
      const text = ws.synth((stack) => {
        new PolarityProvider(stack, 'polarity');
        new PolarityIntegrationPermission(stack, 'analysts', { integrationId: 'virustotal', groupId: '7', permissions: ['read'] });
      });
      const tf = JSON.parse(text);
      expect(tf['//'].metadata.version).toBe(CORE_VERSION);
      expect(CORE_VERSION).toMatch(CORE === 'cdktf' ? /^0\.21\./ : /^0\.24\./);
      expect(Object.keys(tf.resource.terraform_data)).toEqual(expect.arrayContaining(['polarity_apply', 'polarity_revoke']));
    } finally {
      await ws.dispose();
    }
  });
});
