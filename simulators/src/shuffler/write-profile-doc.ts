/** Writes simulators/docs/shuffler-modbus-profile.md from the register table. */
import { writeFileSync } from 'node:fs';
import { PROFILE_DOC_PATH, renderProfileDoc } from './profile-doc.js';

writeFileSync(PROFILE_DOC_PATH, renderProfileDoc());
process.stdout.write(`wrote ${PROFILE_DOC_PATH}\n`);
