import { registerBackend } from '../select.js';
import { WasmBackend } from './wasm-backend.js';

// Importing this module makes 'wasm' available (and what 'auto' picks).
registerBackend('wasm', () => new WasmBackend());

export { WasmBackend };
