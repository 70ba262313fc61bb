/**
 * Starts a module worker from a script URL. A worker script must be same-origin; one served from
 * elsewhere (a CDN, `assetBaseUrl`) is started through a same-origin blob that imports it, so its
 * own `import.meta.url` stays the real one.
 */
export function startModuleWorker(url: string, name: string): Worker {
  const here = globalThis.location?.origin;
  if (!here || new URL(url, globalThis.location.href).origin === here) return new Worker(url, { type: 'module', name });
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url)};`], { type: 'text/javascript' }));
  try {
    return new Worker(shim, { type: 'module', name });
  } finally {
    // The worker has fetched the blob by the time its script runs; the URL itself is no longer needed.
    setTimeout(() => URL.revokeObjectURL(shim), 10_000);
  }
}
