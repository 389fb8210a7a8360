import * as echarts from 'echarts';

/**
 * Keeps the estimated and the ground-truth α charts at the same zoom (and legend selection):
 * ECharts relays actions such as dataZoom among instances that share a group. The chart
 * components create their instances when they mount, so the instances are looked up by their
 * frames' test ids on the next frames until they exist.
 */
export const MODES_TIME_GROUP = 'modes-time-courses';

/** Both α charts open on the same first seconds, so the linked zoom starts in step. */
export const MODES_OPENING_SECONDS = 5;

function instanceOf(testid: string): echarts.ECharts | undefined {
  const host = document.querySelector<HTMLElement>(`[data-testid="${testid}-canvas"]`);
  return host ? echarts.getInstanceByDom(host) : undefined;
}

/** Puts the charts with these test ids in one zoom group; returns a function that stops trying. */
export function linkZoom(testids: readonly string[], attempts = 120): () => void {
  let frame = 0;
  let left = attempts;
  const tryLink = (): void => {
    const instances = testids.map(instanceOf);
    if (instances.every((c) => c !== undefined)) {
      for (const c of instances) c!.group = MODES_TIME_GROUP;
      echarts.connect(MODES_TIME_GROUP);
      return;
    }
    if (--left > 0) frame = requestAnimationFrame(tryLink);
  };
  frame = requestAnimationFrame(tryLink);
  return () => cancelAnimationFrame(frame);
}
