"""Streamlit's own English, in Chinese: the words its browser code writes that no Python call can set.

The table toolbar and its tooltips ("Search", "Fullscreen", "Show/hide columns"), the table's search
box, its column menu (sort, pin, hide, autosize, Format and Statistics with their contents), the
charts' and maps' "Fullscreen", the file uploader's refusals ("File must be 200.0MB or smaller.",
"… files are not allowed.", "Upload failed", "Click to retry upload") and its remove button, the
select boxes' "No results", the date picker, the sidebar's collapse button, the dialog's close
button, the "Running…/Stop" status and the connection messages are all text the Streamlit frontend
builds in JavaScript: no option or label of st.dataframe, st.file_uploader … reaches them.

So a tiny component (st.components.v2, no iframe, nothing fetched) mounted once per run from
page.chinese_chrome() — every page and the login go through it — installs ONE MutationObserver on
document.body (a window-level flag: reruns and remounts never add a second one). It rewrites, in
place, a text node whose whole (trimmed) text is a known English phrase, and the attributes a user
or a screen reader meets (aria-label, title, placeholder, plotly's data-title), from the dictionary
EXACT below; phrases with a number or a name in them go through PATTERNS. Tooltips and menus are
drawn into portals outside the element that owns them, hence the whole body. The cost stays small:
only added nodes and changed text/attributes are looked at (a full walk of the page happens once,
when the observer is installed), a string is looked up only if it is short and has Latin letters,
and the component never sends a value back (no rerun).

Text the page itself writes is Chinese, so an exact match on a whole English phrase cannot touch it;
Material icon names ("search", "keep") are lower-case ligatures and are not in the dictionary.
"""
from __future__ import annotations

import json
import re

import streamlit as st

# Streamlit's English (exact, whole text of a node or attribute) -> what a user reads
EXACT: dict[str, str] = {
    # the element toolbar of tables, charts and maps
    "Fullscreen": "全屏", "Close fullscreen": "退出全屏", "Search": "搜索", "Show/hide columns": "显示/隐藏列",
    "Download as CSV": "下载为 CSV", "Clear selection": "清除选择", "Add row": "添加行", "Delete row(s)": "删除行",
    # the table's search box
    "Type to search": "输入要查找的内容", "Close Search": "关闭搜索", "Next Result": "下一个结果",
    "Previous Result": "上一个结果", "over 1000": "超过 1000 个",
    # the column menu
    "Dataframe column menu": "列菜单", "Sort ascending": "升序排列", "Sort descending": "降序排列",
    "Pin column": "固定此列", "Unpin column": "取消固定", "Hide column": "隐藏此列", "Autosize": "自动列宽",
    "Copy column name": "复制列名", "Rename": "重命名", "Format": "数字格式",
    "Automatic": "自动", "Localized": "本地格式", "Plain": "原始数字", "Compact": "简写（千/百万）",
    "Dollar": "美元", "Euro": "欧元", "Yen": "日元", "Percent": "百分比", "Scientific": "科学计数法",
    "Accounting": "会计格式", "Duration": "时长", "Distance": "相对时间（多久以前）", "Calendar": "日历格式",
    "Statistics": "统计", "Values": "有值", "Empty": "空值", "Distinct": "不同值", "Average": "平均值",
    "Standard deviation": "标准差", "Minimum": "最小值", "25th percentile": "25% 分位数", "Median": "中位数",
    "75th percentile": "75% 分位数", "Maximum": "最大值", "Sum": "合计", "Minimum length": "最短长度",
    "Maximum length": "最长长度", "Average length": "平均长度", "Range": "范围", "Count": "个数",
    "No data": "无数据", "Based on sample": "根据抽样计算", "Distribution histogram": "分布直方图",
    "Top values frequency chart": "最常见的值", "Vega visualization": "统计图", "True/false distribution chart": "是/否分布",
    "True": "是", "False": "否", "(index)": "（行号）", "No content": "无内容", "Select all": "全选", "Loading...": "加载中…",
    "Edit": "编辑", "Cancel (Escape)": "取消（Esc）",
    # the file uploader (its dropzone words: uploads.DROPZONE_CSS)
    "Upload failed": "上传失败", "Click to retry upload": "点击重新上传", "Too many files": "文件太多",
    "Only one file is allowed.": "只能上传一个文件。", "File size is too small.": "文件太小。",
    "Unexpected error. Please try again.": "出现意外错误，请重试。", "Add files": "添加文件",
    "Upload": "上传", "Error:": "错误：", "file upload": "选择文件", "add icon": "添加", "Drag and drop files here": "把文件拖到这里", "Drag and drop a file here": "把文件拖到这里",
    "Connection lost. Please wait for the app to reconnect, then try again.": "连接已断开：请等页面重新连上后再试。",
    # select boxes, multiselect, number and date inputs
    "No results": "没有匹配的选项", "No options": "没有选项", "No options to select": "没有可选的选项",
    "Choose an option": "请选择", "Choose options": "请选择（可多选）", "Select...": "请选择…",
    "Clear all": "全部清除", "Clear value": "清除", "Clear": "清除", "Open": "展开",
    "Selectbox options": "选项", "Multiselect options": "选项", "Selected values": "已选",
    "Increment": "加", "Decrement": "减", "Choose date": "选择日期", "Choose date range": "选择日期范围",
    "Clear date": "清除日期", "Clear dates": "清除日期", "Date range": "日期范围",
    "Previous month.": "上个月", "Next month.": "下个月", "Previous month": "上个月", "Next month": "下个月",
    "Select month.": "选择月份", "Select year.": "选择年份", "Calendar.": "日历",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": "用方向键移动日期，回车选中，Esc 关闭。",
    "January": "1月", "February": "2月", "March": "3月", "April": "4月", "May": "5月", "June": "6月",
    "July": "7月", "August": "8月", "September": "9月", "October": "10月", "November": "11月",
    "December": "12月",
    # the page's frame: sidebar, dialogs, tabs, status, connection
    "Collapse sidebar": "收起侧栏", "Expand sidebar": "展开侧栏", "View less": "收起",
    "Navigate to home page": "回到首页", "App pages": "页面", "Sidebar": "侧栏", "Main menu": "菜单",
    "Close": "关闭", "Cancel": "取消", "Scroll tabs left": "向左滚动标签", "Scroll tabs right": "向右滚动标签",
    "Skip to main content": "跳到正文", "Link to heading": "本节链接", "Show password": "显示密码",
    "Hide password": "隐藏密码", "Notifications": "通知",
    "Running...": "正在运行…", "Stop": "停止", "Stopping...": "正在停止…", "Rerun": "重新运行",
    "Always rerun": "总是重新运行", "Please wait...": "请稍候…",
    "Connecting": "正在连接", "Connecting to Streamlit server": "正在连接服务器",
    "Unable to connect to Streamlit server": "连不上服务器", "Error": "出错", "Connection error": "连接出错",
    "Connection timed out.": "连接超时。",
    "Streamlit server is not responding. Are you connected to the internet?": "服务器没有响应，请检查网络连接。",
    "Is Streamlit still running? If you accidentally stopped Streamlit, just restart it in your terminal:":
        "服务器没有响应：请联系管理员检查看板服务是否在运行。",
    "Copy to clipboard": "复制", "Copied": "已复制", "Copied!": "已复制",
    # plotly's mode bar (charts that keep it)
    "Download plot as a PNG": "下载为图片（PNG）", "Zoom": "框选放大", "Pan": "平移", "Box Select": "框选",
    "Lasso Select": "套索选择", "Zoom in": "放大", "Zoom out": "缩小", "Autoscale": "自动缩放",
    "Reset axes": "还原坐标轴", "Reset view": "还原视图", "Toggle Spike Lines": "显示/隐藏参考线",
    "Show closest data on hover": "悬停时显示最近的数据", "Compare data on hover": "悬停时比较数据",
    "Double-click to zoom back out": "双击还原", "Double-click on legend to isolate one trace": "双击图例只看这一项",
    "Produced with Plotly.js": "Plotly.js 绘制",
}

# the kind of a column, the title of the type icon in its column menu: attributes only (as text,
# "link", "image" or "list" are Material icon ligatures, which must stay as they are)
KINDS: dict[str, str] = {
    "object": "其他", "text": "文本", "number": "数字", "checkbox": "是/否", "selectbox": "选项", "list": "列表",
    "multiselect": "多选", "link": "链接", "datetime": "日期时间", "date": "日期", "time": "时间",
    "progress": "进度", "image": "图片", "json": "JSON", "line_chart": "折线图", "bar_chart": "柱状图",
    "area_chart": "面积图",
}

# the date picker's weekday heads ("Mo", "Tu" …): two letters, so only inside a calendar
WEEKDAYS: dict[str, str] = {"Su": "日", "Mo": "一", "Tu": "二", "We": "三", "Th": "四", "Fr": "五", "Sa": "六"}

_UNITS = {"year": "年", "month": "个月", "week": "周", "day": "天", "hour": "小时", "minute": "分钟", "second": "秒"}

# phrases with a number, a size or a name in them: (regex over the whole trimmed text, JS replacement)
PATTERNS: list[tuple[str, str]] = [
    (r"^File must be (.+) or smaller\.$", "文件不能超过 $1。"),
    (r"^File is larger than (.+)$", "文件超过 $1"),
    (r"^File is smaller than (.+)$", "文件小于 $1"),
    (r"^(.*) files are not allowed\.$", "不接受这种文件（$1）。"),
    (r"^Remove (.+)$", "删除 $1"),
    (r"^Cancel upload of (.+)$", "取消上传 $1"),
    (r"^(.+) per file$", "单个文件不超过 $1"),
    (r"^View (\d+) more$", "再显示 $1 项"),
    (r"^Select (\d+) matches$", "选中全部 $1 个匹配项"),
    (r"^(\d+) of (\d+) results?$", "第 $1 个，共 $2 个结果"),
    (r"^(\d+) of over 1000$", "第 $1 个，超过 1000 个结果"),
    (r"^(\d+) results?$", "$1 个结果"),
    (r"^Page (\d+)$", "第 $1 页"),
    # the bars of a column's statistics histogram (vega), as a screen reader reads them
    (r"^binStart: [^;]*; count: [^;]*; binEnd: [^;]*; Range: ([^;]*); Count: (\d+)$", "范围 $1：$2 个"),
    (r"^Connection failed with status (\d+)\.?$", "连接失败（状态 $1）"),
    (r"^Made with Streamlit v(.+)$", "由 Streamlit $1 构建"),
] + [(rf"^(\d+(?:\.\d+)?) {en}s?$", rf"$1 {zh}") for en, zh in _UNITS.items()]

# the attributes a user (hover) or a screen reader meets; "Fullscreen: 表名" is the toolbar's aria-label
ATTRIBUTES = ["aria-label", "title", "placeholder", "data-title", "aria-placeholder", "alt"]

JS = """
export default function (component) {
  const own = component.parentElement.closest('[data-testid="stElementContainer"]');
  if (own) { own.style.display = 'none'; }  // translates, shows nothing, takes no room
  const KEY = '__wenmingChinese';
  const here = window[KEY];
  if (here) { here.mounts += 1; return () => here.release(); }   // one observer per window, ever

  const EXACT = new Map(Object.entries(__EXACT__));
  const WEEKDAYS = new Map(Object.entries(__WEEKDAYS__));
  const KINDS = new Map(Object.entries(__KINDS__));
  const PATTERNS = __PATTERNS__.map(([re, to]) => [new RegExp(re), to]);
  const ATTRS = __ATTRS__;
  // not looked into: code and what a user typed (an input's attributes are, its value never)
  const SKIP = new Set(['SCRIPT', 'STYLE', 'style', 'TEXTAREA', 'CODE', 'PRE']);
  const LATIN = /[A-Za-z]{2}/;

  function translate(text, node) {
    if (!text || text.length > 140 || !LATIN.test(text)) { return null; }
    const t = text.trim();
    let out = EXACT.get(t);
    if (out === undefined && t.length === 2 && WEEKDAYS.has(t) && node
        && node.closest && node.closest('[data-baseweb="calendar"]')) { out = WEEKDAYS.get(t); }
    if (out === undefined) {
      for (const [re, to] of PATTERNS) { if (re.test(t)) { out = t.replace(re, to); break; } }
    }
    if (out === undefined) {   // "Fullscreen: 表名" (a toolbar button's aria-label names its element)
      const i = t.indexOf(': ');
      if (i > 0 && EXACT.has(t.slice(0, i))) { out = EXACT.get(t.slice(0, i)) + '：' + t.slice(i + 2); }
    }
    return out === undefined || out === t ? null : text.replace(t, out);
  }
  function fixText(node) {
    const parent = node.parentElement;
    if (!parent || SKIP.has(parent.tagName)) { return; }
    const out = translate(node.nodeValue, parent);
    if (out !== null) { node.nodeValue = out; }
  }
  function fixAttrs(el, only) {
    for (const name of (only ? [only] : ATTRS)) {
      const value = el.getAttribute(name);
      if (!value) { continue; }
      const out = (name === 'title' && KINDS.has(value)) ? KINDS.get(value) : translate(value, el);
      if (out !== null) { el.setAttribute(name, out); }
    }
  }
  function fixTree(root) {
    if (root.nodeType === 3) { fixText(root); return; }
    if (root.nodeType !== 1 || SKIP.has(root.tagName)) { return; }
    fixAttrs(root);
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.nodeType === 1 && SKIP.has(n.tagName)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT,
    });
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (n.nodeType === 3) { fixText(n); } else { fixAttrs(n); }
    }
  }
  const observer = new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') { r.addedNodes.forEach(fixTree); }
      else if (r.type === 'characterData') { fixText(r.target); }
      else if (r.type === 'attributes') { fixAttrs(r.target, r.attributeName); }
    }
  });
  const state = {
    mounts: 1,
    translate: (text) => translate(text, null),
    release() {
      state.mounts -= 1;
      if (state.mounts <= 0) { observer.disconnect(); delete window[KEY]; }
    },
  };
  window[KEY] = state;
  fixTree(document.body);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true,
                                    attributes: true, attributeFilter: ATTRS });
  return () => state.release();
}
"""


def _script() -> str:
    # Python's regex syntax used here is also JavaScript's (groups, \\d, \\., anchors)
    for pattern, _ in PATTERNS:
        re.compile(pattern)
    return (JS.replace("__EXACT__", json.dumps(EXACT, ensure_ascii=False))
              .replace("__WEEKDAYS__", json.dumps(WEEKDAYS, ensure_ascii=False))
              .replace("__KINDS__", json.dumps(KINDS, ensure_ascii=False))
              .replace("__PATTERNS__", json.dumps(PATTERNS, ensure_ascii=False))
              .replace("__ATTRS__", json.dumps(ATTRIBUTES)))


_translator = st.components.v2.component("wenming_chinese", js=_script(), isolate_styles=False)


def mount() -> None:
    """Put the translator on the page (once per run; it installs itself once per browser window)."""
    _translator(key="wenming_chinese")
