// The PyTorch side of vs-torch.bench.cjs must be a fair reference before anything is reported.
// Debian's python3-torch links libblas.so.3, which Debian's alternatives point at the reference
// BLAS (libblas3, ~2.5 GFLOP/s for a 1024² float32 matmul on this 2-core machine) unless an
// optimised one is installed: with libopenblas0-pthread the same product runs at 26–40 GFLOP/s.
// Convolutions go through oneDNN and do not care, but PyTorch's NASWOT is two matrix products per
// ReLU layer, and a reference BLAS made it 5× slower (19.4 s against 3.8 s for one NB201 cell),
// so an earlier comparison that said nasx's NASWOT was 5× faster than PyTorch's was wrong.
// This module installs an optimised BLAS where it can, reads what PyTorch really loaded, and says
// why it refuses to report otherwise.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const PYTHON = '/usr/bin/python3';
const SCRIPT = path.join(__dirname, 'torch_nb201.py');
/** Debian's name of the libblas.so.3 alternative on x86-64. */
const BLAS_ALTERNATIVE = 'libblas.so.3-x86_64-linux-gnu';
/** The optimised, multi-threaded BLAS the set-up installs. */
const OPENBLAS_PACKAGE = 'libopenblas0-pthread';
/** A 1024² float32 matmul below this speed is a reference BLAS whatever the library is called. */
const MIN_MATMUL_GFLOPS = 5;

/**
 * Which BLAS a library path is: Debian installs the reference one in a folder `blas`, OpenBLAS in
 * `openblas-pthread`, `openblas-openmp` or `openblas-serial` (or as `libopenblas…so`), BLIS in `blis-…`.
 */
function classifyBlas(libraryPaths) {
  const paths = libraryPaths.filter((p) => /blas|mkl|blis/.test(path.basename(p)) || /\/(open)?blas[^/]*\/|\/blis[^/]*\//.test(p));
  const openblas = paths.find((p) => /openblas/.test(p));
  if (openblas) {
    const variant = /openblas-(pthread|openmp|serial)\//.exec(openblas)?.[1];
    return { kind: 'openblas', variant, library: openblas };
  }
  const mkl = paths.find((p) => /mkl/.test(path.basename(p)));
  if (mkl) return { kind: 'mkl', library: mkl };
  const blis = paths.find((p) => /blis/.test(p));
  if (blis) return { kind: 'blis', library: blis };
  const reference = paths.find((p) => /\/blas\/libblas\.so/.test(p) || /\/libblas\.so/.test(p));
  if (reference) return { kind: 'reference', library: reference };
  return { kind: 'unknown' };
}

/**
 * Why the PyTorch side (as `torch_nb201.py info` reported it) is not a fair reference on a machine
 * with `cores` cores: a list of { problem, fix }, empty when it is fair.
 */
function fairnessProblems(info, cores) {
  const out = [];
  const blas = classifyBlas(info.blas_libraries ?? []);
  const gflops = info.matmul1024_gflops;
  const speed = typeof gflops === 'number' ? ` (a 1024² float32 matmul ran at ${gflops.toFixed(1)} GFLOP/s)` : '';
  const installFix =
    `as root, \`apt-get install ${OPENBLAS_PACKAGE}\` (Debian's alternatives then point libblas.so.3 at OpenBLAS; check with ` +
    `\`update-alternatives --display ${BLAS_ALTERNATIVE}\`); if OpenBLAS is installed but not selected, ` +
    `\`update-alternatives --set ${BLAS_ALTERNATIVE} /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3\`; ` +
    'and make sure LD_LIBRARY_PATH / LD_PRELOAD do not put another libblas.so.3 first';
  if (blas.kind === 'reference') {
    out.push({
      problem: `PyTorch uses the reference BLAS ${blas.library}${speed}, about 15× slower than an optimised BLAS at matrix products`,
      fix: installFix,
    });
  } else if (blas.kind === 'unknown') {
    out.push({ problem: `cannot tell which BLAS PyTorch uses: no BLAS library is mapped into its process${speed}`, fix: installFix });
  }
  if (typeof gflops !== 'number' || !(gflops >= MIN_MATMUL_GFLOPS)) {
    if (blas.kind !== 'reference' && blas.kind !== 'unknown') {
      out.push({
        problem: `PyTorch's BLAS (${blas.library}) multiplies two 1024² float32 matrices at ${Number(gflops).toFixed(1)} GFLOP/s, the speed of a reference BLAS (OpenBLAS: 26–40 on 2 cores here)`,
        fix: `run the bench on an idle machine, and check the BLAS: ${installFix}`,
      });
    }
  }
  if (info.threads !== cores) {
    out.push({
      problem: `PyTorch runs ${info.threads} intra-op threads on a ${cores}-core machine`,
      fix: `let it use every core: unset OMP_NUM_THREADS or set it to ${cores} (torch_nb201.py calls torch.set_num_threads(${cores}))`,
    });
  }
  if (blas.kind === 'openblas' && info.openblas && info.openblas.threads !== cores) {
    out.push({
      problem: `OpenBLAS runs ${info.openblas.threads} thread(s) on a ${cores}-core machine${blas.variant === 'serial' ? ' (the serial build)' : ''}`,
      fix: `unset OPENBLAS_NUM_THREADS or set it to ${cores}${blas.variant === 'serial' ? `, and install ${OPENBLAS_PACKAGE} instead of the serial build` : ''}`,
    });
  }
  return out;
}

/** One line naming the set-up, e.g. "PyTorch 1.13.1 Debian, OpenBLAS 0.3.21 pthread, 2 threads". */
function describeTorchSetup(info, debianTorchVersion) {
  const blas = classifyBlas(info.blas_libraries ?? []);
  const torch = debianTorchVersion ? `PyTorch ${debianTorchVersion.replace(/[+~].*$/, '')} Debian` : `PyTorch ${info.torch}`;
  let blasName = blas.kind === 'reference' ? 'reference BLAS' : blas.kind === 'unknown' ? 'unknown BLAS' : blas.kind.toUpperCase();
  if (blas.kind === 'openblas') {
    const version = /OpenBLAS\s+(\S+)/.exec(info.openblas?.config ?? '')?.[1];
    blasName = `OpenBLAS${version ? ` ${version}` : ''}${blas.variant ? ` ${blas.variant}` : ''}`;
  }
  return `${torch}, ${blasName}, ${info.threads} threads`;
}

/** The Debian package version installed, or undefined (not Debian, or not installed). */
function debianVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

function canApt() {
  return typeof process.getuid === 'function' && process.getuid() === 0 && spawnSync('apt-get', ['--version']).status === 0;
}

function aptInstall(pkg, log) {
  log(`vs-torch bench: installing ${pkg} (apt-get)…`);
  return (
    spawnSync('apt-get', ['install', '-y', pkg], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0
  );
}

/**
 * Runs torch_nb201.py (or another PyTorch script of the benches, `script`) in a mode; parses its
 * last line. Throws with its stderr when it fails.
 */
function runTorch(args, { threads, env, script = SCRIPT } = {}) {
  const r = spawnSync(PYTHON, [script, ...args, ...(threads ? ['--threads', String(threads)] : [])], {
    encoding: 'utf8',
    env: env ?? process.env,
    maxBuffer: 64 * 1024 ** 2,
  });
  if (r.status !== 0) throw new Error(`${path.basename(script)} ${args[0]} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/**
 * The bench set-up: PyTorch (python3-torch) and an optimised BLAS (libopenblas0-pthread) installed
 * with apt when missing and this is root; then what PyTorch really uses. Returns { info, problems,
 * setup, debian }, where `problems` is empty when the comparison is fair.
 */
function prepareTorch({ cores, install = true, log = console.error } = {}) {
  const hasTorch = fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
  if (!hasTorch) {
    if (!(install && canApt() && aptInstall('python3-torch', log))) {
      return {
        problems: [{ problem: `PyTorch is not installed for ${PYTHON}`, fix: 'as root, `apt-get install python3-torch` (Debian), then rerun the bench' }],
      };
    }
  }
  let info = runTorch(['info'], { threads: cores });
  if (install && canApt() && ['reference', 'unknown'].includes(classifyBlas(info.blas_libraries).kind) && !debianVersion(OPENBLAS_PACKAGE)) {
    if (aptInstall(OPENBLAS_PACKAGE, log)) info = runTorch(['info'], { threads: cores });
  }
  const debian = { torch: debianVersion('python3-torch'), openblas: debianVersion(OPENBLAS_PACKAGE) };
  return { info, problems: fairnessProblems(info, cores), setup: describeTorchSetup(info, debian.torch), debian };
}

module.exports = { BLAS_ALTERNATIVE, MIN_MATMUL_GFLOPS, OPENBLAS_PACKAGE, classifyBlas, describeTorchSetup, fairnessProblems, prepareTorch, runTorch };
