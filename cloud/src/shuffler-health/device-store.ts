import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { MaintenanceAlert } from '@croupier/contracts';
import { batchGetAll, type Item, isConditionalCheckFailed } from '../common/dynamo.js';
import { type DeviceHealth, newDeviceHealth } from './device-health.js';

/** Device health and maintenance alerts in DynamoDB. */
export class DeviceStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tables: { devices: string; alerts: string },
  ) {}

  async load(deviceIds: readonly string[]): Promise<Map<string, DeviceHealth>> {
    const items = await batchGetAll(
      this.client,
      this.tables.devices,
      deviceIds.map((deviceId) => ({ deviceId })),
    );
    const byId = new Map(items.map((item) => [String(item.deviceId), item]));
    return new Map(deviceIds.map((id) => [id, fromItem(id, byId.get(id))]));
  }

  /** Writes a device's health if nobody else did since it was read; false when the version moved. */
  async commit(next: DeviceHealth, priorVersion: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tables.devices,
          Item: { ...next },
          ConditionExpression: priorVersion === 0 ? 'attribute_not_exists(deviceId)' : '#v = :v',
          ...(priorVersion === 0
            ? {}
            : { ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':v': priorVersion } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Stores an alert transition. A raise is put once (a replay finds it there); a resolution closes
   * the alert with how it was resolved. `raisedAt` is an ISO string because the byState index sorts on it.
   */
  async record(alert: MaintenanceAlert, origin: { property: string; core: string }): Promise<void> {
    if (alert.state === 'raised') {
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tables.alerts,
            Item: {
              deviceId: alert.deviceId,
              alertId: alert.alertId,
              state: 'raised',
              cause: alert.cause,
              severity: alert.severity,
              message: alert.message,
              raisedAt: new Date(alert.eventTime).toISOString(),
              raisedAtMs: alert.eventTime,
              ...(alert.probability !== undefined ? { probability: alert.probability } : {}),
              ...(alert.modelVersion ? { modelVersion: alert.modelVersion } : {}),
              ...origin,
            },
            ConditionExpression: 'attribute_not_exists(alertId)',
          }),
        );
      } catch (error) {
        if (!isConditionalCheckFailed(error)) throw error;
      }
      return;
    }
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tables.alerts,
          Key: { deviceId: alert.deviceId, alertId: alert.alertId },
          UpdateExpression: 'SET #state = :state, resolvedAt = :at, resolution = :resolution, resolvedBy = :actor',
          ConditionExpression: 'attribute_exists(alertId)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':state': alert.state,
            ':at': alert.eventTime,
            ':resolution': alert.resolution ?? 'recovered',
            ':actor': alert.actor ?? 'shuffler-processor',
          },
        }),
      )
      .catch((error: unknown) => {
        // Resolving an alert this store never saw raised (raised before it existed): nothing to close.
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }
}

function fromItem(deviceId: string, item: Item | undefined): DeviceHealth {
  if (!item) return newDeviceHealth(deviceId);
  return {
    ...(item as unknown as DeviceHealth),
    deviceId,
    version: typeof item.version === 'number' ? item.version : 0,
    lastEventTime: typeof item.lastEventTime === 'number' ? item.lastEventTime : 0,
    openAlerts: (item.openAlerts as DeviceHealth['openAlerts'] | undefined) ?? {},
  };
}
