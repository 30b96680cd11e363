import * as fs from 'node:fs';
import * as path from 'node:path';
import { nasx, tempDir, WORKSPACE } from './cli-test-helpers';

// `nasx report --svg/--png` through the built CLI: vega and vega-lite are ES modules with top-level
// await, which the CLI loads with a real dynamic import() (jest's module system would not).

const SYNTHETIC = path.join(WORKSPACE, 'examples', 'synthetic.yaml');

/**
 * A small XML well-formedness check: every element closed in order, attributes quoted, entities
 * known. (resvg parsing the same SVG for the PNG checks it again.)
 */
function checkXml(text: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g;
  let last = 0;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    const between = text.slice(last, m.index);
    if (between.includes('<')) throw new Error(`malformed markup near ${JSON.stringify(between.slice(between.indexOf('<'), between.indexOf('<') + 60))}`);
    for (const ent of between.match(/&[^;\s]*;?/g) ?? []) if (!/^&(amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);$/.test(ent)) throw new Error(`bad entity ${ent}`);
    last = tag.lastIndex;
    if (!m[2]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`</${m[2]}> closes the wrong element`);
    } else if (!m[4]) stack.push(m[2]);
  }
  if (text.slice(last).trim() !== '') throw new Error('text after the root element');
  if (stack.length) throw new Error(`unclosed elements: ${stack.join(', ')}`);
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Counted (uncached) evaluations in a run's journal. */
function countedEvaluations(runDir: string): number {
  return fs
    .readFileSync(path.join(runDir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"evaluated"') && !l.includes('"cached":true')).length;
}

/** Points drawn: one symbol per trial in each of the two panels. */
const points = (svg: string): number => (svg.match(/role="graphics-symbol" aria-roledescription="point"/g) ?? []).length;

describe('nasx report --svg / --png', () => {
  const dir = tempDir();
  const runsDir = path.join(dir, 'runs');
  let runDir: string;

  beforeAll(() => {
    const r = nasx(['run', SYNTHETIC, '--set', 'budget.evaluations=30', '--runs-dir', runsDir, '--quiet']);
    expect(r.code).toBe(0);
    runDir = path.join(runsDir, fs.readdirSync(runsDir)[0] as string);
  });

  it('draws every trial in both panels with the best-so-far line, titled with the run, searcher and objective', () => {
    const svgFile = path.join(dir, 'plot.svg');
    const pngFile = path.join(dir, 'plot.png');
    const r = nasx(['report', runDir, '--svg', svgFile, '--png', pngFile, '--size', '640x480'], { cwd: dir });
    expect(r.stderr).toMatch(/^wrote .*plot\.svg and .*plot\.png: 30 trials of run synthetic-/);
    expect(r.code).toBe(0);
    // The text report still goes to stdout.
    expect(r.stdout).toMatch(/^run synthetic-.*: budget-exhausted/);

    const svg = fs.readFileSync(svgFile, 'utf8');
    expect(() => checkXml(svg)).not.toThrow();
    expect(svg).toMatch(/^<svg [^>]*width="640" height="480"/);
    const n = countedEvaluations(runDir);
    expect(n).toBe(30);
    expect(points(svg)).toBe(2 * n);
    // Two step lines (best so far), one per panel.
    expect((svg.match(/aria-roledescription="line mark"/g) ?? []).length).toBe(2);
    expect(svg).toContain(`run ${path.basename(runDir)}`);
    expect(svg).toContain('searcher regularized-evolution; objective maximize synthetic');
    expect(svg).toContain('wall-clock seconds');

    const png = fs.readFileSync(pngFile);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 640, height: 480 });
  }, 60_000);

  it('marks the sessions of a resumed run', () => {
    // The run as if it had been stopped after its 12th evaluation, then resumed.
    const copy = path.join(runsDir, `${path.basename(runDir)}-copy`);
    fs.cpSync(runDir, copy, { recursive: true });
    const lines = fs.readFileSync(path.join(copy, 'events.ndjson'), 'utf8').split('\n');
    let seen = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && !l.includes('"cached":true') && ++seen === 12);
    fs.writeFileSync(path.join(copy, 'events.ndjson'), lines.slice(0, cut + 1).join('\n') + '\n');
    fs.rmSync(path.join(copy, 'summary.json'), { force: true });
    expect(nasx(['resume', copy, '--quiet']).code).toBe(0);

    const svgFile = path.join(dir, 'resumed.svg');
    const r = nasx(['report', copy, '--svg', svgFile]);
    expect(r.code).toBe(0);
    const svg = fs.readFileSync(svgFile, 'utf8');
    expect(() => checkXml(svg)).not.toThrow();
    expect(svg).toMatch(/^<svg [^>]*width="900" height="600"/);
    expect(points(svg)).toBe(2 * countedEvaluations(copy));
    // A dashed rule and its label per panel, and a legend of the two sessions.
    expect((svg.match(/>session 2 \(resumed\)</g) ?? []).length).toBe(2);
    expect(svg).toContain('2 sessions');
    expect(svg).toMatch(/>session 1</);
  }, 60_000);

  it('says clearly that a run with no finished trial has nothing to plot, and writes no file', () => {
    const empty = path.join(runsDir, `${path.basename(runDir)}-empty`);
    fs.cpSync(runDir, empty, { recursive: true });
    const first = fs.readFileSync(path.join(empty, 'events.ndjson'), 'utf8').split('\n')[0] as string;
    fs.writeFileSync(path.join(empty, 'events.ndjson'), `${first}\n`);
    fs.rmSync(path.join(empty, 'summary.json'), { force: true });
    const svgFile = path.join(dir, 'empty.svg');
    const r = nasx(['report', empty, '--svg', svgFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/has no finished trial yet, so there is no trajectory to plot/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(svgFile)).toBe(false);
  }, 60_000);

  it('refuses a malformed --size', () => {
    const r = nasx(['report', runDir, '--png', path.join(dir, 'x.png'), '--size', '64x48']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--size.*expected WIDTHxHEIGHT in pixels, each 200 to 8000/);
  });
});
