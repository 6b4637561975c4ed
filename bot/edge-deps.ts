import type { Audit } from '../integrations/audit.port';
import type { Claims } from '../integrations/claims';
import type { JobQueue } from '../integrations/jobs.port';
import type { People } from '../integrations/people.port';
import type { Store } from '../integrations/store.port';
import type { Rules } from '../intents/define-intent';
import type { LocalMatcher } from '../intents/matcher/local-matcher';
import type { IntentRegistry } from '../intents/registry';
import type { IssuedButtons } from './cards';
import type { OpsbotConfig } from './config';
import type { ConversationPlanner } from './conversation';
import type { Job } from './jobs';
import type { Log } from './logger';

/** What the Slack edge needs: everything on the ack path, nothing that calls AWS services or Lex. */
export interface EdgeDeps {
  readonly config: OpsbotConfig;
  readonly registry: IntentRegistry;
  readonly matcher: LocalMatcher;
  readonly planner: ConversationPlanner;
  readonly store: Store;
  /** Idempotency: deliveries, messages, decisions and retries are claimed once. */
  readonly claims: Claims;
  /** The buttons opsbot issued: a click is read from what was stored, never from its value. */
  readonly buttons: IssuedButtons;
  readonly jobs: JobQueue<Job>;
  readonly log: Log;
  readonly botUserId: string;
  readonly botId: string;
  /** The slash command's name, `/deploy` unless the Slack app names it otherwise. */
  readonly command: string;
  /** Who may do what, from configuration, checked again at the click. */
  readonly rules: Rules;
  /** Who people are: guests, workspaces, user groups. */
  readonly people: People;
  /** Where refusals are written down. */
  readonly audit: Audit;
}
