import { ConfigError, ModelFileError } from '../errors.js';

// Where a model file goes besides a path, as TensorFlow.js users expect: a URL-like name picks the
// browser's storage (indexeddb://NAME, localstorage://NAME), a download (downloads://NAME), or an
// http(s):// URL read by fetch (browsers and Node). Only standard web APIs: no file system here.

export const STORE_SCHEMES = ['indexeddb://', 'localstorage://', 'downloads://'] as const;

/** The scheme of a model location, or null for a file path. */
export function modelScheme(location: string): 'indexeddb' | 'localstorage' | 'downloads' | 'http' | null {
  const lower = location.toLowerCase();
  for (const s of STORE_SCHEMES) if (lower.startsWith(s)) return s.slice(0, -3) as 'indexeddb' | 'localstorage' | 'downloads';
  if (lower.startsWith('http://') || lower.startsWith('https://')) return 'http';
  return null;
}

const DB_NAME = 'deepnet';
const DB_STORE = 'models';
const LOCAL_PREFIX = 'deepnet/models/';

function storeName(location: string): string {
  const name = location.slice(location.indexOf('://') + 3);
  // A name is a key, not a path: printable, no slashes that would hide one model inside another's key.
  if (name.length === 0 || name.length > 200 || /[\u0000-\u001f/\\]/.test(name)) {
    throw new ConfigError(`${location}: a model name must be 1 to 200 printable characters without / or \\`);
  }
  return name;
}

function openDatabase(location: string): Promise<IDBDatabase> {
  if (typeof indexedDB === 'undefined') throw new ConfigError(`${location}: IndexedDB is not available here (it is a browser's storage)`);
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(DB_STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(new ModelFileError(`${location}: cannot open IndexedDB (${request.error?.message ?? 'unknown error'})`));
  });
}

function transact<T>(location: string, mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return openDatabase(location).then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const tx = db.transaction(DB_STORE, mode);
        const request = work(tx.objectStore(DB_STORE));
        tx.oncomplete = () => {
          db.close();
          resolve(request.result);
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          reject(new ModelFileError(`${location}: IndexedDB ${mode === 'readonly' ? 'read' : 'write'} failed (${(tx.error ?? request.error)?.message ?? 'aborted'})`));
        };
      }),
  );
}

function storage(location: string): Storage {
  const ls = (globalThis as { localStorage?: Storage }).localStorage;
  if (!ls) throw new ConfigError(`${location}: localStorage is not available here (it is a browser's storage)`);
  return ls;
}

// localStorage holds text: the bytes as base64, 4/3 of the file (browsers allow about 5 MB per site).
function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

function fromBase64(text: string, location: string): Uint8Array {
  let raw: string;
  try {
    raw = atob(text);
  } catch {
    throw new ModelFileError(`${location}: the stored text is not base64: not a model saved by deepnet`);
  }
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** Saves a model file's bytes to indexeddb://, localstorage:// or downloads:// (browsers). */
export async function saveToStore(location: string, bytes: Uint8Array): Promise<void> {
  const scheme = modelScheme(location);
  const name = storeName(location);
  if (scheme === 'indexeddb') {
    await transact(location, 'readwrite', (store) => store.put(bytes.slice(), name));
  } else if (scheme === 'localstorage') {
    try {
      storage(location).setItem(LOCAL_PREFIX + name, toBase64(bytes));
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      throw new ModelFileError(`${location}: localStorage refused ${bytes.length} bytes (${(e as Error).message}); indexeddb:// holds larger models`, { cause: e });
    }
  } else if (scheme === 'downloads') {
    if (typeof document === 'undefined') throw new ConfigError(`${location}: downloads:// needs a page (a document to start the download from)`);
    const file = name.endsWith('.safetensors') ? name : `${name}.safetensors`;
    const url = URL.createObjectURL(new Blob([bytes.slice()], { type: 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    // The click starts the download on the next task; the URL must live until then.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } else {
    throw new ConfigError(`${location}: a model is saved to a file path, indexeddb://NAME, localstorage://NAME or downloads://NAME`);
  }
}

/** A model file's bytes from indexeddb://, localstorage:// or an http(s):// URL. */
export async function loadFromStore(location: string): Promise<Uint8Array> {
  const scheme = modelScheme(location);
  if (scheme === 'http') return fetchModel(location);
  if (scheme === 'downloads') throw new ConfigError(`${location}: downloads:// only saves; load the downloaded file by its path or bytes (Network.fromBytes)`);
  const name = storeName(location);
  if (scheme === 'indexeddb') {
    const value = await transact<unknown>(location, 'readonly', (store) => store.get(name));
    if (value === undefined) throw new ModelFileError(`${location}: no such model in IndexedDB`);
    if (!(value instanceof Uint8Array)) throw new ModelFileError(`${location}: the stored value is not a model file's bytes`);
    return value;
  }
  const text = storage(location).getItem(LOCAL_PREFIX + name);
  if (text === null) throw new ModelFileError(`${location}: no such model in localStorage`);
  return fromBase64(text, location);
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new ModelFileError(`${url}: cannot fetch (${(e as Error).message})`, { cause: e });
  }
  if (!response.ok) throw new ModelFileError(`${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  return new Uint8Array(await response.arrayBuffer());
}
