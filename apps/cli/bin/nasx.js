#!/usr/bin/env node
// The nasx command. In a fresh clone of the workspace the compiled CLI may not exist yet: build it
// first (the same set-up `npm start` and `npm test` run), then start.
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'main.js');
if (!fs.existsSync(main)) {
  const setup = path.join(__dirname, '..', '..', '..', 'tools', 'scripts', 'setup.cjs');
  if (fs.existsSync(setup)) {
    const r = require('node:child_process').spawnSync(process.execPath, [setup], { stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status || 1);
  } else {
    console.error('nasx: the CLI is not built (dist/main.js is missing); reinstall @nasx/cli');
    process.exit(1);
  }
}
// Exit when the command is done: a plugin may leave handles behind (a stalled trial of a stopped
// run, a timer), which must not keep the command alive. Exit once stdout and stderr have flushed
// (pipes are asynchronous on some platforms).
require(main)
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
    let pending = 2;
    const flushed = () => {
      if (--pending === 0) process.exit(code);
    };
    process.stdout.write('', flushed);
    process.stderr.write('', flushed);
  });
