import { Logger } from '@aws-lambda-powertools/logger';
import { handle } from 'hono/aws-lambda';
import { createDynamoDbDocumentClient } from '../../aws/clients.js';
import { ApiEnv } from '../api/api-env.js';
import { createFloorApi } from '../api/floor-api.js';
import { defaultTableNames } from '../common/table-names.js';
import { parseEnv } from '../config/env.js';

const logger = new Logger({ serviceName: 'floor-api' });
const env = parseEnv(ApiEnv);

/** Lambda entry point of the floor API behind API Gateway (IAM or Cognito authorization). */
export const handler = handle(
  createFloorApi({
    dynamo: createDynamoDbDocumentClient(),
    tables: defaultTableNames(),
    auth: env.auth,
    abandonedAfterMs: env.abandonedAfterMs,
    onError: (error) => logger.error('floor API request failed', error as Error),
  }),
);
