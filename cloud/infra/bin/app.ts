import { App } from 'aws-cdk-lib';
import { loadEnvironmentConfig } from '../config/load.js';
import { addCroupierStacks } from '../croupier-app.js';

/** `cdk synth -c env=<name>` picks `cloud/infra/config/<name>.json`; `dev` when not given. */
const app = new App();
const envName = String(app.node.tryGetContext('env') ?? 'dev');
addCroupierStacks(app, loadEnvironmentConfig(envName));
app.synth();
