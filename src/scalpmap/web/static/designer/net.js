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
