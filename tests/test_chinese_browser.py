"""Issue 15 item 5 in a real browser, at 1440×900 and 390×844: Streamlit's own English — the table's
toolbar and tooltips, its search box, its column menu with Format and Statistics, the charts' and
maps' Fullscreen, plotly's mode bar, the file uploader's refusal, chips and buttons — reads in Chinese
(wenming/ui/chinese.py), on the login page too, with one translator per browser window.

"Visible text" is every text node of a menu or tooltip (Material icon ligatures such as "keep" or
"bar_chart", marked translate="no", excepted: they draw icons, nobody reads them) and its aria-label / title / placeholder."""
from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (390, 844)]
# words a Chinese user reads as they are (units, file kinds); the file names are the test's own
ALLOWED = {"MB", "KB", "xlsx", "xls", "xlsm", "xlsb", "ods", "csv", "CSV", "txt", "tsv", "Unicode", "GeoJSON",
           "geojson", "PNG", "Excel", "WPS", "LibreOffice", "big", "small"}
WORD = re.compile(r"[A-Za-z]{3,}")

TEXTS = """(root) => {
  const out = [];
  const roots = root ? [root] : [];
  for (const r of roots) {
    const walk = document.createTreeWalker(r, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const p = n.parentElement;
      if (!p || p.closest('[data-testid="stIconMaterial"], [translate="no"], style, script')) { continue; }
      if (getComputedStyle(p).display === 'none') { continue; }
      out.push(n.nodeValue);
    }
    for (const el of [r, ...r.querySelectorAll('*')]) {
      for (const a of ['aria-label', 'title', 'placeholder', 'data-title']) {
        const v = el.getAttribute && el.getAttribute(a);
        if (v) { out.push(v); }
      }
    }
  }
  return out.join('\\n');
}"""


def english(text: str) -> list[str]:
    return sorted({w for w in WORD.findall(text) if w not in ALLOWED})


def texts(s, selector: str) -> str:
    """The visible text and labels of every element matching `selector`."""
    return s.page.locator(selector).evaluate_all(f"(els) => els.map((e) => ({TEXTS})(e)).join('\\n')")


def tooltip(s) -> str:
    s.page.wait_for_selector("[data-testid='stTooltipContent']", timeout=10_000)
    return texts(s, "[data-testid='stTooltipContent']")


def column_menu(s, table, column: int) -> None:
    """Open the column menu of the `column`-th column (0-based): the menu button sits just left of the
    column's right edge, where the grid's cursor turns to col-resize."""
    box = table.bounding_box()
    canvas = table.locator("[data-testid='data-grid-canvas']")
    edges, inside = [], False
    for dx in range(4, int(box["width"]) - 4, 3):
        s.page.mouse.move(box["x"] + dx, box["y"] + 18)
        resize = canvas.evaluate("(c) => getComputedStyle(c).cursor") == "col-resize"
        if resize and not inside:
            edges.append(dx)
            if len(edges) > column:
                break
        inside = resize
    assert len(edges) > column, f"column {column} not found ({edges})"
    x = box["x"] + edges[column] - 20
    s.page.mouse.move(x, box["y"] + 18)
    s.page.wait_for_timeout(300)
    s.page.mouse.click(x, box["y"] + 18)
    s.page.wait_for_selector("[data-testid='stDataFrameColumnMenu']", timeout=10_000)


@pytest.mark.parametrize("width, height", SIZES)
def test_table_toolbar_search_and_column_menu_read_chinese(visit, width, height, tmp_path):
    s = visit("/ranking", login="演示：以街道领导进入", width=width, height=height)
    table = s.page.locator("[data-testid='stDataFrame']").first
    table.scroll_into_view_if_needed()
    # its toolbar shows above its top edge: keep that edge clear of the sticky header
    table.evaluate("e => document.querySelector('[data-testid=stMain]').scrollBy(0, e.getBoundingClientRect().top - 200)")
    table.hover()
    buttons = s.page.locator("[data-testid='stElementToolbar']:visible [data-testid='stElementToolbarButton'] button")
    buttons.first.wait_for(timeout=10_000)
    labels = [b.get_attribute("aria-label") for b in buttons.all()]
    assert labels == ["显示/隐藏列", "搜索", "全屏"], labels
    seen = []
    for i, button in enumerate(buttons.all()):
        button.hover()
        seen.append(tooltip(s))
        if i == 0:
            s.shot(str(tmp_path / f"toolbar_tooltip_{width}.png"), full_page=False)
        s.page.mouse.move(0, 0)
        s.page.wait_for_timeout(200)
        table.hover()
    assert [t.strip() for t in seen] == ["显示/隐藏列", "搜索", "全屏"], seen

    buttons.nth(0).click()  # 显示/隐藏列: a menu of the columns and 全选
    s.page.wait_for_selector("[data-testid='stDataFrameColumnVisibilityMenu']", timeout=10_000)
    shown = texts(s, "[data-testid='stDataFrameColumnVisibilityMenu']")
    assert "全选" in shown and english(shown) == [], shown
    s.page.keyboard.press("Escape")
    s.page.mouse.click(2, 2)

    table.hover()
    buttons.nth(1).click()  # 搜索: the search box, its buttons and the result count
    s.page.wait_for_selector(".gdg-search-bar", timeout=10_000)
    s.page.keyboard.type("社区")
    s.page.wait_for_timeout(800)
    bar = texts(s, ".gdg-search-bar")
    assert "个结果" in bar and "关闭搜索" in bar and "下一个结果" in bar and english(bar) == [], bar
    s.shot(str(tmp_path / f"table_search_{width}.png"), full_page=False)
    s.page.keyboard.press("Escape")

    column_menu(s, table, 2)  # 总分, a number column: Format and Statistics both present
    menu = texts(s, "[data-testid='stDataFrameColumnMenu']")
    for word in ("升序排列", "降序排列", "固定此列", "隐藏此列", "自动列宽", "数字格式", "统计"):
        assert word in menu, (word, menu)
    assert english(menu) == [], menu
    s.shot(str(tmp_path / f"column_menu_{width}.png"), full_page=False)

    s.page.locator("[data-testid='stDataFrameColumnMenu'] [role='menuitem']", has_text="数字格式").hover()
    s.page.wait_for_selector("[data-testid='stDataFrameColumnFormattingMenu']", timeout=10_000)
    formats = texts(s, "[data-testid='stDataFrameColumnFormattingMenu']")
    for word in ("自动", "本地格式", "原始数字", "百分比", "科学计数法", "会计格式"):
        assert word in formats, (word, formats)
    assert english(formats) == [], formats
    s.shot(str(tmp_path / f"column_format_{width}.png"), full_page=False)

    s.page.locator("[data-testid='stDataFrameColumnMenu'] [role='menuitem']", has_text="统计").hover()
    s.page.wait_for_selector("[data-testid='stDataFrameStatisticsMenu']", timeout=10_000)
    s.page.wait_for_timeout(500)
    stats = texts(s, "[data-testid='stDataFrameStatisticsMenu']")
    for word in ("有值", "空值", "不同值", "平均值", "标准差", "最小值", "中位数", "最大值", "合计"):
        assert word in stats, (word, stats)
    assert english(stats) == [], stats
    s.shot(str(tmp_path / f"column_statistics_{width}.png"), full_page=False)
    assert s.exceptions() == []


@pytest.mark.parametrize("width, height", SIZES)
def test_map_and_chart_fullscreen_and_mode_bar_read_chinese(visit, width, height, tmp_path):
    s = visit("/patrol", login="演示：以街道领导进入", width=width, height=height)
    deck = s.page.locator("[data-testid='stDeckGlJsonChart']").first
    deck.scroll_into_view_if_needed()
    deck.hover()
    button = s.page.locator("[data-testid='stElementContainer']:has([data-testid='stDeckGlJsonChart'])").first.locator(
        "[data-testid='stElementToolbarButton'] button").last
    button.wait_for(timeout=10_000)
    assert button.get_attribute("aria-label").startswith("全屏"), button.get_attribute("aria-label")
    button.hover()
    assert tooltip(s).strip() == "全屏"
    s.shot(str(tmp_path / f"map_fullscreen_tooltip_{width}.png"), full_page=False)
    button.click()
    s.page.wait_for_timeout(600)
    close = s.page.locator("[data-testid='stElementToolbarButton'] button[aria-label^='退出全屏']")
    assert close.count() == 1
    s.page.keyboard.press("Escape")

    s.open("/ranking")
    s.page.get_by_role("tab", name="排名走势").click()
    s.settle()
    chart = s.page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    chart.hover()
    s.page.wait_for_timeout(500)
    titles = chart.locator(".modebar-btn").evaluate_all("(els) => els.map(e => e.getAttribute('data-title'))")
    assert "全屏" in titles and "下载为图片（PNG）" in titles and english("\n".join(titles)) == [], titles
    # plotly's own tooltip is the button's data-title, drawn by CSS on hover
    button = chart.locator(".modebar-btn[data-title='全屏']")
    button.hover()
    s.page.wait_for_timeout(300)
    assert "全屏" in button.evaluate("(b) => getComputedStyle(b, '::after').content")
    s.shot(str(tmp_path / f"chart_fullscreen_tooltip_{width}.png"), full_page=False)
    assert s.exceptions() == []


SIZE_ERROR = "[data-testid='stFileChip'][aria-invalid='true']"


@pytest.mark.parametrize("width, height", SIZES)
def test_uploader_refusal_chips_and_buttons_read_chinese(visit, width, height, tmp_path):
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:  # 201 MB past Streamlit's own limit, sparse: no disk, refused in the browser
        f.truncate(201 * 1024 * 1024)
    small = tmp_path / "small.csv"
    small.write_text("a,b\n1,2\n", encoding="utf-8")
    s = visit("/submit", login="演示：以管理员进入", width=width, height=height)
    uploader = s.page.locator("[data-testid='stFileUploader']").first
    uploader.locator("input[type=file]").set_input_files([str(big), str(small)])
    s.page.wait_for_selector(SIZE_ERROR, timeout=10_000)
    s.page.wait_for_timeout(800)
    shown = texts(s, "[data-testid='stFileUploader']")
    assert "文件不能超过 200.0MB。" in shown and "删除 big.csv" in shown and "添加文件" in shown, shown
    assert english(shown) == [], shown
    # the dropzone's button says 选择文件; the chips' remove buttons keep their icon alone
    after = s.page.locator("[data-testid='stFileChipDeleteBtn'] button").first.evaluate(
        "(b) => getComputedStyle(b, '::after').content")
    assert after in ("none", "normal", ""), after
    s.page.locator("[data-testid='stTooltipErrorHoverTarget']").first.hover()
    s.page.wait_for_selector("[data-testid='stTooltipErrorContent']", timeout=10_000)
    assert texts(s, "[data-testid='stTooltipErrorContent']").strip() == "文件不能超过 200.0MB。"
    uploader.scroll_into_view_if_needed()
    s.shot(str(tmp_path / f"uploader_refusal_{width}.png"), full_page=False)

    # the refusals that need a real failure (a broken upload, a type filter) are built the same way:
    # texts and attributes appearing anywhere in the page are translated as they come
    got = s.page.evaluate("""() => new Promise((done) => {
      const box = document.createElement('div');
      box.innerHTML = '<p>File must be 12.5MB or smaller.</p><p>image/x-icon files are not allowed.</p>'
        + '<p>Upload failed</p><p>Too many files</p><span title="Click to retry upload">x</span>'
        + '<button aria-label="Remove 报表.xlsx"></button><p>Only one file is allowed.</p>';
      document.body.appendChild(box);
      setTimeout(() => {
        const r = [...box.querySelectorAll('p')].map(p => p.textContent);
        r.push(box.querySelector('span').title, box.querySelector('button').getAttribute('aria-label'));
        box.remove();
        done(r);
      }, 50);
    })""")
    assert got == ["文件不能超过 12.5MB。", "不接受这种文件（image/x-icon）。", "上传失败", "文件太多",
                   "只能上传一个文件。", "点击重新上传", "删除 报表.xlsx"], got
    assert s.exceptions() == []


@pytest.mark.parametrize("width, height", SIZES)
def test_login_page_has_one_translator_that_survives_reruns(visit, width, height):
    s = visit("/", width=width, height=height)
    assert s.page.evaluate("window.__wenmingChinese && window.__wenmingChinese.mounts") == 1
    assert english(texts(s, "[data-testid='stApp']")) == []
    # the component takes no room: its element container is not displayed
    assert s.page.locator(".st-key-wenming_chinese").evaluate("(e) => getComputedStyle(e).display") == "none"
    s.demo_login("演示：以街道领导进入")  # signed in: reruns in the same window
    s.open("/ranking")
    s.page.get_by_role("tab", name="排名走势").click()  # a rerun of the page
    s.settle()
    if width > 640:  # to another page without reloading the window
        s.page.locator("[data-testid='stSidebarNav'] a", has_text="网格巡查").click()
        s.settle()
        assert "/patrol" in s.page.url
    assert s.page.evaluate("window.__wenmingChinese.mounts") == 1
    assert s.page.evaluate("window.__wenmingChinese.translate('3 years')") == "3 年"
    assert s.exceptions() == []
