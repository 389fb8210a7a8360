import type { ECharts } from 'echarts';
import { computed, onBeforeUnmount, ref, shallowRef, watch } from 'vue';
import type { EnvelopeWindow } from '../../charts/envelope';
import type { EnvelopeFetch } from '../../charts/envelopeSource';
import { windowLoadFailure } from '../../charts/timeChartOptions';
import { WindowedEnvelopeDriver, type WindowRenderStats } from './windowedEnvelope';

/** The props every windowed chart component takes (each adds what it draws). */
export interface WindowedChartProps {
  testid: string;
  title?: string;
  fetch: EnvelopeFetch | null;
  nSamples: number;
  samplingRate: number;
  height?: string;
  emptyMessage?: string | null;
}

/** The events every windowed chart component emits, in defineEmits' form. */
export interface WindowedChartEvents {
  rendered: [stats: WindowRenderStats];
  error: [error: unknown];
}

/** The events every windowed chart component emits. */
export interface WindowedChartEmit {
  (event: 'rendered', stats: WindowRenderStats): void;
  (event: 'error', error: unknown): void;
}

export interface WindowedChartSetup {
  /** What the chart shows, for its messages: "Could not load the {subject}", "No {subject} to show". */
  subject: string;
  /** Props besides fetch, nSamples and samplingRate whose change means a new recording: start over. */
  restartOn: () => readonly unknown[];
  baseOption: () => Record<string, unknown>;
  /** Draws a window; returns the largest series length handed to ECharts. */
  draw: (window: EnvelopeWindow) => number;
  /** Clears the component's per-recording state before a (re)start. */
  reset?: () => void;
  /** Loads the first window; by default the one the base option's zoom shows. */
  open?: (driver: WindowedEnvelopeDriver) => void;
}

/**
 * The life cycle of a chart that shows windows of a long signal: resets the chart to its base
 * option, drives window fetches on zoom, reports failures and load state to its ChartFrame, and
 * disposes the driver on unmount.
 */
export function useWindowedEnvelopeChart(
  props: WindowedChartProps,
  emit: WindowedChartEmit,
  setup: WindowedChartSetup,
) {
  const chart = shallowRef<ECharts | null>(null);
  const loading = ref(false);
  const failure = ref<string | null>(null);
  let driver: WindowedEnvelopeDriver | null = null;

  function start(): void {
    driver?.dispose();
    driver = null;
    setup.reset?.();
    failure.value = null;
    const c = chart.value;
    const { fetch, nSamples } = props;
    if (!c || !fetch || nSamples < 1) return;
    c.setOption(setup.baseOption(), { notMerge: true });
    driver = new WindowedEnvelopeDriver(
      c,
      nSamples,
      fetch,
      setup.draw,
      (stats) => emit('rendered', stats),
      (error) => {
        failure.value = windowLoadFailure(`the ${setup.subject}`, error);
        emit('error', error);
      },
      (busy) => (loading.value = busy),
    );
    if (setup.open) setup.open(driver);
    else driver.refresh();
  }

  function onReady(instance: ECharts): void {
    chart.value = instance;
    start();
  }

  function refresh(): void {
    driver?.refresh();
  }

  /** ChartFrame's props. */
  const frame = computed(() => {
    return {
      testid: props.testid,
      title: props.title,
      height: props.height,
      loading: loading.value,
      emptyMessage:
        failure.value ?? props.emptyMessage ?? (props.fetch ? null : `No ${setup.subject} to show`),
    };
  });

  watch(
    () => [props.fetch, props.nSamples, props.samplingRate, ...setup.restartOn()],
    () => start(),
  );

  onBeforeUnmount(() => driver?.dispose());

  return { chart, frame, start, onReady, refresh };
}
