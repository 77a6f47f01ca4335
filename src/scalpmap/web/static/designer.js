// scalpmap: the hairline designer (no framework, no build step).
// The photo is drawn in an SVG whose viewBox is the photo's size, so every coordinate here is a
// photo pixel (x right, y down). The zones come from the server: POST /api/designs/{id}/update
// with the edited hairline at most every 100 ms while a point moves, and once when it is let go.
// Facial landmarks (glabella, the outer eye corners) come with the state when the photo shows a
// face; the guide lines of the published rules are drawn from them (8 cm above the glabella,
// across the face; the verticals through the outer eye corners), with the same geometry as
// scalpmap.planning.face_landmarks.guide_lines. A landmark can be dragged: it is then "given",
// the mature template is derived again from it, and saving sends it with the plan.
"use strict";

(function () {
  var root = document.getElementById("designer");
  if (!root) {
    return;
  }
  var SVGNS = "http://www.w3.org/2000/svg";
  var SEGMENTS = ["side_left", "temporal_left", "frontal", "temporal_right", "side_right"];
  var THROTTLE_MS = 100;
  var HANDLE_RADIUS_PX = 7;
  var LANDMARKS = ["glabella", "left_canthus", "right_canthus"];
  var LANDMARK_NAMES = {
    glabella: "Glabella",
    left_canthus: "Outer eye corner, photo's left",
    right_canthus: "Outer eye corner, photo's right"
  };
  var MIDFRONTAL_MM = 80;
  var LANDMARK_SIZE_PX = 6;
  var LANDMARK_WAIT_MS = 250;

  var svg = document.getElementById("design-svg");
  var stage = document.getElementById("stage");
  var zonesLayer = document.getElementById("zones-layer");
  var linesLayer = document.getElementById("lines-layer");
  var handlesLayer = document.getElementById("handles-layer");
  var guidesLayer = document.getElementById("guides-layer");
  var landmarksLayer = document.getElementById("landmarks-layer");
  var landmarkNote = document.getElementById("landmark-note");
  var landmarkSources = document.getElementById("landmark-sources");
  var resetLandmarks = document.getElementById("reset-landmarks");
  var statusBox = document.getElementById("design-status");
  var errorBox = document.getElementById("design-error");
  var ageInput = document.getElementById("age");
  var saveForm = document.getElementById("save-form");
  var saveButton = document.getElementById("save-plan");
  var templateButtons = root.querySelectorAll("button[data-template]");

  var state = JSON.parse(document.getElementById("design-state").textContent);
  var template = root.dataset.template;
  var hairline = null;
  var handles = [];
  var edited = state.template === "custom";
  var generation = 0;
  var inFlight = false;
  var dirty = false;
  var lastSent = 0;
  var timer = null;
  var dragging = null;
  var saving = false;
  var starting = false;
  var marks = [];
  var given = {};
  var landmarkTimer = null;
  var landmarkPending = false;

  function csrfToken() {
    return window.scalpmapCsrfToken ? window.scalpmapCsrfToken() : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrfToken()
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          throw new Error(data.detail || "the server answered " + response.status);
        }
        return data;
      });
    });
  }

  function setStatus(kind, text) {
    statusBox.className = "design-status " + (kind || "");
    statusBox.textContent = text;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
    if (message) {
      setStatus("error", "Not updated");
    }
  }

  function el(name, attrs) {
    var node = document.createElementNS(SVGNS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  function unitsPerPixel() {
    var matrix = svg.getScreenCTM();
    return matrix && matrix.a > 0 ? 1 / matrix.a : 1;
  }

  // Points off the photo stay reachable: the stage grows a margin (the SVG overflows its
  // viewBox, which stays the photo's size) of up to MAX_MARGIN of the photo on each side.
  var MAX_MARGIN = 0.3;
  function fitStage() {
    var W = state.photo.width;
    var H = state.photo.height;
    var xs = handles.map(function (h) { return h.x; });
    var ys = handles.map(function (h) { return h.y; });
    var units = {
      top: Math.min(-Math.min.apply(null, ys.concat([0])), MAX_MARGIN * H),
      right: Math.min(Math.max.apply(null, xs.concat([W])) - W, MAX_MARGIN * W),
      bottom: Math.min(Math.max.apply(null, ys.concat([H])) - H, MAX_MARGIN * H),
      left: Math.min(-Math.min.apply(null, xs.concat([0])), MAX_MARGIN * W)
    };
    var scale = stage.clientWidth / (W + units.left + units.right);
    ["top", "right", "bottom", "left"].forEach(function (side) {
      stage.style["padding" + side.charAt(0).toUpperCase() + side.slice(1)] =
        Math.round(units[side] * scale + 12) + "px";
    });
    stage.classList.toggle("has-margin", units.top + units.right + units.bottom + units.left > 0);
    sizeHandles();
  }

  function setSync() {
    root.dataset.sync = dirty || inFlight || starting || landmarkPending ? "busy" : "idle";
  }

  // ---- drawing -------------------------------------------------------------------------

  function ringPath(ring) {
    return ring.map(function (p, i) {
      return (i === 0 ? "M" : "L") + p[0].toFixed(1) + " " + p[1].toFixed(1);
    }).join(" ") + " Z";
  }

  function drawZones() {
    zonesLayer.textContent = "";
    ["keep", "touch_up", "removal"].forEach(function (name) {
      var zone = state.zones[name];
      if (!zone || !zone.polygons.length) {
        return;
      }
      var d = zone.polygons.map(function (polygon) {
        return polygon.map(ringPath).join(" ");
      }).join(" ");
      zonesLayer.appendChild(el("path", {
        d: d, "class": "zone zone-" + name, "fill-rule": "evenodd", "data-zone": name
      }));
    });
  }

  function smoothPath(points) {
    // A Catmull-Rom curve through every control point, as cubic Bezier pieces.
    if (points.length < 2) {
      return "";
    }
    var d = "M" + points[0][0].toFixed(1) + " " + points[0][1].toFixed(1);
    for (var i = 0; i < points.length - 1; i += 1) {
      var p0 = points[Math.max(i - 1, 0)];
      var p1 = points[i];
      var p2 = points[i + 1];
      var p3 = points[Math.min(i + 2, points.length - 1)];
      var c1 = [p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6];
      var c2 = [p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6];
      d += " C" + [c1[0], c1[1], c2[0], c2[1], p2[0], p2[1]].map(function (v) {
        return v.toFixed(1);
      }).join(" ");
    }
    return d;
  }

  function drawLines() {
    linesLayer.textContent = "";
    var current = state.current_hairline.map(function (p) { return p.join(","); }).join(" ");
    if (current) {
      linesLayer.appendChild(el("polyline", { points: current, "class": "line line-halo" }));
      linesLayer.appendChild(el("polyline", {
        points: current, "class": "line line-current", "data-line": "current"
      }));
    }
    var d = smoothPath(handles.map(function (h) { return [h.x, h.y]; }));
    if (d) {
      linesLayer.appendChild(el("path", { d: d, "class": "line line-halo" }));
      linesLayer.appendChild(el("path", { d: d, "class": "line line-target", "data-line": "target" }));
    }
  }

  function isOutside(h) {
    return h.x < 0 || h.y < 0 || h.x > state.photo.width || h.y > state.photo.height;
  }

  function placeHandle(h) {
    h.node.setAttribute("cx", h.x.toFixed(1));
    h.node.setAttribute("cy", h.y.toFixed(1));
    h.node.classList.toggle("outside", isOutside(h));
  }

  function sizeHandles() {
    var upp = unitsPerPixel();
    handles.forEach(function (h) {
      h.node.setAttribute("r", (HANDLE_RADIUS_PX * upp).toFixed(2));
      h.node.setAttribute("stroke-width", (2 * upp).toFixed(2));
    });
    sizeLandmarks(upp);
  }

  function buildHandles() {
    handlesLayer.textContent = "";
    handles = [];
    if (!hairline) {
      fitStage();
      return;
    }
    SEGMENTS.forEach(function (name) {
      var segment = hairline.segments[name];
      var points = segment ? (segment.points_px || segment) : [];
      points.forEach(function (p, index) {
        var last = handles[handles.length - 1];
        if (last && Math.abs(last.x - p[0]) < 0.01 && Math.abs(last.y - p[1]) < 0.01) {
          last.refs.push([name, index]);
          return;
        }
        handles.push({ x: p[0], y: p[1], refs: [[name, index]], node: null });
      });
    });
    handles.forEach(function (h, i) {
      h.node = el("circle", {
        "class": "handle", tabindex: "0", role: "slider", "data-handle": String(i),
        "aria-label": "Control point " + (i + 1) + " of " + handles.length + " (" + h.refs[0][0] + ")"
      });
      placeHandle(h);
      h.node.addEventListener("pointerdown", function (event) { startDrag(event, h); });
      h.node.addEventListener("keydown", function (event) { nudge(event, h); });
      handlesLayer.appendChild(h.node);
    });
    fitStage();
  }

  function setFigure(id, text) {
    var node = document.getElementById(id);
    if (node && node.textContent !== text) {
      node.textContent = text;
      node.classList.remove("changed");
      void node.offsetWidth;
      node.classList.add("changed");
    }
  }

  function showFigures() {
    var z = state.zones;
    setFigure("removal-area", z.removal.area_cm2.toFixed(2));
    // Counts and the desired density as the saved plan writes them ("not measured" on a
    // whole-head photo, where single impressions are not resolved).
    var f = state.figures || {};
    setFigure("removal-impressions", f.removal_impressions ? f.removal_impressions.text : String(z.removal.impressions));
    setFigure("touch-area", z.touch_up.area_cm2.toFixed(2));
    setFigure("impressions-to-add", f.impressions_to_add ? f.impressions_to_add.text : String(z.touch_up.impressions_to_add));
    if (f.desired_density_per_cm2) {
      setFigure("desired-density", f.desired_density_per_cm2.text);
    }
    setFigure("keep-area", z.keep.area_cm2.toFixed(2));
    var notes = document.getElementById("design-notes");
    notes.textContent = "";
    state.notes.forEach(function (note) {
      var li = document.createElement("li");
      li.textContent = note;
      notes.appendChild(li);
    });
  }

  function outsideNote() {
    var count = handles.filter(isOutside).length;
    return count ? " · " + count + " point" + (count === 1 ? "" : "s") + " off the photo" : "";
  }

  function markTemplate() {
    Array.prototype.forEach.call(templateButtons, function (button) {
      var on = button.dataset.template === template;
      button.classList.toggle("active", on);
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function render(full) {
    if (full) {
      hairline = state.hairline ? JSON.parse(JSON.stringify(state.hairline)) : null;
      buildHandles();
      buildLandmarks();
    }
    drawZones();
    drawLines();
    showFigures();
    markTemplate();
  }

  // ---- facial landmarks and the rules' guide lines --------------------------------------

  function round2(v) {
    return Math.round(v * 100) / 100;
  }

  function landmarkPoints() {
    var points = {};
    marks.forEach(function (m) { points[m.name] = [m.x, m.y]; });
    return points;
  }

  function guideGeometry(points) {
    // As scalpmap.planning.face_landmarks.guide_lines: "up" is across the eye line, towards the
    // glabella; the mid-frontal point MIDFRONTAL_MM above the glabella.
    var g = points.glabella;
    var l = points.left_canthus;
    var r = points.right_canthus;
    var length = Math.hypot(r[0] - l[0], r[1] - l[1]) || 1e-12;
    var lateral = [(r[0] - l[0]) / length, (r[1] - l[1]) / length];
    var up = [lateral[1], -lateral[0]];
    var toward = [g[0] - (l[0] + r[0]) / 2, g[1] - (l[1] + r[1]) / 2];
    if (Math.hypot(toward[0], toward[1]) >= 1 && up[0] * toward[0] + up[1] * toward[1] < 0) {
      up = [-up[0], -up[1]];
    }
    var across = [-up[1], up[0]];
    var reach = 2 * Math.hypot(state.photo.width, state.photo.height);
    var height = MIDFRONTAL_MM / state.mm_per_px;
    var top = [g[0] + up[0] * height, g[1] + up[1] * height];
    function along(p, v, k) { return [p[0] + v[0] * k, p[1] + v[1] * k]; }
    return {
      top: top,
      up: up,
      lines: {
        midline: [g, top],
        midfrontal: [along(top, across, -reach), along(top, across, reach)],
        left_vertical: [l, along(l, up, reach)],
        right_vertical: [r, along(r, up, reach)]
      }
    };
  }

  function drawGuides() {
    guidesLayer.textContent = "";
    if (marks.length !== LANDMARKS.length) {
      return;
    }
    var guide = guideGeometry(landmarkPoints());
    Object.keys(guide.lines).forEach(function (name) {
      var line = guide.lines[name];
      var d = "M" + line[0][0].toFixed(1) + " " + line[0][1].toFixed(1) +
        " L" + line[1][0].toFixed(1) + " " + line[1][1].toFixed(1);
      guidesLayer.appendChild(el("path", { d: d, "class": "guide-halo" }));
      guidesLayer.appendChild(el("path", {
        d: d, "class": "guide guide-" + name.replace("_", "-"), "data-guide": name
      }));
    });
    // The label sits on the mid-frontal line near the photo's left edge (usually background,
    // clear of the hairlines); beside the midline when the line runs steeply.
    var upp = unitsPerPixel();
    var g = guide.lines.midline[0];
    var at = [(g[0] + guide.top[0]) / 2 + 8 * upp, (g[1] + guide.top[1]) / 2];
    var across = [-guide.up[1], guide.up[0]];
    if (Math.abs(across[0]) > 0.5) {
      var t = (12 * upp - guide.top[0]) / across[0];
      at = [12 * upp, guide.top[1] + across[1] * t - 7 * upp];
    }
    var label = el("text", {
      x: at[0].toFixed(1),
      y: at[1].toFixed(1),
      "class": "guide-label",
      "data-guide": "label",
      "font-size": (13 * upp).toFixed(2)
    });
    label.textContent = MIDFRONTAL_MM / 10 + " cm above the glabella";
    guidesLayer.appendChild(label);
  }

  function landmarkLabel(m) {
    var source = (state.landmarks && state.landmarks.sources[m.name]) || "detected";
    return LANDMARK_NAMES[m.name] + " (" + source + ")";
  }

  function placeLandmark(m) {
    m.node.setAttribute("transform", "translate(" + m.x.toFixed(1) + " " + m.y.toFixed(1) + ")");
  }

  function sizeLandmarks(upp) {
    var size = LANDMARK_SIZE_PX * upp;
    marks.forEach(function (m) {
      m.hit.setAttribute("r", (2.2 * size).toFixed(2));
      m.dot.setAttribute("x", (-size).toFixed(2));
      m.dot.setAttribute("y", (-size).toFixed(2));
      m.dot.setAttribute("width", (2 * size).toFixed(2));
      m.dot.setAttribute("height", (2 * size).toFixed(2));
      m.dot.setAttribute("stroke-width", (1.5 * upp).toFixed(2));
    });
    var label = guidesLayer.querySelector("text.guide-label");
    if (label) {
      label.setAttribute("font-size", (13 * upp).toFixed(2));
    }
  }

  function showLandmarkNote() {
    if (!state.landmarks) {
      landmarkNote.hidden = true;
      return;
    }
    landmarkNote.hidden = false;
    landmarkSources.textContent = LANDMARKS.map(function (name) {
      var words = name.replace("_", " ");
      return words.charAt(0).toUpperCase() + words.slice(1) + ": " + state.landmarks.sources[name];
    }).join(" · ");
    resetLandmarks.hidden = Object.keys(given).length === 0;
    Array.prototype.forEach.call(root.querySelectorAll(".landmark-legend"), function (node) {
      node.hidden = false;
    });
  }

  function buildLandmarks() {
    landmarksLayer.textContent = "";
    marks = [];
    given = {};
    var landmarks = state.landmarks;
    if (!landmarks) {
      guidesLayer.textContent = "";
      showLandmarkNote();
      return;
    }
    LANDMARKS.forEach(function (name) {
      if (landmarks.sources[name] === "given") {
        given[name] = landmarks[name].slice();
      }
      var m = { name: name, x: landmarks[name][0], y: landmarks[name][1] };
      m.node = el("g", {
        "class": "landmark" + (landmarks.sources[name] === "given" ? " given" : ""),
        tabindex: "0", role: "slider", "data-landmark": name
      });
      m.hit = el("circle", { "class": "landmark-hit", cx: "0", cy: "0" });
      m.dot = el("rect", { "class": "landmark-dot", transform: "rotate(45)" });
      m.node.appendChild(m.hit);
      m.node.appendChild(m.dot);
      m.node.setAttribute("aria-label", landmarkLabel(m));
      placeLandmark(m);
      m.node.addEventListener("pointerdown", function (event) { startLandmarkDrag(event, m); });
      m.node.addEventListener("keydown", function (event) { nudgeLandmark(event, m); });
      landmarksLayer.appendChild(m.node);
      marks.push(m);
    });
    sizeLandmarks(unitsPerPixel());
    drawGuides();
    showLandmarkNote();
  }

  function moveLandmark(m, x, y) {
    m.x = x;
    m.y = y;
    placeLandmark(m);
    drawGuides();
  }

  function landmarkMoved(m, wait) {
    given[m.name] = [round2(m.x), round2(m.y)];
    state.landmarks[m.name] = given[m.name].slice();
    state.landmarks.sources[m.name] = "given";
    m.node.classList.add("given");
    m.node.setAttribute("aria-label", landmarkLabel(m));
    showLandmarkNote();
    landmarkPending = true;
    setSync();
    clearTimeout(landmarkTimer);
    landmarkTimer = setTimeout(landmarkSettled, wait);
  }

  function landmarkSettled() {
    landmarkPending = false;
    if (template === "mature" || !edited) {
      // The template follows the landmarks: mature places its line by them; the others report
      // the height above the glabella.
      startTemplate(template);
    } else {
      setSync();
      setStatus("", "Landmark moved · the edited line is kept" + outsideNote());
    }
  }

  function startLandmarkDrag(event, m) {
    if (saving || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    var at = toPhoto(event);
    dragging = { landmark: m, dx: m.x - at.x, dy: m.y - at.y, pointer: event.pointerId };
    m.node.setPointerCapture(event.pointerId);
    m.node.classList.add("dragging");
  }

  function nudgeLandmark(event, m) {
    var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    var step = keys[event.key];
    if (!step || saving) {
      return;
    }
    event.preventDefault();
    var px = (event.shiftKey ? 5 : 0.5) / state.mm_per_px;
    moveLandmark(m, m.x + step[0] * px, m.y + step[1] * px);
    landmarkMoved(m, 2 * LANDMARK_WAIT_MS);
  }

  resetLandmarks.addEventListener("click", function () {
    given = {};
    startTemplate(template);
  });

  function givenLandmarks() {
    return Object.keys(given).length ? given : null;
  }

  // ---- live updates --------------------------------------------------------------------

  function scheduleUpdate(now) {
    dirty = true;
    edited = true;
    setSync();
    if (inFlight) {
      return;
    }
    clearTimeout(timer);
    var wait = now ? 0 : Math.max(0, THROTTLE_MS - (Date.now() - lastSent));
    timer = setTimeout(sendUpdate, wait);
  }

  function sendUpdate() {
    if (!dirty || inFlight || !hairline) {
      return;
    }
    dirty = false;
    inFlight = true;
    lastSent = Date.now();
    var mine = generation;
    setStatus("busy", "Updating…");
    post(root.dataset.updateUrl, hairline).then(function (data) {
      if (mine !== generation) {
        return;
      }
      state.zones = data.zones;
      state.notes = data.notes;
      state.desired_density_per_cm2 = data.desired_density_per_cm2;
      state.figures = data.figures;
      drawZones();
      showFigures();
      showError("");
      setStatus("", "Edited · zones updated" + outsideNote());
    }).catch(function (error) {
      if (mine === generation) {
        showError(error.message);
      }
    }).then(function () {
      inFlight = false;
      setSync();
      if (dirty) {
        scheduleUpdate(false);
      }
    });
  }

  function moveHandle(h, x, y) {
    h.x = x;
    h.y = y;
    var mm = state.mm_per_px;
    h.refs.forEach(function (ref) {
      var segment = hairline.segments[ref[0]];
      segment.points_px[ref[1]] = [Math.round(x * 100) / 100, Math.round(y * 100) / 100];
      if (segment.points_mm) {
        segment.points_mm[ref[1]] = [Math.round(x * mm * 1000) / 1000, Math.round(y * mm * 1000) / 1000];
      }
    });
    placeHandle(h);
    drawLines();
  }

  function toPhoto(event) {
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(svg.getScreenCTM().inverse());
  }

  function startDrag(event, h) {
    if (saving || (event.pointerType === "mouse" && event.button !== 0)) {
      return;
    }
    event.preventDefault();
    var at = toPhoto(event);
    dragging = { handle: h, dx: h.x - at.x, dy: h.y - at.y, pointer: event.pointerId };
    h.node.setPointerCapture(event.pointerId);
    h.node.classList.add("dragging");
  }

  svg.addEventListener("pointermove", function (event) {
    if (!dragging || event.pointerId !== dragging.pointer) {
      return;
    }
    var at = toPhoto(event);
    if (dragging.landmark) {
      moveLandmark(dragging.landmark, at.x + dragging.dx, at.y + dragging.dy);
      return;
    }
    moveHandle(dragging.handle, at.x + dragging.dx, at.y + dragging.dy);
    scheduleUpdate(false);
  });

  function endDrag(event) {
    if (!dragging || event.pointerId !== dragging.pointer) {
      return;
    }
    if (dragging.landmark) {
      var m = dragging.landmark;
      m.node.classList.remove("dragging");
      dragging = null;
      landmarkMoved(m, 0);
      return;
    }
    dragging.handle.node.classList.remove("dragging");
    dragging = null;
    scheduleUpdate(true);
    fitStage();
  }

  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);

  function nudge(event, h) {
    var keys = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    var step = keys[event.key];
    if (!step || saving) {
      return;
    }
    event.preventDefault();
    var px = (event.shiftKey ? 5 : 0.5) / state.mm_per_px;
    moveHandle(h, h.x + step[0] * px, h.y + step[1] * px);
    scheduleUpdate(false);
  }

  // ---- templates -----------------------------------------------------------------------

  function readAge() {
    var value = parseInt(ageInput.value, 10);
    return isNaN(value) ? null : value;
  }

  function startTemplate(name) {
    generation += 1;
    var mine = generation;
    dirty = false;
    clearTimeout(timer);
    setStatus("busy", "Starting " + name + "…");
    var body = {
      analysis_id: state.analysis_id, template: name, age: readAge(), landmarks: givenLandmarks()
    };
    starting = true;
    setSync();
    post(root.dataset.startUrl, body).then(function (data) {
      if (mine !== generation) {
        return;
      }
      state = data;
      template = name;
      edited = false;
      render(true);
      showError("");
      setStatus("", "Template: " + name + outsideNote());
    }).catch(function (error) {
      if (mine === generation) {
        showError(error.message);
      }
    }).then(function () {
      if (mine === generation) {
        starting = false;
        setSync();
      }
    });
  }

  Array.prototype.forEach.call(templateButtons, function (button) {
    button.addEventListener("click", function () { startTemplate(button.dataset.template); });
  });
  document.getElementById("reset-points").addEventListener("click", function () {
    startTemplate(template);
  });
  ageInput.addEventListener("change", function () {
    if (template === "mature") {
      startTemplate("mature");
    }
  });

  // ---- saving --------------------------------------------------------------------------

  function formValue(name) {
    var field = saveForm.elements.namedItem(name);
    return field && field.value ? field.value : null;
  }

  function setBusy(busy) {
    saving = busy;
    saveButton.disabled = busy;
    Array.prototype.forEach.call(templateButtons, function (b) { b.disabled = busy; });
    document.getElementById("save-progress").hidden = !busy;
  }

  saveForm.addEventListener("submit", function (event) {
    event.preventDefault();
    if (saving) {
      return;
    }
    var skin = formValue("skin_type");
    var body = {
      analysis_id: state.analysis_id,
      template: template,
      age: readAge(),
      hairline: edited && template !== "remove-all" ? hairline : null,
      landmarks: givenLandmarks(),
      note: formValue("note"),
      start_date: formValue("start_date"),
      skin_type: skin ? parseInt(skin, 10) : null,
      scarring: formValue("scarring"),
      layering: formValue("layering"),
      picosecond: saveForm.elements.namedItem("picosecond").checked,
      second_touch_up: saveForm.elements.namedItem("second_touch_up").checked
    };
    var text = document.getElementById("save-text");
    var started = Date.now();
    var ticker = setInterval(function () {
      var seconds = Math.round((Date.now() - started) / 1000);
      text.textContent = "Making the simulation, pictures and reports… " + seconds + " s";
    }, 500);
    setBusy(true);
    showError("");
    post(root.dataset.saveUrl, body).then(function (data) {
      clearInterval(ticker);
      text.textContent = "Saved as version " + data.version + ". Opening the plan…";
      window.location.assign(data.url);
    }).catch(function (error) {
      clearInterval(ticker);
      setBusy(false);
      showError(error.message);
    });
  });

  window.addEventListener("resize", fitStage);
  render(true);
  saveButton.disabled = false;
  setStatus("", (edited ? "Edited" : "Template: " + template) + outsideNote());
  setSync();
  root.classList.add("ready");
})();
