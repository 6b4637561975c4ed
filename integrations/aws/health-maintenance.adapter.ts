import type { EC2Client } from '@aws-sdk/client-ec2';
import type { HealthClient } from '@aws-sdk/client-health';
import type { RDSClient } from '@aws-sdk/client-rds';
import { OpsbotError } from '../errors';
import type { Maintenance, MaintenanceEvent } from '../maintenance.port';

/**
 * Scheduled maintenance from AWS Health, EC2 scheduled events and RDS pending maintenance. The clients are wired
 * here; the maintenance capability fills in the calls across accounts and regions.
 */
export class AwsMaintenance implements Maintenance {
  constructor(
    readonly health: HealthClient,
    readonly ec2: EC2Client,
    readonly rds: RDSClient,
  ) {}

  async upcoming(_window: { from: number; until: number }): Promise<MaintenanceEvent[]> {
    throw new OpsbotError(
      'NOT_CONNECTED',
      'Reading AWS maintenance is not connected in this build of opsbot.',
      'Run `npm start` to see the sandbox account’s maintenance.',
    );
  }
}
