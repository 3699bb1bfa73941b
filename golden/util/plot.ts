/** SVG charts from Vega-Lite specs, rendered in Node without a browser. */
import * as vega from 'vega';
import * as vl from 'vega-lite';

export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  return new vega.View(vega.parse(compiled), { renderer: 'none' }).toSVG();
}
