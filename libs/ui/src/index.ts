/**
 * @packageDocumentation
 * `@nasx/ui`: the web view `nasx ui` serves (Fastify): the runs of a runs directory, a page per
 * run with its live best-so-far trajectory, sortable and filterable trials, Pareto front and best
 * cell, and comparisons of runs. Data from the experiment store (`@nasx/store`); charts are
 * Vega-Lite specs rendered by vega-embed.
 */
export * from './server';
export * from './charts';
