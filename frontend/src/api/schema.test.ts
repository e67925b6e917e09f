/// <reference types="vite/client" />
/** schema.d.ts is generated: it must be what docs/openapi.yaml gives now. */

import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';
import contract from '../../../docs/openapi.yaml?raw';
import committed from './schema.d.ts?raw';

describe('schema.d.ts', () => {
  it('is up to date with docs/openapi.yaml (regenerate with `npm run types`)', async () => {
    // as `npm run types` (the openapi-typescript command, no options) writes it
    const fresh = COMMENT_HEADER + astToString(await openapiTS(contract));
    expect(committed).toBe(fresh);
  });
});
