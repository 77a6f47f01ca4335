// scalpmap designer: the hairline's control points, pure geometry (no DOM).
//
// A template's hairline has a control point every 2 mm: about 200 on a whole head. They are all
// kept (the line keeps its detail) but only a few are shown: per segment, at most MAX_VISIBLE,
// evenly spaced along the line and never closer on screen than a touch target allows. Dragging a
// shown point moves the points around it with a smooth falloff (a raised cosine over FALLOFF
// times the larger gap to the next shown point, and at least MIN_RADIUS_MM), so the line bends
// instead of making a spike.

export const SEGMENTS = ["side_left", "temporal_left", "frontal", "temporal_right", "side_right"];
export const MAX_VISIBLE = 20;
export const FALLOFF = 1.5;
export const MIN_RADIUS_MM = 10;

function segmentPoints(segment) {
  if (!segment) {
    return [];
  }
  return Array.isArray(segment) ? segment : (segment.points_px || []);
}

/**
 * The hairline's control points in order, a point shared by two segments (their common end)
 * once. Each point is {x, y, refs: [[segment, index], ...]}; ranges[segment] = [first, last].
 */
export function densePoints(hairline) {
  const points = [];
  const ranges = {};
  SEGMENTS.forEach((name) => {
    const list = segmentPoints(hairline.segments[name]);
    list.forEach((p, index) => {
      const last = points[points.length - 1];
      const shared = last && Math.abs(last.x - p[0]) < 0.01 && Math.abs(last.y - p[1]) < 0.01;
      if (shared) {
        last.refs.push([name, index]);
      } else {
        points.push({ x: p[0], y: p[1], refs: [[name, index]] });
      }
      const at = points.length - 1;
      ranges[name] = ranges[name] ? [ranges[name][0], at] : [at, at];
    });
  });
  return { points, ranges };
}

/** Cumulative length along the points, from 0. */
export function arcLengths(points) {
  const s = new Float64Array(points.length);
  for (let i = 1; i < points.length; i += 1) {
    s[i] = s[i - 1] + Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  }
  return s;
}

function nearestIndex(s, lo, hi, target) {
  let a = lo;
  let b = hi;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (s[mid] < target) {
      a = mid;
    } else {
      b = mid;
    }
  }
  return Math.abs(s[a] - target) <= Math.abs(s[b] - target) ? a : b;
}

/**
 * The points to show: per segment at most MAX_VISIBLE, evenly spaced along it, none closer than
 * minSpacing (photo pixels), both ends always. Returns [{index, segment, spacing, reach}] in
 * line order; reach is the larger gap (along the line) to a neighbouring shown point.
 */
export function visibleHandles(points, ranges, s, minSpacing) {
  const chosen = new Map();
  SEGMENTS.forEach((name) => {
    const range = ranges[name];
    if (!range) {
      return;
    }
    const [a, b] = range;
    const length = s[b] - s[a];
    const room = minSpacing > 0 ? Math.floor(length / minSpacing) + 1 : MAX_VISIBLE;
    const count = Math.max(Math.min(MAX_VISIBLE, b - a + 1, room), Math.min(2, b - a + 1));
    const spacing = count > 1 ? length / (count - 1) : length;
    for (let k = 0; k < count; k += 1) {
      const target = count > 1 ? s[a] + (length * k) / (count - 1) : s[a];
      const index = nearestIndex(s, a, b, target);
      const known = chosen.get(index);
      if (known) {
        known.spacing = Math.min(known.spacing, spacing);
      } else {
        chosen.set(index, { index, segment: name, spacing });
      }
    }
  });
  const handles = Array.from(chosen.values()).sort((p, q) => p.index - q.index);
  handles.forEach((h, k) => {
    const before = k > 0 ? s[h.index] - s[handles[k - 1].index] : 0;
    const after = k < handles.length - 1 ? s[handles[k + 1].index] - s[h.index] : 0;
    h.reach = Math.max(before, after, h.spacing);
  });
  return handles;
}

/** How far (photo pixels along the line) a drag of handle h is felt. */
export function falloffRadius(h, mmPerPx) {
  return Math.max(FALLOFF * h.reach, MIN_RADIUS_MM / mmPerPx);
}

/** The weight with which each point follows a drag of point `center` (1 there, 0 beyond radius). */
export function falloffWeights(s, center, radius) {
  const weights = new Float64Array(s.length);
  const r = Math.max(radius, 1e-6);
  for (let j = 0; j < s.length; j += 1) {
    const d = Math.abs(s[j] - s[center]);
    weights[j] = d < r ? 0.5 * (1 + Math.cos((Math.PI * d) / r)) : 0;
  }
  return weights;
}

/** Round the points to 0.01 px and write them into the hairline JSON (and in millimetres). */
export function writeBack(hairline, points, mmPerPx) {
  points.forEach((p) => {
    const px = [Math.round(p.x * 100) / 100, Math.round(p.y * 100) / 100];
    p.x = px[0];  // the line drawn is the line sent
    p.y = px[1];
    const mm = [Math.round(p.x * mmPerPx * 1000) / 1000, Math.round(p.y * mmPerPx * 1000) / 1000];
    p.refs.forEach(([name, index]) => {
      const segment = hairline.segments[name];
      segment.points_px[index] = px.slice();
      if (segment.points_mm) {
        segment.points_mm[index] = mm.slice();
      }
    });
  });
}

/** A deep copy of a hairline JSON whose segments are all {points_px, points_mm?} objects. */
export function normalisedHairline(hairline) {
  const copy = JSON.parse(JSON.stringify(hairline));
  SEGMENTS.forEach((name) => {
    const segment = copy.segments[name];
    if (Array.isArray(segment)) {
      copy.segments[name] = { points_px: segment };
    } else if (!segment) {
      copy.segments[name] = { points_px: [] };
    }
  });
  return copy;
}
