/**
 * The package as users get it: `npm pack` of the built tree, unpacked into a project of its
 * own, every entry of the exports map imported by name (values) and type-checked (types).
 * A missing file in `files`, a wrong path in `exports` or an export dropped from an entry
 * fails here, where tests importing ../src would not notice.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT, tempDir } from './helpers.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, { types: string; default: string } | string>;
};

/** What each entry must offer at run time (a few names each: the ones users start from). */
const VALUES: Record<string, string[]> = {
  '.': ['analyze', 'loadDetector', 'SpinscopeError', 'ERROR_CODES', 'TECHNIQUES', 'scoreSi'],
  './server': ['startServer', 'buildServer'],
  './store': ['AnalysisStore'],
  './html': ['extractArticle'],
  './types': [],
};

/** One type from each entry that has types, as a user's program would name it. */
const TYPES: Record<string, string> = {
  '.': 'Analysis',
  './server': 'ServerOptions',
  './store': 'AnalysisStore',
  './html': 'ExtractedArticle',
  './types': 'AnalysisRecord',
};

const project = tempDir('spinscope-package-');
let tarball = '';

before(() => {
  tarball = execFileSync(
    'npm',
    ['pack', '--ignore-scripts', '--silent', '--pack-destination', project],
    { cwd: ROOT, encoding: 'utf8' },
  ).trim();
  const installed = join(project, 'node_modules', 'spinscope');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(project, tarball), '-C', installed, '--strip-components=1']);
  // The package's own dependencies, as npm would install them beside it.
  symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'), 'dir');
  writeFileSync(join(project, 'package.json'), '{"type": "module", "private": true}\n');
});

test('every entry of the exports map is tested here', () => {
  assert.deepEqual(
    Object.keys(pkg.exports)
      .filter((entry) => entry !== './package.json')
      .sort(),
    Object.keys(VALUES).sort(),
  );
});

test('the web UI ships with its worker; the models ship once, in models/', () => {
  const files = execFileSync('tar', ['-tzf', join(project, tarball)], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.replace(/^package\//u, ''));
  for (const file of ['web/dist/index.html', 'web/dist/worker/detector-worker.js'])
    assert.ok(files.includes(file), `${file} is packed (npm run build first)`);
  assert.ok(files.includes('models/md/model.bin'));
  // The server serves /models/ from models/; the static site's copy is left out.
  assert.deepEqual(
    files.filter((file) => file.startsWith('web/dist/models/')),
    [],
  );
});

test('every entry imports from the packed package and offers its names', () => {
  const script = Object.entries(VALUES)
    .map(
      ([entry, names]) =>
        `{ const m = await import(${JSON.stringify(join('spinscope', entry))}); ` +
        `for (const n of ${JSON.stringify(names)}) if (!(n in m)) throw new Error(${JSON.stringify(entry)} + ' lacks ' + n); }`,
    )
    .join('\n');
  writeFileSync(join(project, 'imports.mjs'), `${script}\nconsole.log('imported');\n`);
  const output = execFileSync(process.execPath, ['imports.mjs'], {
    cwd: project,
    encoding: 'utf8',
  });
  assert.equal(output.trim(), 'imported');
});

test('the packed package analyses an article with a shipped model', () => {
  writeFileSync(
    join(project, 'analyse.mjs'),
    "import { analyze } from 'spinscope';\n" +
      "const a = await analyze('Only traitors would doubt the glorious harbour plan.', { model: 'sm' });\n" +
      'console.log(JSON.stringify({ unit: a.offsetUnit, spans: a.spans.length }));\n',
  );
  const output = execFileSync(process.execPath, ['analyse.mjs'], {
    cwd: project,
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(output), { unit: 'codepoint', spans: 1 });
});

test('every entry type-checks from the packed package', () => {
  const lines = Object.entries(TYPES).map(
    ([entry, type], i) =>
      `import type { ${type} as T${i} } from ${JSON.stringify(join('spinscope', entry))};\n` +
      `export type U${i} = T${i};`,
  );
  writeFileSync(join(project, 'types.ts'), `${lines.join('\n')}\n`);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = (() => {
    try {
      execFileSync(
        process.execPath,
        [
          tsc,
          '--noEmit',
          '--strict',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--types',
          'node',
          '--typeRoots',
          join(ROOT, 'node_modules', '@types'),
          '--skipLibCheck',
          'types.ts',
        ],
        { cwd: project, encoding: 'utf8' },
      );
      return '';
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  })();
  assert.equal(result, '');
});
