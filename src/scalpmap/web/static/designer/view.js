// scalpmap designer: zoom and pan. The SVG's viewBox is the part of the photo in view; the
// element keeps its size, so nothing around it moves. Wheel and pinch zoom about the pointer,
// the buttons about the middle; dragging the photo (not a point) pans once zoomed in.

const MAX_ZOOM = 16;
const MIN_ZOOM = 0.5;
const STEP = 1.6;
const MARGIN = 0.3; // the fitted view reaches this share of the photo beyond it, for points off it

/** Radius of a point's touch target in screen pixels: 22 (44 across) on touch screens and phones. */
export function touchRadiusPx() {
  const touch = window.matchMedia &&
    window.matchMedia("(pointer: coarse), (max-width: 640px)").matches;
  return touch ? 22 : 12;
}

/** The least distance between two control points shown, in screen pixels. */
export function handleSpacingPx() {
  return Math.max(2 * touchRadiusPx() + 4, 34);
}

/**
 * The view of the photo. options.changed() after every change of the view; options.pinching()
 * when a second finger comes down (a drag under way is called off).
 */
export function createView(svg, photo, options) {
  let fit = { x: 0, y: 0, w: photo.width, h: photo.height };
  let box = Object.assign({}, fit);
  const pointers = new Map();
  let gesture = null;

  function zoom() {
    return fit.w / box.w;
  }

  function apply() {
    svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map((v) => v.toFixed(2)).join(" "));
    // Zoomed out, a finger on the photo scrolls the page; zoomed in, it pans the photo.
    svg.style.touchAction = zoom() > 1.001 ? "none" : "pan-y";
    svg.dataset.zoom = zoom().toFixed(3);
    options.changed();
  }

  function clamp() {
    // Keep some of the fitted view in sight.
    const w = box.w;
    const h = box.h;
    box.x = Math.min(Math.max(box.x, fit.x - w / 2), fit.x + fit.w - w / 2);
    box.y = Math.min(Math.max(box.y, fit.y - h / 2), fit.y + fit.h - h / 2);
  }

  /** Zoom to `level` (1: the fitted view) keeping the photo point `at` where it is. */
  function zoomTo(level, at) {
    const k = Math.min(Math.max(level, MIN_ZOOM), MAX_ZOOM);
    const w = fit.w / k;
    const h = fit.h / k;
    const p = at || { x: box.x + box.w / 2, y: box.y + box.h / 2 };
    box = { x: p.x - ((p.x - box.x) * w) / box.w, y: p.y - ((p.y - box.y) * h) / box.h, w, h };
    if (Math.abs(k - 1) < 1e-3) {
      box = Object.assign({}, fit);
    }
    clamp();
    apply();
  }

  /** Fit the photo, and the points just off it (at most MARGIN of the photo beyond). */
  function fitTo(points) {
    const W = photo.width;
    const H = photo.height;
    const xs = points.map((p) => p[0]).concat([0, W]);
    const ys = points.map((p) => p[1]).concat([0, H]);
    const x0 = Math.max(Math.min.apply(null, xs), -MARGIN * W);
    const x1 = Math.min(Math.max.apply(null, xs), (1 + MARGIN) * W);
    const y0 = Math.max(Math.min.apply(null, ys), -MARGIN * H);
    const y1 = Math.min(Math.max.apply(null, ys), (1 + MARGIN) * H);
    const pad = 0.02 * Math.max(W, H);
    fit = { x: x0 - pad, y: y0 - pad, w: x1 - x0 + 2 * pad, h: y1 - y0 + 2 * pad };
    svg.style.aspectRatio = (fit.w / fit.h).toFixed(5);
    box = Object.assign({}, fit);
    apply();
  }

  /** The photo point under a client (screen) point, in the view as it was at `matrix`. */
  function toPhoto(event, matrix) {
    const point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    return point.matrixTransform(matrix || svg.getScreenCTM().inverse());
  }

  /** Photo units per screen (CSS) pixel. */
  function unitsPerPixel() {
    const matrix = svg.getScreenCTM();
    return matrix && matrix.a > 0 ? 1 / matrix.a : 1;
  }

  svg.addEventListener("wheel", (event) => {
    event.preventDefault();
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
    zoomTo(zoom() * factor, toPhoto(event));
  }, { passive: false });

  function midpoint() {
    const list = Array.from(pointers.values());
    return {
      clientX: (list[0].clientX + list[1].clientX) / 2,
      clientY: (list[0].clientY + list[1].clientY) / 2,
      spread: Math.hypot(list[0].clientX - list[1].clientX, list[0].clientY - list[1].clientY)
    };
  }

  function startPinch() {
    const matrix = svg.getScreenCTM().inverse();
    const mid = midpoint();
    gesture = {
      kind: "pinch", matrix, start: Object.assign({}, box), at: toPhoto(mid, matrix),
      spread: mid.spread, level: zoom()
    };
  }

  // Every pointer, first (capture): a second finger makes a pinch, whatever the first one
  // touched; it never reaches a point or a landmark, and their drag is called off.
  svg.addEventListener("pointerdown", (event) => {
    if (event.pointerType === "mouse" && event.button !== 0) {
      return;
    }
    pointers.set(event.pointerId, { clientX: event.clientX, clientY: event.clientY });
    if (pointers.size >= 2) {
      event.stopPropagation();
      event.preventDefault();
      options.pinching();
      svg.setPointerCapture(event.pointerId);
      startPinch();
    }
  }, true);

  // The background (points and landmarks stop their own): once zoomed in, a drag pans.
  svg.addEventListener("pointerdown", (event) => {
    if (pointers.size === 1 && zoom() > 1.001) {
      const matrix = svg.getScreenCTM().inverse();
      gesture = { kind: "pan", matrix, start: Object.assign({}, box), at: toPhoto(event, matrix) };
      svg.setPointerCapture(event.pointerId);
    }
  });

  svg.addEventListener("pointermove", (event) => {
    if (!pointers.has(event.pointerId)) {
      return;
    }
    pointers.set(event.pointerId, { clientX: event.clientX, clientY: event.clientY });
    if (!gesture) {
      return;
    }
    event.preventDefault();
    if (gesture.kind === "pan") {
      const at = toPhoto(event, gesture.matrix);
      box = Object.assign({}, gesture.start, {
        x: gesture.start.x - (at.x - gesture.at.x),
        y: gesture.start.y - (at.y - gesture.at.y)
      });
    } else if (pointers.size >= 2) {
      const mid = midpoint();
      const level = gesture.level * (mid.spread / Math.max(gesture.spread, 1));
      const k = Math.min(Math.max(level, MIN_ZOOM), MAX_ZOOM);
      const w = fit.w / k;
      const h = fit.h / k;
      const now = toPhoto(mid, gesture.matrix);
      const fx = (now.x - gesture.start.x) / gesture.start.w;
      const fy = (now.y - gesture.start.y) / gesture.start.h;
      box = { x: gesture.at.x - fx * w, y: gesture.at.y - fy * h, w, h };
    }
    clamp();
    apply();
  });

  function end(event) {
    if (pointers.delete(event.pointerId)) {
      gesture = pointers.size >= 2 ? gesture : null;
    }
  }
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);

  return {
    fitTo,
    zoomIn() { zoomTo(zoom() * STEP); },
    zoomOut() { zoomTo(zoom() / STEP); },
    reset() { zoomTo(1); },
    zoom,
    toPhoto,
    unitsPerPixel
  };
}
