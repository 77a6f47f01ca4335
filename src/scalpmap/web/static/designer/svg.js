// scalpmap designer: small SVG helpers. Coordinates are photo pixels (x right, y down).

export const SVGNS = "http://www.w3.org/2000/svg";

/** Make an SVG element with attributes. */
export function el(name, attrs) {
  const node = document.createElementNS(SVGNS, name);
  Object.keys(attrs || {}).forEach((key) => node.setAttribute(key, attrs[key]));
  return node;
}

function ringPath(ring) {
  return ring.map((p, i) => (i === 0 ? "M" : "L") + p[0].toFixed(1) + " " + p[1].toFixed(1))
    .join(" ") + " Z";
}

/** A path's d for polygons given as lists of rings (exterior first) of [x, y]. */
export function polygonsPath(polygons) {
  return polygons.map((polygon) => polygon.map(ringPath).join(" ")).join(" ");
}

/** A smooth curve through every point (Catmull-Rom, as cubic Bezier pieces). */
export function smoothPath(points) {
  if (points.length < 2) {
    return "";
  }
  const f = (v) => v.toFixed(1);
  let d = "M" + f(points[0][0]) + " " + f(points[0][1]);
  for (let i = 0; i < points.length - 1; i += 1) {
    const p0 = points[Math.max(i - 1, 0)];
    const p1 = points[i];
    const p2 = points[i + 1];
    const p3 = points[Math.min(i + 2, points.length - 1)];
    const c1 = [p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6];
    const c2 = [p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6];
    d += " C" + [c1[0], c1[1], c2[0], c2[1], p2[0], p2[1]].map(f).join(" ");
  }
  return d;
}

/** A straight path through points. */
export function linePath(points) {
  return points.map((p, i) => (i === 0 ? "M" : "L") + p[0].toFixed(1) + " " + p[1].toFixed(1))
    .join(" ");
}

/** Whether (x, y) lies inside polygons (even-odd over every ring, holes included). */
export function insidePolygons(polygons, x, y) {
  let inside = false;
  polygons.forEach((polygon) => polygon.forEach((ring) => {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
  }));
  return inside;
}
