// scalpmap designer: requests to the server. Each answer that is still wanted is handled; a
// channel sends at most one request at a time, always the newest body, at most every `wait` ms.

function csrfToken() {
  return window.scalpmapCsrfToken ? window.scalpmapCsrfToken() : "";
}

/** POST a JSON body; resolve with the JSON answer, reject with the server's one-line detail. */
export function post(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "X-CSRF-Token": csrfToken()
    },
    body: JSON.stringify(body)
  }).then((response) => response.json().catch(() => ({})).then((data) => {
    if (!response.ok) {
      throw new Error(data.detail || "the server answered " + response.status);
    }
    return data;
  }));
}

/** GET a JSON answer; reject with the server's one-line detail. */
export function getJson(url) {
  return fetch(url, {
    credentials: "same-origin",
    headers: { "Accept": "application/json" }
  }).then((response) => response.json().catch(() => ({})).then((data) => {
    if (!response.ok) {
      throw new Error(data.detail || "the server answered " + response.status);
    }
    return data;
  }));
}

/**
 * Poll a job (GET /api/jobs/{id}) every second until it is done or failed.
 * progress(job) is called after each answer; resolves with the done job, rejects with the
 * failed job's one-line reason. Ten failed polls in a row give up.
 */
export function pollJob(job, progress) {
  return new Promise((resolve, reject) => {
    let failures = 0;
    function look(current) {
      progress(current);
      if (current.status === "done") {
        resolve(current);
      } else if (current.status === "failed") {
        reject(new Error(current.error || "the job failed"));
      } else {
        setTimeout(tick, 1000);
      }
    }
    function tick() {
      getJson(job.status_url).then((current) => {
        failures = 0;
        look(current);
      }).catch((error) => {
        failures += 1;
        if (failures >= 10) {
          reject(new Error("the save's progress is unavailable (" + error.message + "); reload the page"));
        } else {
          setTimeout(tick, 2000);
        }
      });
    }
    look(job);
  });
}

/**
 * A throttled request channel.
 *
 * options.send(body) returns a promise; options.result(data) and options.error(error) are called
 * only for the newest request that was not cancelled; options.changed() whenever `busy` may
 * have changed.
 */
export function channel(options) {
  let timer = null;
  let inFlight = false;
  let next = null;
  let last = 0;
  let generation = 0;

  function fire() {
    timer = null;
    if (inFlight || next === null) {
      return;
    }
    const body = next();
    next = null;
    inFlight = true;
    last = Date.now();
    const mine = generation;
    options.changed();
    options.send(body).then(
      (data) => { if (mine === generation) { options.result(data); } },
      (error) => { if (mine === generation) { options.error(error); } }
    ).then(() => {
      inFlight = false;
      if (next !== null) {
        schedule(false);
      }
      options.changed();
    });
  }

  function schedule(now) {
    if (!inFlight) {
      clearTimeout(timer);
      timer = setTimeout(fire, now ? 0 : Math.max(0, options.wait - (Date.now() - last)));
    }
    options.changed();
  }

  return {
    /** Send makeBody() soon (now: without waiting for the throttle). */
    push(makeBody, now) {
      next = makeBody;
      schedule(now);
    },
    /** Drop what is waiting, and ignore the answer of what is in flight. */
    cancel() {
      generation += 1;
      next = null;
      clearTimeout(timer);
      timer = null;
      options.changed();
    },
    get busy() {
      return inFlight || next !== null;
    }
  };
}
