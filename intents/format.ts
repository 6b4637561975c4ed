import type { DeploymentStep } from '../integrations/deployments.port';
import type { PipelineStatus } from '../integrations/pipelines.port';
import { progress, type Run, type StatusKind, status } from './reply';

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

const PIPELINE_STATUS: Record<PipelineStatus, [StatusKind, string]> = {
  Succeeded: ['ok', 'Succeeded'],
  Failed: ['failed', 'Failed'],
  InProgress: ['running', 'In progress'],
  Stopping: ['stopped', 'Stopping'],
  Stopped: ['stopped', 'Stopped'],
  Superseded: ['stopped', 'Superseded'],
  Cancelled: ['stopped', 'Cancelled'],
  Unknown: ['none', 'Not run'],
};

/** A pipeline status as a status run with its word, so colour is never the only signal. */
export function pipelineStatus(value: PipelineStatus): Run {
  const [kind, word] = PIPELINE_STATUS[value];
  return status(kind, word);
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

/** Traffic on green as a progress bar: "▰▰▰▱▱▱▱▱▱▱ 30% on green". */
export function trafficBar(percent: number): Run {
  return progress(percent, 'on green');
}

/** "s" after a count that is not one. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** The text with its first letter lower-cased, mid-sentence ("Deploy …" → "deploy …"); "AWS …" keeps its case. */
export function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0]?.toLowerCase()}${text.slice(1)}` : text;
}

/** The text with its first letter upper-cased: a phrase that starts a sentence. */
export function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
