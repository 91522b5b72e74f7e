// The 大屏 header clock (China time, anchored on the server's now) and the viewport report: the page
// reloads once per new size so the map and charts are drawn for that screen. Configured by
// window.__scrClockConfig (wenming/screen/view.py clock_script).
(function () {
  var cfg = window.__scrClockConfig;
  var offset = cfg.anchor - Date.now();
  var tz = {timeZone: 'Asia/Shanghai'};
  var week = '日一二三四五六';
  function parts(d) {
    var p = {};
    new Intl.DateTimeFormat('en-US', Object.assign({year: 'numeric', month: 'numeric', day: 'numeric',
      hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false, weekday: 'short'}, tz))
      .formatToParts(d).forEach(function (x) { p[x.type] = x.value; });
    return p;
  }
  var days = {Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6};
  function tick() {
    var p = parts(new Date(Date.now() + offset));
    var t = document.getElementById('scr-time'), d = document.getElementById('scr-date');
    var hh = p.hour === '24' ? '00' : p.hour;
    if (t) t.textContent = hh + ':' + p.minute + ':' + p.second;
    if (d) d.textContent = p.year + '年' + p.month + '月' + p.day + '日 星期' + week.charAt(days[p.weekday]);
  }
  function scale() {
    var text = window.innerWidth + 'x' + window.innerHeight;
    document.cookie = cfg.cookie + '=' + text + '; path=/; max-age=31536000; SameSite=Strict';
    var tried = '';
    try { tried = window.sessionStorage.getItem(cfg.cookie) || ''; } catch (e) {}
    if (text !== cfg.built && tried !== text) {
      try { window.sessionStorage.setItem(cfg.cookie, text); } catch (e) { return; }
      window.location.reload();
    }
  }
  if (window.__scrClock) clearInterval(window.__scrClock);
  if (window.__scrResize) window.removeEventListener('resize', window.__scrResize);
  window.__scrResize = function () { clearTimeout(window.__scrResizeT); window.__scrResizeT = setTimeout(scale, 800); };
  window.addEventListener('resize', window.__scrResize);
  tick(); scale();
  window.__scrClock = setInterval(tick, 1000);
})();

