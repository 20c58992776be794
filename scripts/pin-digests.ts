/**
 * Write the behaviour digests that test/behaviour.test.ts compares with: run after a model
 * is retrained or the cues change on purpose, and commit the file with the change.
 *
 *   npm run pin:digests
 */
import { writeFileSync } from 'node:fs';
import { DIGESTS, devDigests } from '../test/digests.js';

writeFileSync(DIGESTS, `${JSON.stringify(await devDigests(), null, 2)}\n`);
console.log(`wrote ${DIGESTS}`);
