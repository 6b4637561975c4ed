import { cancelButton, chooseButton, confirmButton } from './conversation.buttons';
import type { AnyButton } from './define-button';
import { approveButton, deployCancelButton, gateButton, rejectButton, requestButton } from './deploys/deploy.buttons';
import { retryStageButton } from './pipelines/retry-stage.button';

/**
 * Every button opsbot issues, one declaration a kind. The button registry is this explicit list; it is apart from
 * `intents/index.ts` so that the edge loads the declarations without the handlers.
 */
export const buttons: readonly AnyButton[] = [
  chooseButton,
  confirmButton,
  cancelButton,
  retryStageButton,
  requestButton,
  deployCancelButton,
  approveButton,
  rejectButton,
  gateButton,
];
