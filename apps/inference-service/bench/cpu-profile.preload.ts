// Loaded into a service with `--require` (bench:inference --profile): profiles its main thread from
// start to exit and writes the V8 CPU profile to PULSE_BENCH_PROFILE_DIR (NODE_OPTIONS may not carry --cpu-prof).
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.PULSE_BENCH_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 200 });
  session.post('Profiler.start');
  let written = false;
  // The in-process session answers synchronously: the profile is on disk before the process is gone.
  const write = () => {
    if (written) return;
    written = true;
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      const name = `${process.env.PULSE_BENCH_PROFILE_NAME ?? 'service'}-${process.pid}.cpuprofile`;
      fs.writeFileSync(path.join(dir, name), JSON.stringify(result.profile));
    });
  };
  process.on('exit', write);
  // Nest's shutdown hook closes the app on SIGTERM, then raises the signal again with no listener
  // left: this one writes the profile and steps aside, so that the process still ends.
  const onSigterm = () => {
    write();
    process.removeListener('SIGTERM', onSigterm);
  };
  process.prependListener('SIGTERM', onSigterm);
}
