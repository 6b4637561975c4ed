import type { SandboxWorld } from '../integrations/sandbox/world';
import { resolveAccount } from './accounts';
import type { OpsbotConfig } from './config';

/** The world the sandbox simulates: the configured services, environments and pipelines. */
export function sandboxWorld(config: OpsbotConfig): SandboxWorld {
  const names = Object.keys(config.services);
  // Both engines on the page: the last configured service deploys through ECS's own linear strategy.
  const linear = names.length > 1 ? names.at(-1) : undefined;
  return {
    services: Object.entries(config.services).map(([name, service]) => ({
      name,
      environments: Object.entries(service.environments).map(([env, target]) => ({
        name: env,
        account: resolveAccount(config, target.account).id,
        region: target.region,
        cluster: target.cluster ?? env,
        // With no alarms configured, the sandbox gives each service the usual two, so there is something to trip.
        alarms: target.alarms.length > 0 ? target.alarms : [`${name}-${env}-5xx-errors`, `${name}-${env}-p99-latency`],
        bakeMinutes: target.bakeMinutes,
        engine: name === linear ? ('ecs-linear' as const) : ('codedeploy' as const),
      })),
    })),
    pipelines: Object.entries(config.pipelines).map(([name, p]) => ({
      name,
      account: resolveAccount(config, p.account).id,
      region: p.region,
    })),
  };
}
