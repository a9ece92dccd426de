/**
 * What a consumer gets: the packed file list holds only the built library,
 * suite and tools (CLI, benchmark, demo), their types, README, LICENSE and
 * package.json; the tarball, installed with npm into a fresh project, works
 * from a plain `import` (JavaScript and TypeScript) and as `npx convproof`;
 * the package imports itself by name (the exports map); and the library part
 * reaches no Node built-in, so bundlers need no polyfills.
 *
 * The build goes to a temporary copy of the package, so the repository's
 * own dist/ is left alone for the other tests and tools.
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const root = resolve(import.meta.dirname, '..');
let tmp = '';
let pkg = '';

interface PackEntry {
  readonly path: string;
}

/** Runs a command; a failure reports its output. */
function run(cmd: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

const lists = new Map<string, string[]>();

/** The files `npm pack` would put in the tarball (computed once per folder). */
function packList(cwd: string): string[] {
  if (!lists.has(cwd)) {
    const out = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], cwd)) as {
      files: PackEntry[];
    }[];
    lists.set(cwd, out[0].files.map((f) => f.path).sort());
  }
  return lists.get(cwd)!;
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'convproof-package-'));
  pkg = join(tmp, 'pkg');
  mkdirSync(pkg);
  for (const f of ['package.json', 'README.md', 'LICENSE']) copyFileSync(join(root, f), join(pkg, f));
  run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist')], root);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What may be packed: the build of src/, properties/, adapters/ and tools/ (code, types, maps), and three top-level files. */
const ALLOWED =
  /^(package\.json|README\.md|LICENSE|dist\/(src|properties|adapters|tools)\/[\w./-]+\.(js|d\.ts|js\.map|d\.ts\.map))$/;

describe('the packed package', () => {
  test('npm pack --dry-run lists only the built src/, properties/, adapters/ and tools/, their types and maps, README, LICENSE and package.json', () => {
    const files = packList(pkg);
    expect(files.filter((f) => !ALLOWED.test(f))).toEqual([]);
    for (const f of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/reference/index.js',
      'dist/src/reference/index.d.ts',
      'dist/properties/index.js',
      'dist/properties/index.d.ts',
      'dist/properties/browser/index.js',
      'dist/properties/browser/index.d.ts',
      'dist/tools/cli.js',
      'dist/tools/cli/main.js',
    ]) {
      expect(files).toContain(f);
    }
    // Every built file comes from a source file that exists (no stale output, nothing from test/ or golden/).
    for (const f of files.filter((p) => p.startsWith('dist/') && p.endsWith('.js'))) {
      expect(existsSync(join(root, f.replace(/^dist\//, '').replace(/\.js$/, '.ts'))), f).toBe(true);
    }
  });

  test('in the repository itself, npm pack would add nothing beyond dist/src, dist/properties, dist/adapters, dist/tools, README, LICENSE and package.json', () => {
    expect(existsSync(join(root, 'LICENSE'))).toBe(true);
    expect(packList(root).filter((f) => !ALLOWED.test(f))).toEqual([]);
  });

  test('source maps point only at src/, properties/, adapters/ and tools/ sources', () => {
    const maps = packList(pkg).filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const allowed = [join(root, 'src'), join(root, 'properties'), join(root, 'adapters'), join(root, 'tools')].map(
      (d) => d + sep,
    );
    for (const m of maps) {
      const { sources } = JSON.parse(readFileSync(join(pkg, m), 'utf8')) as { sources: string[] };
      for (const s of sources) {
        const source = resolve(dirname(join(pkg, m)), s);
        expect(
          allowed.some((d) => source.startsWith(d)),
          `${m} maps ${source}`,
        ).toBe(true);
      }
    }
  });
});

/** The code without its comments (TSDoc examples mention imports that are not made). */
function uncommented(code: string): string {
  return code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

/** Static and dynamic import specifiers of an ES module's text. */
function specifiers(code: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\s+['"]([^'"]+)['"]/g,
  ];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[1]);
  return found;
}

/** Every file reachable from `entry` through relative imports, and every non-relative specifier met on the way. */
function reachable(entry: string): { files: string[]; external: string[] } {
  const files = new Set<string>();
  const external = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const s of specifiers(uncommented(readFileSync(file, 'utf8')))) {
      if (s.startsWith('./') || s.startsWith('../')) queue.push(resolve(dirname(file), s));
      else external.add(`${s} (in ${file.slice(pkg.length + 1)})`);
    }
  }
  return { files: [...files], external: [...external] };
}

/** Globals and idioms only Node (or CommonJS) provides. */
const NODE_ONLY = /\brequire\s*\(|\bprocess\.|\b__dirname\b|\b__filename\b|\bBuffer\.|\bimport\.meta\.url\b/;

describe('the library part and the browser isolation entry need nothing from Node (bundler check without a bundler)', () => {
  test.each(['dist/src/index.js', 'dist/src/reference/index.js', 'dist/properties/browser/index.js'])(
    'everything reachable from %s imports only relative files and uses no Node globals',
    (entry) => {
      const { files, external } = reachable(join(pkg, entry));
      expect(files.length).toBeGreaterThan(3);
      expect(external).toEqual([]);
      for (const f of files) {
        const code = uncommented(readFileSync(f, 'utf8'));
        expect(code, f).not.toMatch(NODE_ONLY);
      }
    },
  );

  test('the scan does see Node imports where they are: the CLI (dist/tools/cli.js) reaches node: modules', () => {
    const { files, external } = reachable(join(pkg, 'dist/tools/cli.js'));
    expect(external.some((s) => s.startsWith('node:'))).toBe(true);
    expect(files.some((f) => NODE_ONLY.test(uncommented(readFileSync(f, 'utf8'))))).toBe(true);
  });
});

describe('a consumer', () => {
  const chapter = `
    const { tensor, corr2d, toNested, conv2d, Conv2d, ConvError } = await import('convproof');
    const { conv2d: ref } = await import('convproof/reference');
    const y = toNested(corr2d(tensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]]), tensor([[0, 1], [2, 3]])));
    const layer = new Conv2d({ inChannels: 1, outChannels: 1, kernelSize: 2, seed: 1 });
    let code = null;
    try { conv2d(tensor([1]), tensor([1])); } catch (e) { code = e instanceof ConvError ? e.code : String(e); }
    console.log(JSON.stringify({ y, ref: typeof ref, layer: layer.weight.shape, code }));
  `;
  const expected = {
    y: [
      [19, 25],
      [37, 43],
    ],
    ref: 'function',
    layer: [1, 1, 2, 2],
    code: 'rank',
  };

  let app = '';

  // npm installs the tarball as a user's project would (offline: it has no dependencies to fetch),
  // which also links its bin; every test below starts from that project.
  beforeAll(() => {
    const out = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], pkg);
    const tarball = join(tmp, (JSON.parse(out) as { filename: string }[])[0].filename);
    app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], app);
  }, 60_000);

  test('imports the installed tarball by name in a fresh project (JavaScript, plain Node)', () => {
    writeFileSync(join(app, 'main.mjs'), chapter);
    expect(JSON.parse(run('node', ['main.mjs'], app))).toEqual(expected);
  });

  test('runs as `npx convproof`: the bin is the built tools/cli.js, and --help and verify --help answer', () => {
    const bin = realpathSync(join(app, 'node_modules', '.bin', 'convproof'));
    expect(bin).toBe(realpathSync(join(app, 'node_modules', 'convproof', 'dist', 'tools', 'cli.js')));
    const help = run('npx', ['--no', '--', 'convproof', '--help'], app);
    expect(help).toMatch(/^Usage: convproof <command>/);
    for (const command of ['verify', 'demo', 'bench']) expect(help).toContain(command);
    // verify --help needs none of the suite's optional peers, which this project does not have.
    expect(existsSync(join(app, 'node_modules', 'fast-check'))).toBe(false);
    expect(run('npx', ['--no', '--', 'convproof', 'verify', '--help'], app)).toMatch(/^Usage: convproof verify/);
  });

  test('type-checks `import { conv2d } from "convproof"` against the packed types (TypeScript, nodenext)', () => {
    expect(existsSync(join(app, 'node_modules', 'convproof', 'dist', 'src', 'index.d.ts'))).toBe(true);
    writeFileSync(
      join(app, 'main.ts'),
      [
        "import { conv2d, tensor, type Tensor, type Conv2dOptions } from 'convproof';",
        "import { verify, type ConvImplementation } from 'convproof/properties';",
        'const options: Conv2dOptions = { stride: 2, padding: "same" };',
        'const y: Tensor = conv2d(tensor([1, 2, 3, 4], [1, 1, 2, 2]), tensor([1], [1, 1, 1, 1]), options);',
        'const impl: ConvImplementation = { conv2d };',
        'export { y, impl, verify };',
        '// @ts-expect-error: the options are checked',
        "conv2d(y, y, { stride: '2' });",
        '',
      ].join('\n'),
    );
    // fast-check is a peer of convproof/properties: the consumer brings it.
    const peer = join(app, 'node_modules', 'fast-check');
    if (!existsSync(peer)) symlinkSync(join(root, 'node_modules', 'fast-check'), peer, 'dir');
    run(
      'npx',
      [
        '--prefix',
        root,
        'tsc',
        '--ignoreConfig',
        'main.ts',
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--types',
        'node',
        '--typeRoots',
        join(root, 'node_modules', '@types'),
      ],
      app,
    );
  });

  test("the package imports itself by name from its own folder (the exports map's self-reference)", () => {
    writeFileSync(join(pkg, 'self.mjs'), chapter);
    expect(JSON.parse(run('node', ['self.mjs'], pkg))).toEqual(expected);
    // convproof/properties needs its peer fast-check, which the repository has.
    writeFileSync(
      join(pkg, 'suite.mjs'),
      "const p = await import('convproof/properties'); const b = await import('convproof/properties/browser');" +
        ' console.log(typeof p.verify, typeof b.isolate, typeof b.serveIsolated);',
    );
    if (!existsSync(join(pkg, 'node_modules')))
      symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
    expect(run('node', ['suite.mjs'], pkg).trim()).toBe('function function function');
  });
});
