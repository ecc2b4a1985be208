/**
 * Worker entry: exposes the comlink surface of api.ts and nothing else. The codecs (wasm,
 * embedded in this bundle) load lazily on first use, so an idle worker costs almost nothing.
 */
import * as Comlink from 'comlink';
import { api } from './api.ts';

Comlink.expose(api);
