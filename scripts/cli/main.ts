/**
 * `npx pixel3dmm-web <command>`: the command-line entry. Each command lives in its own module
 * and is loaded only when asked for.
 */
const COMMANDS: Record<string, { summary: string; run: () => Promise<(argv: string[]) => Promise<void>> }> = {
  track: {
    summary: 'track <video> --out <dir> [--video]   track the face in a video file; writes frames.jsonl, arkit.csv, overlay.png, the take (json, csv, glb) and with --video overlay.mp4',
    run: async () => (await import('./track.js')).trackCommand,
  },
  'import-flame': {
    summary: 'import-flame <model.pkl> --uv <head_template.obj> -o <flame.glb>   convert your FLAME model to a face-model .glb',
    run: async () => (await import('./importFlame.js')).importFlameCommand,
  },
  'import-pixel3dmm': {
    summary: "import-pixel3dmm <uv.ckpt> <normals.ckpt> -o <dir>   convert Pixel3DMM's networks to ONNX priors (uv.onnx, normals.onnx)",
    run: async () => (await import('./importPixel3dmm.js')).importPixel3dmmCommand,
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    const usage = Object.values(COMMANDS).map((c) => `  npx pixel3dmm-web ${c.summary}`).join('\n');
    const help = name === '--help' || name === '-h' || name === 'help';
    (help ? console.log : console.error)(`${name && !help ? `Unknown command "${name}".\n` : ''}Usage:\n${usage}`);
    return help ? 0 : 2;
  }
  try {
    await (await command.run())(rest);
    return 0;
  } catch (error) {
    const e = error as Error & { code?: string };
    console.error(`pixel3dmm-web ${name}: ${e.code ? `[${e.code}] ` : ''}${e.message}`);
    if (process.env.DEBUG) console.error(e.stack);
    return 1;
  }
}
