import type { Bench360Budget } from './budgets';
import type { Bench360TaskResult, Summary } from './runner';

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const digitsFor = (v: number) => (Math.abs(v) >= 10 ? 2 : Math.abs(v) >= 1 ? 3 : 4);
const pm = (s: Summary | { mean: number; std?: number }) => {
  const d = digitsFor(s.mean);
  return s.std !== undefined && s.std > 0 ? `${fmt(s.mean, d)} ± ${fmt(s.std, d)}` : fmt(s.mean, d);
};

/** The results table in markdown: ours beside NAS-Bench-360's published numbers, data provenance marked. */
export function resultsMarkdown(
  results: readonly Bench360TaskResult[],
  meta: { budget: Bench360Budget; pipeline: string; backend: string; seconds: number },
): string {
  const lines = [
    '# nasx bench360 results',
    '',
    `Pipeline: ${meta.pipeline}. Budget: **${meta.budget.name}** (${meta.budget.description}). Backend: ${meta.backend}. Wall time: ${(meta.seconds / 60).toFixed(1)} min.`,
    '',
    'All values on each task’s **test split**, mean ± std over the seeds, in NAS-Bench-360’s reported form (lower is better).',
    '"searched": the architecture the search returned, retrained; "WRN": the Wide ResNet baseline trained with the same recipe; "trivial": a predictor that ignores the input.',
    'Paper columns: Tu et al. 2022 (NAS-Bench-360), full data and GPU budgets — context, not a like-for-like comparison.',
    '',
    '| task | metric | data | searched (ours) | WRN (ours) | trivial | WRN beats trivial by | paper WRN | paper DenseNAS | paper DARTS-GAEA | paper expert |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of results) {
    const data = r.source === 'full' ? 'full release' : r.source === 'sample' ? '**sample**' : '**SYNTHETIC**';
    const expert = r.paper.expert ? `${pm(r.paper.expert)}¹` : 'n/a';
    lines.push(
      `| ${r.task} | ${r.paper.metric} | ${data} | ${pm(r.paperForm.searched)} | ${pm(r.paperForm.wrn)} | ${fmt(r.paperForm.trivial, digitsFor(r.paperForm.trivial))} | ${fmt(r.wrnMargin, digitsFor(r.wrnMargin))} (${r.metric}) | ${pm(r.paper.wrn)} | ${pm(r.paper.denseNas)} | ${pm(r.paper.dartsGaea)} | ${expert} |`,
    );
  }
  lines.push('', '¹ From the repository’s draft table (an earlier version of the paper’s), where it reports the same metric.', '');
  lines.push('## Data and notes', '');
  for (const r of results) {
    lines.push(
      `- **${r.task}** (${r.metric}, ${r.direction}): ${r.data}. Trivial predictor: ${r.trivial.what}.${r.paper.caveat ? ` Caveat: ${r.paper.caveat}.` : ''}`,
    );
    for (const c of r.cells) {
      const lat = c.latency ? `; on ${c.latency.device}: ${fmt(c.latency.ms, 3)} ms${c.latency.mj !== undefined ? `, ${fmt(c.latency.mj, 3)} mJ` : ''}` : '';
      lines.push(
        `  - seed ${c.seed}: search ${c.search.evaluations} evaluations in ${c.search.seconds.toFixed(0)} s → \`${c.search.best}\`${lat}; retrained ${c.retrainSeconds.toFixed(0)} s → ${fmt(c.searched, 4)}; WRN ${c.wrnSeconds.toFixed(0)} s → ${fmt(c.wrn, 4)}`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

/** A Vega-Lite spec: one panel per task (own scale), bars of searched / WRN / trivial with the paper's WRN as a rule. */
export function resultsPlotSpec(results: readonly Bench360TaskResult[]): Record<string, unknown> {
  const values = results.flatMap((r) => [
    { task: `${r.task} (${r.paper.metric})`, what: 'searched (ours)', value: r.paperForm.searched.mean, std: r.paperForm.searched.std },
    { task: `${r.task} (${r.paper.metric})`, what: 'WRN (ours)', value: r.paperForm.wrn.mean, std: r.paperForm.wrn.std },
    { task: `${r.task} (${r.paper.metric})`, what: 'trivial', value: r.paperForm.trivial, std: 0 },
    { task: `${r.task} (${r.paper.metric})`, what: 'paper WRN', value: r.paper.wrn.mean, std: r.paper.wrn.std ?? 0 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    background: 'white',
    padding: 12,
    title: { text: 'nasx bench360: test metric per task (lower is better)', anchor: 'start' },
    data: { values },
    facet: { field: 'task', type: 'nominal', title: null },
    columns: 3,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 200,
      height: 140,
      layer: [
        {
          mark: 'bar',
          encoding: {
            x: { field: 'what', type: 'nominal', title: null, sort: ['searched (ours)', 'WRN (ours)', 'trivial', 'paper WRN'], axis: { labelAngle: -30 } },
            y: { field: 'value', type: 'quantitative', title: null },
            color: { field: 'what', type: 'nominal', legend: null },
          },
        },
        {
          mark: { type: 'errorbar', ticks: true },
          encoding: {
            x: { field: 'what', type: 'nominal', sort: ['searched (ours)', 'WRN (ours)', 'trivial', 'paper WRN'] },
            y: { field: 'lo', type: 'quantitative' },
            y2: { field: 'hi' },
          },
          transform: [
            { calculate: 'datum.value - datum.std', as: 'lo' },
            { calculate: 'datum.value + datum.std', as: 'hi' },
          ],
        },
      ],
    },
  };
}
