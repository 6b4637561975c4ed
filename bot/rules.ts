import type { Rules } from '../intents/define-intent';
import type { OpsbotConfig } from './config';

/** Configuration's answers to "who may do what", for the capabilities' policies to decide with. */
export function rulesFrom(config: OpsbotConfig): Rules {
  return {
    environment: (name) => {
      const environment = config.environments[name];
      return environment === undefined
        ? undefined
        : {
            protected: environment.protected,
            approval: environment.approval,
            // Everyone, said or by default: no list to check against.
            deployers:
              environment.deployers === undefined || environment.deployers === 'everyone' ? [] : environment.deployers,
            ...(environment.channels !== undefined && { channels: environment.channels }),
          };
    },
    retriers: (pipeline) => config.pipelines[pipeline]?.retriers ?? [],
  };
}
