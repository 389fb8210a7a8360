import { elementCount, type ExportArray } from './exportArray';
import type { RunExportContent } from './runExportContent';
import { barChart, escapeXml, heatmap, lineChart, type LineSeries } from './svgCharts';

/**
 * A single self-contained HTML page about one run: what was trained on what, the loss per epoch,
 * α over the start of the first session, the mode covariances and the fractional occupancies,
 * and the config. Figures are inline SVG; there is no script and nothing is fetched.
 */

/** The α window shows at most this many seconds and samples of the first session. */
const ALPHA_WINDOW_SECONDS = 10;
const ALPHA_WINDOW_SAMPLES = 4000;
/** Points drawn per α line; the window is strided down to this. */
const ALPHA_POINTS = 800;

/** The first `rows` rows of an array (its first blocks only), as float64. */
export function leadingRows(array: ExportArray, rows: number): Float64Array {
  const width = elementCount(array.shape.slice(1));
  const out = new Float64Array(Math.min(rows, array.shape[0] ?? 0) * width);
  let filled = 0;
  for (const block of array.blocks()) {
    const take = Math.min(block.length, out.length - filled);
    for (let i = 0; i < take; i++) out[filled + i] = block[i]!;
    filled += take;
    if (filled >= out.length) break;
  }
  return out;
}

function wholeArray(array: ExportArray): Float64Array {
  return leadingRows(array, array.shape[0] ?? 0);
}

function section(title: string, body: string): string {
  return `<section><h2>${escapeXml(title)}</h2>${body}</section>`;
}

function table(rows: Array<[string, string]>): string {
  return `<table>${rows.map(([k, v]) => `<tr><th>${escapeXml(k)}</th><td>${escapeXml(v)}</td></tr>`).join('')}</table>`;
}

function configValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}…` : text;
  }
  return String(value);
}

function lossFigure(content: RunExportContent): string {
  if (content.epochs.length === 0) return '<p>No epochs were recorded.</p>';
  const x = content.epochs.map((e) => e.index + 1);
  const series: LineSeries[] = [{ name: 'loss', x, y: content.epochs.map((e) => e.loss) }];
  return lineChart(series, {
    width: 640,
    height: 260,
    title: 'Loss per epoch',
    xLabel: 'epoch',
    yLabel: 'loss',
  });
}

function alphaFigure(content: RunExportContent): string {
  const first = content.sessions.find((s) => s.alpha);
  const alpha = first?.alpha;
  if (!first || !alpha) return '<p>The model has no mode time courses (α).</p>';
  const fs = content.dataset.samplingRate;
  const K = alpha.shape[1] ?? 0;
  const rows = Math.min(alpha.shape[0] ?? 0, ALPHA_WINDOW_SAMPLES, Math.round(ALPHA_WINDOW_SECONDS * fs));
  const values = leadingRows(alpha, rows);
  const stride = Math.max(1, Math.ceil(rows / ALPHA_POINTS));
  const x: number[] = [];
  for (let t = 0; t < rows; t += stride) x.push(t / fs);
  const series: LineSeries[] = Array.from({ length: K }, (_, k) => ({
    name: `mode ${k + 1}`,
    x,
    y: x.map((_, i) => values[i * stride * K + k]!),
  }));
  return lineChart(series, {
    width: 800,
    height: 280,
    title: `α, first ${Number((rows / fs).toPrecision(3))} s of ${first.name}`,
    xLabel: 'time (s)',
    yLabel: 'α',
    yRange: [0, 1],
  });
}

function covarianceFigures(content: RunExportContent): string {
  const covs = content.covariances;
  if (!covs || covs.shape.length !== 3) return '<p>The model has no mode covariances.</p>';
  const [K, C] = [covs.shape[0]!, covs.shape[1]!];
  const data = wholeArray(covs);
  let maxAbs = 0;
  for (const v of data) if (Number.isFinite(v)) maxAbs = Math.max(maxAbs, Math.abs(v));
  const maps = Array.from({ length: K }, (_, k) =>
    heatmap(data.subarray(k * C * C, (k + 1) * C * C), C, `mode ${k + 1}`, maxAbs),
  );
  return `<p>Colour scale shared by all modes: ±${maxAbs.toPrecision(3)} (red positive, blue negative).</p><div class="grid">${maps.join('')}</div>`;
}

function occupancyFigure(content: RunExportContent): string {
  const analysis = content.analysis;
  if (!analysis || analysis.sessions.length === 0) {
    return '<p>Summary statistics were not computed for this export.</p>';
  }
  const K = analysis.nModes;
  const perSession = analysis.sessions.map((s) => s.fractionalOccupancy);
  const mean = Array.from(
    { length: K },
    (_, k) => perSession.reduce((n, s) => n + (s[k] ?? 0), 0) / perSession.length,
  );
  const names = Array.from({ length: K }, (_, k) => `mode ${k + 1}`);
  const chart = barChart(
    names,
    mean,
    {
      width: 640,
      height: 260,
      title: 'Fractional occupancy (bars: mean over sessions; dots: sessions)',
      xLabel: 'mode',
      yLabel: 'fractional occupancy',
    },
    perSession.length > 1 ? perSession : [],
  );
  const header = `<tr><th>session</th>${names.map((n) => `<th>${n} FO</th>`).join('')}<th>mean lifetime (s)</th><th>switching rate (Hz)</th></tr>`;
  const rows = analysis.sessions
    .map(
      (s) =>
        `<tr><td>${escapeXml(s.sessionName)}</td>${s.fractionalOccupancy.map((v) => `<td>${v.toFixed(3)}</td>`).join('')}<td>${s.meanLifetimeS.map((v) => v.toPrecision(3)).join(', ')}</td><td>${s.switchingRateHz.map((v) => v.toPrecision(3)).join(', ')}</td></tr>`,
    )
    .join('');
  return `${chart}<table class="stats">${header}${rows}</table>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:0.9em}th,td{border:1px solid #ddd;padding:2px 8px;text-align:left}
th{background:#f6f6f6}.grid{display:flex;flex-wrap:wrap;gap:12px}`;

export function buildRunReport(content: RunExportContent): string {
  const { run, dataset } = content;
  const title = `ModeScope run ${run.id}${run.name ? ` – ${run.name}` : ''}`;
  const facts = table([
    ['model', run.modelKind],
    ['status', run.status],
    ['dataset', `${dataset.name} (id ${dataset.id})`],
    ['preparation', dataset.preparationId === null ? 'none (raw data)' : String(dataset.preparationId)],
    ['sampling rate', `${dataset.samplingRate} Hz`],
    ['channels', String(dataset.channelNames.length)],
    ['sessions', content.sessions.map((s) => s.name).join(', ')],
    ['seed', String(run.seed)],
    ['engine', run.backend ?? 'unknown'],
    ['free energy', run.freeEnergy === null ? 'not computed' : String(run.freeEnergy)],
    ['created', run.createdAt],
    ['finished', run.finishedAt ?? '–'],
  ]);
  const config = table(Object.entries(run.config).map(([k, v]) => [k, configValue(v)]));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeXml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeXml(title)}</h1>
${section('Run', facts)}
${section('Training', lossFigure(content))}
${section('Mode time courses', alphaFigure(content))}
${section('Mode covariances', covarianceFigures(content))}
${section('Summary statistics', occupancyFigure(content))}
${section('Config', config)}
</body></html>
`;
}
