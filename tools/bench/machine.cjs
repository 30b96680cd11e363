// The machine a benchmark ran on, recorded in every results.json.
'use strict';
const os = require('node:os');

/** CPU model, cores, memory, OS, Node version and the 1-minute load average (a busy machine skews timings). */
function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage1m: +os.loadavg()[0].toFixed(2),
  };
}

module.exports = { machineInfo };
