// Paced HTTP load from its own process (the service under test keeps its event loop to itself):
//   node paced-load.mjs <url> <requests per second> <seconds> <json body>
// Prints one JSON line: every answer's status and the modelVersion it carried, and the rate reached.
const [url, rateArg, secondsArg, body] = process.argv.slice(2);
const rate = Number(rateArg);
const seconds = Number(secondsArg);
const answers = [];
const inFlight = [];
const started = performance.now();
let sent = 0;
// Every 10 ms, as many requests as the schedule says are due: the rate holds even if a tick is late.
await new Promise((resolve) => {
  const timer = setInterval(() => {
    const elapsed = (performance.now() - started) / 1000;
    const due = Math.min(rate * seconds, Math.floor(elapsed * rate));
    for (; sent < due; sent++)
      inFlight.push(
        fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
          .then(async (r) => answers.push([r.status, (await r.json()).modelVersion ?? null]))
          .catch((e) => answers.push([0, String(e)])),
      );
    if (sent >= rate * seconds) {
      clearInterval(timer);
      resolve();
    }
  }, 10);
});
await Promise.all(inFlight);
const elapsed = (performance.now() - started) / 1000;
console.log(JSON.stringify({ answers, rate: answers.length / elapsed }));
