import type { SandboxWorld } from '../integrations/sandbox/world';
import { alarmPlace, maintenancePlaces, resolveAccount } from './accounts';
import type { OpsbotConfig } from './config';

/**
 * How long the sandbox's deployments bake before they end, as a CodeDeploy group's termination wait or an ECS
 * service's bake time would make them: the engine's setting, not opsbot's `bakeMinutes` (which follows the end).
 */
const SANDBOX_ENGINE_BAKE_MINUTES = 10;

/** The world the sandbox simulates: the configured services, environments and pipelines. */
export function sandboxWorld(config: OpsbotConfig): SandboxWorld {
  const names = Object.keys(config.services);
  // Both engines on the page: the last configured service deploys through ECS's own linear strategy.
  const linear = names.length > 1 ? names.at(-1) : undefined;
  return {
    services: Object.entries(config.services).map(([name, service]) => ({
      name,
      ...(service.pipeline !== undefined && { pipeline: service.pipeline }),
      environments: Object.entries(service.environments).map(([env, target]) => ({
        name: env,
        account: resolveAccount(config, target.account).id,
        region: target.region,
        cluster: target.cluster ?? env,
        // Only the configured rollback alarms exist: the sandbox invents none AWS would not have.
        alarms: target.rollbackAlarms.map((entry) =>
          alarmPlace(entry, resolveAccount(config, target.account).id, target.region),
        ),
        engineBakeMinutes: SANDBOX_ENGINE_BAKE_MINUTES,
        engine: name === linear ? ('ecs-linear' as const) : ('codedeploy' as const),
      })),
    })),
    maintenance: (() => {
      const places = maintenancePlaces(config);
      return {
        accounts: places.accounts.map(({ account }) => ({ id: account.id, name: account.name })),
        regions: places.accounts[0]?.regions ?? [],
      };
    })(),
    pipelines: Object.entries(config.pipelines).map(([name, p]) => ({
      name,
      account: resolveAccount(config, p.account).id,
      region: p.region,
    })),
  };
}
