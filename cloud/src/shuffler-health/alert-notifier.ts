import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { MaintenanceAlert } from '@croupier/contracts';

/** Sends maintenance-alert transitions to the people who act on them. */
export interface AlertNotifier {
  notify(alert: MaintenanceAlert): Promise<void>;
}

/** The SNS request for one alert transition. Pure. */
export function snsAlertRequest(topicArn: string, alert: MaintenanceAlert): PublishCommand['input'] {
  const subject = `[${alert.severity}] ${alert.deviceId}: ${alert.cause.replace('_', ' ')} ${alert.state}`;
  return {
    TopicArn: topicArn,
    // SNS subjects are at most 100 characters.
    Subject: subject.slice(0, 100),
    Message: JSON.stringify(alert),
    MessageAttributes: {
      deviceId: { DataType: 'String', StringValue: alert.deviceId },
      severity: { DataType: 'String', StringValue: alert.severity },
      state: { DataType: 'String', StringValue: alert.state },
      cause: { DataType: 'String', StringValue: alert.cause },
      // Stable per transition: subscribers drop the rare duplicate a retried batch can send.
      transitionId: { DataType: 'String', StringValue: alert.eventId },
    },
  };
}

/** Alert notifications through an SNS topic (email, SMS, chat and ticketing subscribe to it). */
export class SnsAlertNotifier implements AlertNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async notify(alert: MaintenanceAlert): Promise<void> {
    await this.client.send(new PublishCommand(snsAlertRequest(this.topicArn, alert)));
  }
}
