/** The environment Terraform and cdktf-cli run in here: offline, non-interactive, no stray CLI configuration. */
import * as fs from 'fs';

export function terraformEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_INPUT: '0', ...extra };
  // A TF_CLI_CONFIG_FILE naming a missing file makes Terraform warn on every command; without it, defaults apply.
  if (env.TF_CLI_CONFIG_FILE && !fs.existsSync(env.TF_CLI_CONFIG_FILE)) delete env.TF_CLI_CONFIG_FILE;
  return env;
}
