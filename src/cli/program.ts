/** The command-line program (placeholder: the commands are added by the drift and import work). */
export async function runCli(_argv: string[]): Promise<number> {
  process.stderr.write('not built yet\n');
  return 1;
}
