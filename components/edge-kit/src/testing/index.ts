/**
 * @packageDocumentation
 * Test support for components: a real aedes broker over mutual TLS and a throw-away PKI, so
 * component tests exercise {@link MqttTransport} against a real broker. Not for production code.
 */

export { type ComponentProcess, type ComponentProcessOptions, startComponentProcess } from './component-process.js';
export { startTestFloor, type TestFloor } from './test-floor.js';
export { type ClientIdentityFiles, createTestPki, type TestPki } from './test-pki.js';
export { startTlsBroker, type TlsBroker, type TlsBrokerOptions } from './tls-broker.js';
