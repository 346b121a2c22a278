/** The command-line tool: reads the vendors back (drift report and repair, import as code). */
import { runCli } from './program';

void runCli(process.argv).then((code) => { process.exitCode = code; });
