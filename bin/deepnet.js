#!/usr/bin/env node
// The bundled CLI (scripts/bundle-cli.mjs: fewer files, a quicker start), else the compiled modules.
const { main } = await import('../dist/bundle/deepnet.js').catch((e) => {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !/dist[\\/]bundle[\\/]deepnet\.js/.test(String(e.message))) throw e;
  return import('../dist/cli/main.js');
});

// `deepnet ... | head` closes the pipe early: that is the reader's choice, not an error. Any other
// failure to write the results (a full disk, a closed terminal) is one line and exit 1.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  try {
    process.stderr.write(`deepnet: error: stdout: cannot write the results: ${e.message.split('\n')[0]}\n`);
  } finally {
    process.exit(1);
  }
});

process.exitCode = await main(process.argv);
