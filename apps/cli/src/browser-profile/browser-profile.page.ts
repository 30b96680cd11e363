/**
 * The page `nasx latency profile --browser` serves at `/<code>`. Its script is plain ES2017 (old
 * phones' browsers run it as is): it opens the server's event stream, receives the job, runs the
 * bundled profiler (`globalThis.nasxProfiler`, see @nasx/tensor's `browser-entry.ts`), shows and
 * posts progress after each operator, and posts the rows with the backend and user agent.
 * A failure in the page (no backend, an op the backend lacks) is posted too, so the command
 * ends with the browser's reason instead of waiting for its timeout.
 */
export function browserProfilePage(code: string): string {
  const base = `/${code}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>nasx latency profile</title>
<style>
  body { font: 16px/1.4 system-ui, sans-serif; margin: 1.5rem; max-width: 40rem; color: #222; }
  h1 { font-size: 1.3rem; }
  progress { width: 100%; height: 1.2rem; }
  #op { font: 13px ui-monospace, monospace; word-break: break-all; color: #555; min-height: 2.6em; }
  .done { color: #0a6b2d; font-weight: 600; }
  .error { color: #b00020; font-weight: 600; }
</style>
</head>
<body>
<h1>nasx latency profile</h1>
<p id="status">Loading the profiler…</p>
<progress id="bar" value="0" max="1"></progress>
<p id="op"></p>
<p id="backend"></p>
<p><small>Keep this page open and in front (screen on) until it says the table was written.</small></p>
<script src="${base}/nasx-profiler.js"></script>
<script>
(function () {
  var base = ${JSON.stringify(base)};
  var session = Math.random().toString(36).slice(2) + Date.now().toString(36);
  var $ = function (id) { return document.getElementById(id); };
  function say(text, cls) { var s = $('status'); s.textContent = text; s.className = cls || ''; }
  function post(route, body) {
    return fetch(base + '/' + route + '?session=' + session, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body)
    });
  }
  var events = new EventSource(base + '/events?session=' + session);
  var started = false;
  events.addEventListener('busy', function () {
    events.close();
    say('Another page is already profiling for this nasx command; close this one.', 'error');
  });
  events.addEventListener('end', function (ev) {
    events.close();
    say('nasx stopped: ' + JSON.parse(ev.data).message, 'error');
  });
  events.addEventListener('job', function (ev) {
    if (started) return;
    started = true;
    var job = JSON.parse(ev.data);
    if (!window.nasxProfiler) {
      say('This browser could not load the profiler script.', 'error');
      post('failed', { message: 'the profiler script did not load (' + navigator.userAgent + ')' });
      events.close();
      return;
    }
    say('Profiling on ' + job.backend + '…');
    // Progress messages still on their way; the result waits for them, so none arrives after it.
    var sent = Promise.resolve();
    var onProgress = function (p) {
      $('bar').max = p.total; $('bar').value = p.done;
      $('op').textContent = p.done + ' / ' + p.total + '  ' + p.key + '  ' + p.ms.toFixed(3) + ' ms';
      sent = Promise.all([sent, post('progress', p).catch(function () {})]);
    };
    window.nasxProfiler.run(job, base + '/wasm/', onProgress).then(function (r) {
      $('backend').textContent = r.description + (r.fallbacks.length ? ' (instead of ' + job.backend + ': ' + r.fallbacks.map(function (f) { return f.backend + ': ' + f.reason; }).join('; ') + ')' : '');
      say('Sending the table…');
      return sent.then(function () { return post('result', { rows: r.rows, backend: r.backend, description: r.description, fallbacks: r.fallbacks, timerResolutionMs: r.timerResolutionMs, userAgent: navigator.userAgent }); });
    }).then(function (res) {
      events.close();
      if (res.ok) say('Done: nasx wrote the table. You can close this page.', 'done');
      else return res.text().then(function (t) { say('nasx refused the result: ' + t, 'error'); });
    }).catch(function (e) {
      var message = (e && e.message) || String(e);
      say('Profiling failed: ' + message, 'error');
      post('failed', { message: message }).then(function () { events.close(); }, function () { events.close(); });
    });
  });
})();
</script>
</body>
</html>
`;
}
