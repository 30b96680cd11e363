// Test order for `npm test`: slowest files first, so that on 2 cores no worker sits idle while the
// other finishes a two-minute file at the end of the run. Jest orders by the durations in its cache
// (the last run on this machine); a fresh clone has no cache, and jest's fallback — file size — put
// the packed-install test (a mid-sized file that runs for two minutes) near the end. The committed
// `durations.json` (seconds per spec, refreshed by `node tools/scripts/test-durations.cjs <jest
// --json output>`) fills in for files jest has no time for.
const fs = require('node:fs');
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = path.resolve(__dirname, '..', '..');
let committed;
function committedSeconds(file) {
  if (committed === undefined) {
    try {
      committed = JSON.parse(fs.readFileSync(path.join(__dirname, 'durations.json'), 'utf8')).seconds ?? {};
    } catch {
      committed = {};
    }
  }
  const s = committed[path.relative(ROOT, file).split(path.sep).join('/')];
  return typeof s === 'number' ? s * 1000 : undefined;
}

class DurationSequencer extends Sequencer {
  time(test) {
    return super.time(test) ?? committedSeconds(test.path);
  }
}

module.exports = DurationSequencer;
