/**
 * @packageDocumentation
 * Test helpers for nasx plugins: the conformance suites every plugin runs, `startTestKernel()`,
 * tiny fixtures (the toy space, estimator and searcher), a kernel-less ask/tell driver for searcher
 * tests and access to the reference data used by science tests.
 */
export * from './shared-data';
export * from './chromium';
export * from './redis';
export * from './ranking-science';
export * from './test-kernel';
export * from './nb201-test-kernel';
export * from './drive-searcher';
export * from './fixtures/toy.search-space';
export * from './fixtures/toy.estimator';
export * from './fixtures/toy.searcher';
export * from './fixtures/labelled-sample';
export * from './contracts/common';
export * from './contracts/search-space.contract-suite';
export * from './contracts/estimator.contract-suite';
export * from './contracts/searcher.contract-suite';
export * from './contracts/plugin-package.contract-suite';
export * from './contracts/task.contract-suite';
