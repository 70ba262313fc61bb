/** Bench pages are bundled into dist/bench/: they point the tracker at the package's own files, served from the repository root. */
export const PACKAGE_ASSETS = { assetBaseUrl: '/' } as const;
