import type { DeploymentStep } from '../integrations/deployments.port';
import type { PipelineStatus } from '../integrations/pipelines.port';

/** "just now", "4 min ago", "3 h ago", "2 d ago". */
export function ago(at: number | undefined, now: number): string {
  if (at === undefined) return 'never';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return 'just now';
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** "in 3 d", "in 5 h", for upcoming events. */
export function until(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000);
  if (seconds <= 0) return 'now';
  if (seconds < 3600) return `in ${Math.max(1, Math.floor(seconds / 60))} min`;
  if (seconds < 86_400) return `in ${Math.floor(seconds / 3600)} h`;
  return `in ${Math.floor(seconds / 86_400)} d`;
}

/** "Tue 24 Nov 02:00 UTC". */
export function when(at: number): string {
  const d = new Date(at);
  const day = d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day.replace(',', '')} ${time} UTC`;
}

const PIPELINE_EMOJI: Record<PipelineStatus, string> = {
  Succeeded: ':large_green_circle:',
  Failed: ':red_circle:',
  InProgress: ':large_blue_circle:',
  Stopping: ':white_circle:',
  Stopped: ':white_circle:',
  Superseded: ':white_circle:',
  Cancelled: ':white_circle:',
  Unknown: ':black_circle:',
};

/** ":red_circle: Failed" — emoji and word, so colour is never the only signal. */
export function pipelineStatus(status: PipelineStatus): string {
  const word = status === 'InProgress' ? 'In progress' : status === 'Unknown' ? 'Not run' : status;
  return `${PIPELINE_EMOJI[status]} ${word}`;
}

const STEP_WORDS: Record<DeploymentStep, string> = {
  Created: 'Created',
  InstallingGreen: 'Installing the new task set (green)',
  TestTraffic: 'Test traffic on green',
  ShiftingTraffic: 'Shifting production traffic',
  Baking: 'Baking: watching alarms',
  TerminatingBlue: 'Terminating the old task set (blue)',
  Succeeded: 'Succeeded',
  RollingBack: 'Rolling back',
  RolledBack: 'Rolled back',
  Failed: 'Failed',
};

export function stepWords(step: DeploymentStep): string {
  return STEP_WORDS[step];
}

/** "▰▰▰▱▱▱▱▱▱▱ 30% on green". */
export function trafficBar(percent: number): string {
  const filled = Math.round(Math.min(100, Math.max(0, percent)) / 10);
  return `${'▰'.repeat(filled)}${'▱'.repeat(10 - filled)} ${Math.round(percent)}% on green`;
}

/** Splits lines into sections that each fit a Slack section block (3000 characters). */
export function sections(lines: readonly string[], max = 2900): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && current.length + line.length + 1 > max) {
      out.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') out.push(current);
  return out;
}
