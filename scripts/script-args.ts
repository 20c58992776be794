/**
 * The options of a script in bench/ or scripts/: node's `parseArgs`, with `--help` printing
 * the script's usage (its opening comment) and a wrong option answered in one line with that
 * usage, in place of a stack trace.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** The script's opening comment, without its comment marks. */
export function scriptUsage(file: string): string {
  const opening = /^\/\*\*([\s\S]*?)\*\//u.exec(readFileSync(file, 'utf8'));
  if (!opening) return `${basename(file)}: no usage written`;
  return opening[1]!
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/u, ''))
    .join('\n')
    .trim();
}

/** `parseArgs({ options })` for the script at `scriptUrl` (its `import.meta.url`). */
export function scriptArgs<const O extends Options>(scriptUrl: string, options: O) {
  const file = fileURLToPath(scriptUrl);
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(scriptUsage(file));
    process.exit(0);
  }
  try {
    return parseArgs({ args, options });
  } catch (error) {
    console.error(`${basename(file)}: ${(error as Error).message}\n\n${scriptUsage(file)}`);
    process.exit(2);
  }
}
