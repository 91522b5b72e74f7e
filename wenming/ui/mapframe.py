"""How many pixels a map really has: the browser measures the page's main column (and its window's
height) and tells the server, so a map's view — its centre and zoom — is computed for that width, on
a 390-px phone as on a 1440-px desktop (wenming.core.geo.fit_view).

deck.gl can fit a view to bounds only in JavaScript (WebMercatorViewport.fitBounds), and the view
travels to the browser as JSON (st.pydeck_chart), so the server has to know the width. A tiny
component (st.components.v2, no iframe, nothing fetched) reads the width of the column it stands in
and reports it when it differs from what the server last drew for: once per browser (the size is kept
in the Streamlit session and in a cookie, so other pages and a reload — a new session — draw right
the first time, without a second run of the page) and again after a resize (the sidebar opened or
closed, a phone turned). Until the first report the map is drawn for a guess (a phone's width when
the browser says it is a phone)."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

SIZE_KEY = "browser_size"  # the last size the browser reported: {"width": px, "vh": px, "vw": px}
COOKIE = "wenming_view"  # the same, as "width.vh.vw", for the next session of this browser
GUESS_DESKTOP = (980, 900)  # the main column beside an open sidebar in a 1440 × 900 window
GUESS_PHONE = (358, 740)    # 390 px less the page's padding
COLUMNS_STACK_BELOW = 640   # Streamlit puts st.columns under each other in a window narrower than this
COLUMN_GAP = 16

JS = """
export default function (component) {
  const { parentElement, data, setStateValue } = component;
  const own = parentElement.closest('[data-testid="stElementContainer"]');
  if (own) { own.style.display = 'none'; }  // measures, shows nothing, takes no room
  const block = (own && own.parentElement) || parentElement;
  let sent = data && data.width ? [data.width, data.vh] : null;
  let timer = null;
  function report() {
    const w = Math.round(block.getBoundingClientRect().width);
    const vh = Math.round(window.innerHeight);
    if (w < 200 || vh < 200) { return; }
    // a few pixels (a scroll bar) or a phone's address bar sliding away do not redraw the page
    if (sent && Math.abs(sent[0] - w) < 8 && Math.abs(sent[1] - vh) < 0.2 * sent[1]) { return; }
    sent = [w, vh];
    const vw = Math.round(window.innerWidth);
    // the next session of this browser (a reload, a new tab) reads it and draws right at once
    document.cookie = `wenming_view=${w}.${vh}.${vw}; path=/; max-age=31536000; SameSite=Strict`;
    setStateValue('size', { width: w, vh: vh, vw: vw });
  }
  const later = () => { clearTimeout(timer); timer = setTimeout(report, 300); };
  const watch = new ResizeObserver(later);
  watch.observe(block);
  window.addEventListener('resize', later);
  report();
  return () => { watch.disconnect(); window.removeEventListener('resize', later); clearTimeout(timer); };
}
"""

_measure = st.components.v2.component("wenming_column_size", js=JS, isolate_styles=False)


@dataclass(frozen=True)
class Size:
    width: int      # the main column, CSS pixels
    vh: int         # the window's height
    vw: int         # the window's width
    measured: bool  # False: a guess (the browser has not reported yet)

    def column(self, share: float, parts: int = 2) -> int:
        """The width of a column taking `share` of a row of `parts` st.columns (the whole width
        where Streamlit stacks columns, in a narrow window)."""
        if self.vw < COLUMNS_STACK_BELOW:
            return self.width
        return int((self.width - COLUMN_GAP * (parts - 1)) * share)

    def map_height(self, share: float = 0.78, floor: int = 320) -> int:
        """The tallest a map may be: `share` of the window's height (so it stays whole in view)."""
        return max(floor, int(self.vh * share))


def _noop() -> None:
    pass


def _guess() -> Size:
    agent = (st.context.headers.get("user-agent") or "").lower()
    phone = any(word in agent for word in ("mobile", "iphone", "android"))
    w, vh = GUESS_PHONE if phone else GUESS_DESKTOP
    return Size(w, vh, 390 if phone else 1440, False)


def _stored() -> dict | None:
    """The size this browser last reported: in this session, else in its cookie (a reload)."""
    stored = st.session_state.get(SIZE_KEY)
    if stored is None:
        try:
            width, vh, vw = (int(part) for part in (st.context.cookies.get(COOKIE) or "").split("."))
        except ValueError:  # no cookie, or not ours
            return None
        if 200 <= width <= 10000 and 200 <= vh <= 10000 and 200 <= vw <= 10000:
            stored = st.session_state[SIZE_KEY] = {"width": width, "vh": vh, "vw": vw}
    return stored


def column_size(key: str) -> Size:
    """The size of the column this is called in (a page's main column), as the browser measured it.

    Call it just before the map, in the same container. The first time in a browser session the
    answer is a guess and the page runs once more with the measured size."""
    stored = _stored()
    result = _measure(key=key, data=stored, default={"size": None}, on_size_change=_noop)
    got = getattr(result, "size", None) if result is not None else None
    if isinstance(got, dict) and got.get("width"):
        stored = {"width": int(got["width"]), "vh": int(got.get("vh") or 900), "vw": int(got.get("vw") or 1440)}
        st.session_state[SIZE_KEY] = stored
    if not stored:
        return _guess()
    return Size(stored["width"], stored["vh"], stored.get("vw", 1440), True)


def known_size() -> Size:
    """The main column's size as last reported in this browser session (a guess before the first
    report), without measuring: for a map in a column beside something (Size.column)."""
    stored = _stored()
    return Size(stored["width"], stored["vh"], stored.get("vw", 1440), True) if stored else _guess()
