/**
 * Parsing of SNS Query-protocol requests (form-encoded `Action=Publish&TopicArn=...`), the wire
 * format the AWS SDK's SNS client speaks. Pure.
 */

/** A message attribute as Publish carries it. */
export interface MessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export interface PublishRequest {
  readonly TopicArn: string;
  readonly Message: string;
  readonly Subject?: string;
  readonly MessageStructure?: string;
  readonly MessageGroupId?: string;
  readonly MessageDeduplicationId?: string;
  readonly MessageAttributes: Readonly<Record<string, MessageAttribute>>;
}

/** Reads `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` / `.Value.BinaryValue`. */
export function parseMessageAttributes(
  form: URLSearchParams,
  prefix = 'MessageAttributes',
): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (let n = 1; form.has(`${prefix}.entry.${n}.Name`); n++) {
    const name = form.get(`${prefix}.entry.${n}.Name`)!;
    const dataType = form.get(`${prefix}.entry.${n}.Value.DataType`) ?? 'String';
    const stringValue = form.get(`${prefix}.entry.${n}.Value.StringValue`);
    const binaryValue = form.get(`${prefix}.entry.${n}.Value.BinaryValue`);
    attributes[name] = {
      DataType: dataType,
      ...(stringValue === null ? {} : { StringValue: stringValue }),
      ...(binaryValue === null ? {} : { BinaryValue: binaryValue }),
    };
  }
  return attributes;
}

/** Reads a Publish request; returns the name of the first missing required field instead when incomplete. */
export function parsePublish(form: URLSearchParams): PublishRequest | { missing: string } {
  const topicArn = form.get('TopicArn') ?? form.get('TargetArn');
  const message = form.get('Message');
  if (!topicArn) return { missing: 'TopicArn' };
  if (message === null) return { missing: 'Message' };
  const optional = (key: 'Subject' | 'MessageStructure' | 'MessageGroupId' | 'MessageDeduplicationId') => {
    const value = form.get(key);
    return value === null ? {} : { [key]: value };
  };
  return {
    TopicArn: topicArn,
    Message: message,
    ...optional('Subject'),
    ...optional('MessageStructure'),
    ...optional('MessageGroupId'),
    ...optional('MessageDeduplicationId'),
    MessageAttributes: parseMessageAttributes(form),
  };
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for an XML element body. */
export function xmlText(value: string): string {
  return value.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}
