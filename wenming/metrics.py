"""The indicator registry: every number the product publishes, defined once.

Each Indicator says what it counts (numerator, denominator, what is left out, in the user's words),
the moment it is measured at, its small-sample rule, its format and its help text, and which named
query returns its inputs. Pages, 总览, the big screen, the 区 view, the 通报 and the exports read the
value (`value`), the label, the rounding (`text`) and the help from here, and nothing else divides.
The 指标口径 page and docs/indicators.md are generated from this list (after dbt's metrics layer).

The counts themselves stay in SQL (`queries/<area>/*.sql`, flags in `queries/views/`); a rate's
inputs are columns of those rows, named by `numerator` and `denominator`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from wenming.core import formats, timeutil
from wenming.core.rules import RULE_DEFAULTS

PERIOD_END = "period_end"  # as of the period's end (the first moment of the next), or now while it runs
NOW = "now"  # at the moment the surface names ("截至现在"), whatever period is chosen

SAMPLE_RULE = "patrol.sample_min"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    area: str  # patrol | activity | volunteer | honor | composite
    fmt: str  # a wenming.core.formats name
    counts: str  # what the value counts (the numerator), in Chinese
    numerator: str  # input column
    denominator: str | None = None  # input column; None for a count
    of: str = ""  # what the denominator counts, in Chinese
    excludes: str = ""  # what is left out, in Chinese
    moment: str = PERIOD_END
    small_sample: bool = False  # fewer than patrol.sample_min items in the denominator: 样本不足
    scale: float = 1.0
    unit: str = ""
    source: str = ""  # the named query that returns the inputs
    derived_by: str = ""  # the function that turns the source rows into the inputs, when they are not columns
    help: str = ""
    higher_is_better: bool = True
    sample_rule: str = SAMPLE_RULE  # the rule holding this indicator's 样本不足 threshold
    interval: bool = False  # shown with its 95 % Wilson interval (the survey rates of 群众满意)

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    @property
    def label(self) -> str:
        """The tile's label: the name, short enough for a tile six abreast (the unit is in the help)."""
        return self.name


INDICATORS: list[Indicator] = [
    # -- 网格巡查 ----------------------------------------------------------------------------------
    Indicator("found", "发现数", "patrol", "int", "期内发现的问题（按发现时间）", "found",
              excludes="无效问题（作废或重复）从不计入", unit="件", source="patrol/kpis",
              help="期内发现的问题数，含挂账，不含无效。多发现、多上报不扣分。"),
    Indicator("rectified", "整改数", "patrol", "int", "期内发现、到期末已整改或销号的问题", "rectified",
              excludes="挂账、无效；整改后又重新打开的不算已整改", unit="件", source="patrol/kpis",
              help="期内发现的问题中，到期末已整改（或已销号）的条数。"),
    Indicator("rectify_rate", "整改率", "patrol", "pct1", "期内发现、到期末已整改或销号的问题", "rectified",
              "rectify_den", of="期内发现的问题（不含挂账）", excludes="挂账、无效", small_sample=True,
              source="patrol/kpis",
              help="整改率 = 整改数 ÷（发现数 − 挂账）：期内发现的问题里，到期末已整改或销号的比例。"),
    Indicator("on_time_rate", "按期整改率", "patrol", "pct1", "在处置时限内（含恰好到期）整改的问题", "on_time",
              "on_time_den", of="处置期限落在期内、或在期内整改的问题",
              excludes="挂账、无效", small_sample=True, source="patrol/kpis",
              help="按期整改率 = 按期整改数 ÷ 应整改数。应整改：处置期限落在期内（截至统计时刻已到期）、"
                   "或在期内整改了的问题；按期：整改时间不晚于期限（发现时间 + 该类问题的处置时限）。"),
    Indicator("overdue_open", "逾期未整改", "patrol", "int", "已过处置期限、在统计时刻仍未整改的问题",
              "overdue_open", excludes="挂账、无效", moment=PERIOD_END, unit="件", source="patrol/kpis",
              help="在统计时刻（所选期间的期末；进行中的月份为现在）已过处置期限仍未整改的问题，"
                   "不含挂账。不限发现时间：早先发现、至今未整改的也计入。", higher_is_better=False),
    Indicator("deferred", "挂账", "patrol", "int", "期内发现、在统计时刻处于挂账的问题", "deferred",
              unit="件", source="patrol/kpis",
              help="期内发现、在统计时刻已挂账（移交上级处理）的问题，单独列出，不计入整改率和按期整改率。",
              higher_is_better=False),
    Indicator("coverage_rate", "巡查覆盖率", "patrol", "pct1", "有巡查记录的网格·天", "patrolled_grid_days",
              "grid_days", of="期内已过去的网格·天（自社区成立日起）", source="patrol/kpis",
              help="巡查覆盖率 = 有巡查记录的网格·天 ÷ 期内已过去的网格·天。进行中的月份只算已经过去的日子。"),
    Indicator("timely_rate", "上报及时率", "patrol", "pct1", "发现后规定时限内（默认 24 小时，含恰好 24 小时）首次报送的问题",
              "timely", "timely_den", of="期内发现的问题（含挂账）", excludes="无效", small_sample=True,
              source="patrol/kpis",
              help="上报及时率 = 发现后规定时限内首次报送的问题 ÷ 期内发现的问题（含挂账，不含无效）。"),
    Indicator("median_hours", "整改时长中位数", "patrol", "hours1", "期内整改的问题从发现到整改的小时数，取中位数",
              "median_hours", unit="小时", source="patrol/kpis",
              help="期内整改的问题（不论何时发现）从发现到整改所用小时数的中位数（线性插值）。整改后又重新打开的不计。",
              higher_is_better=False),
    Indicator("p90_hours", "整改时长第 90 百分位", "patrol", "hours1", "期内整改的问题从发现到整改的小时数，取第 90 百分位",
              "p90_hours", unit="小时", source="patrol/kpis",
              help="期内整改的问题中，90% 在这个小时数以内整改完毕（线性插值）。", higher_is_better=False),
    # -- 复查/返工、延期 (wenming/followup, docs/followup.md) ---------------------------------------
    Indicator("rework_rate", "返工率", "patrol", "pct1", "期内整改、其后复查不合格或被重新打开（回到待整改/整改中）的问题",
              "rework", "rework_den", of="期内整改过的问题（整改时间在期内，含其后被重新打开的）",
              excludes="无效；期末（统计时刻）之后才复查不合格或重新打开的不计", small_sample=True,
              source="followup/kpis",
              help="返工率 = 返工的问题 ÷ 期内整改过的问题。返工：整改后复查不合格，或又回到待整改/整改中。"
                   "其他指标里，被重新打开的整改不再算整改；只有这里把它计入分母，因为这正是返工率要衡量的。",
              higher_is_better=False),
    Indicator("extension_rate", "延期率", "patrol", "pct1", "处置期限经批准延期的问题", "extended", "extension_den",
              of="处置期限（延期后的）落在期内、截至统计时刻已到期的问题", excludes="挂账、无效；统计时刻之后才批准的延期",
              small_sample=True, source="followup/kpis",
              help="延期率 = 经批准延期的问题 ÷ 期限落在期内的问题。延期批准后，逾期与按期整改率从批准时起按新期限计；"
                   "批准前已过完的月份不变。", higher_is_better=False),
    # -- 主题活动 ----------------------------------------------------------------------------------
    Indicator("activity_score", "月度主题活动得分", "activity", "score1", "完成 + 参与 + 丰富 + 及时四项得分之和",
              "score", unit="分", source="activities/month_scores", derived_by="wenming.activities.metrics.score_month",
              help="每月 100 分，只计当月主题活动：完成 40（至少一次）、参与 30（每千名居民参与人次，20‰ 满分）、"
                   "丰富 20（每次 10 分，最多 2 次）、及时 10 ×（7 天内报送的比例）。活动按举办月份计，次月补报也计入。"),
    Indicator("communities_held", "开展主题活动的社区", "activity", "int", "当月至少开展一次当月主题活动的社区",
              "held",
              source="activities/month_scores", derived_by="wenming.composite.explain.street_headlines",
              help="开展了当月主题活动（自选活动不计）的社区数 / 社区总数。活动按举办月份计，次月补报也计入。"),
    Indicator("on_theme_count", "主题活动次数", "activity", "int", "当月举办的当月主题活动", "on_theme_count",
              excludes="自选活动（照常展示，但不计入主题活动得分）", unit="次", source="activities/month_scores",
              help="当月举办的主题活动次数（按活动日期，不论何时报送），自选活动不计。"),
    Indicator("off_theme_count", "自选活动", "activity", "int", "当月举办的自选活动（非当月主题）", "off_theme_count",
              unit="次", source="activities/month_scores",
              help="当月举办的非当月主题的活动次数（按活动日期，不论何时报送），单独统计，不计入主题活动得分。"),
    Indicator("participants", "参与人次", "activity", "int", "当月主题活动的参与人次", "participants",
              excludes="自选活动的参与人次", unit="人次", source="activities/month_scores",
              help="当月主题活动（按活动日期，不论何时报送）参与人数之和；自选活动的参与不计。"),
    Indicator("participation_rate", "千人参与率", "activity", "num1", "当月主题活动的参与人次", "participants",
              "residents", of="常住人口（每千人）", excludes="自选活动的参与人次；当月尚未成立的社区", scale=1000.0,
              unit="‰", source="activities/month_scores",
              help="千人参与率 = 当月主题活动参与人次 ÷ 常住人口 × 1000（每千名居民参与人次，‰）；"
                   "月度主题活动得分的“参与”项按它计分。"),
    Indicator("theme_rate", "主题开展率", "activity", "pct1", "当月开展了当月主题活动的社区", "held",
              "communities", of="当月已成立的社区", source="activities/month_scores", derived_by="wenming.reports.district.activities_by_street",
              help="主题开展率 = 开展了当月主题活动（自选不计）的社区 ÷ 当月已成立的社区。"),
    Indicator("activity_score_mean", "主题活动均分", "activity", "score1", "各社区月度主题活动得分的平均",
              "activity_score_mean", unit="分", source="activities/month_scores", derived_by="wenming.reports.district.activities_by_street",
              help="当月已成立的各社区月度主题活动得分（满分 100）的算术平均。"),
    # -- 志愿服务 ----------------------------------------------------------------------------------
    Indicator("registration_rate", "志愿者注册率", "volunteer", "pct2", "截至统计日已注册的志愿者", "registered",
              "residents", of="常住人口", source="volunteers/by_community",
              help="注册率 = 注册志愿者人数 ÷ 常住人口；目标默认 5%。"),
    Indicator("hours_verified", "核实时长", "volunteer", "hours0", "期内有核实人、无需核查的服务时长",
              "hours_verified", excludes="没有核实人的时长；一周超过 60 小时待核查的时长", unit="小时",
              source="volunteers/by_community",
              help="期内（按服务日期）有核实人、无需核查的志愿服务时长。服务时长一般在次月 5 日前集中报送。"),
    Indicator("hours_per_100", "每百人时长", "volunteer", "num1", "期内核实服务时长", "hours_verified",
              "residents", of="常住人口（每百人）", scale=100.0, unit="小时", source="volunteers/by_community",
              help="每百名居民核实时长 = 核实服务时长 ÷ 常住人口 × 100。"),
    Indicator("active_share", "活跃志愿者占比", "volunteer", "pct1", "近 90 天内（截至统计日）有服务记录的注册志愿者",
              "active", "registered", of="注册志愿者", source="volunteers/by_community",
              help="活跃志愿者占比 = 近 90 天内有服务记录的志愿者 ÷ 注册志愿者。"),
    Indicator("verified_share", "时长核实比例", "volunteer", "pct1", "期内核实服务时长", "hours_verified",
              "hours_total", of="期内报送的全部服务时长", source="volunteers/by_community",
              help="核实比例 = 计入的核实时长 ÷ 报送的全部时长（含未核实、待核查）。"),
    # -- 红黑榜 ------------------------------------------------------------------------------------
    Indicator("red_published", "当月红榜", "honor", "int", "发布日期在期内的红榜条目", "red_published", unit="条",
              source="honor/by_community", help="发布日期在所选期间内的红榜条目数。"),
    Indicator("red_new", "本期红榜", "honor", "int", "期别为所选期间的红榜条目", "red_new", unit="条",
              source="honor/board", derived_by="wenming.honor.metrics.summary", help="期别（发布批次）在所选期间内的红榜条目数。"),
    Indicator("black_new", "本期黑榜", "honor", "int", "期别为所选期间的黑榜条目", "black_new", unit="条",
              source="honor/board", derived_by="wenming.honor.metrics.summary", help="期别（发布批次）在所选期间内的黑榜条目数。", higher_is_better=False),
    Indicator("red_on", "红榜上榜条目", "honor", "int", "所选期间榜单上的红榜条目：本期别的，加往期到统计时刻仍在榜的",
              "red_on", unit="条", source="honor/board", derived_by="wenming.honor.metrics.summary",
              help="榜单上的红榜条目数：期别为所选期间的条目，加上往期到统计时刻仍在榜（未到期）的条目。"),
    Indicator("black_on", "黑榜上榜条目", "honor", "int", "所选期间榜单上的黑榜条目：本期别的，加往期到统计时刻仍在榜或整改中的",
              "black_on", unit="条", source="honor/board", derived_by="wenming.honor.metrics.summary",
              help="榜单上的黑榜条目数：期别为所选期间的条目（不论状态），加上往期到统计时刻仍在榜或整改中的条目。",
              higher_is_better=False),
    Indicator("black_active", "在榜黑榜", "honor", "int", "统计时刻在榜或整改中、未销号未到期的黑榜条目",
              "black_active", unit="条", source="honor/by_community",
              help="统计时刻仍在榜或整改中（未整改销号、未到期）的黑榜条目数；销号或到期当天起不再计入。",
              higher_is_better=False),
    Indicator("black_overdue", "黑榜逾期未整改", "honor", "int", "统计时刻仍在榜或整改中、已过整改期限的黑榜条目",
              "overdue", excludes="已整改销号、已到期的条目", unit="条", source="honor/board",
              derived_by="wenming.honor.metrics.summary",
              help="统计时刻仍在榜或整改中、且已过整改期限（期限次日起算）的黑榜条目数。未填整改期限的，"
                   f"期限为发布日期加本街道该期别适用的整改天数（默认 {RULE_DEFAULTS['honor.rectify_days'][0]:g} 天）。", higher_is_better=False),
    Indicator("black_closed", "黑榜销号/到期", "honor", "int", "所选期间内整改销号或到期下榜的黑榜条目",
              "closed", unit="条", source="honor/board", derived_by="wenming.honor.metrics.summary",
              help="销号日期或到期日落在所选期间内的黑榜条目数。"),
    # -- 综合考核 ----------------------------------------------------------------------------------
    Indicator("composite_total", "综合考核得分", "composite", "num2", "四项工作得分与加减分之和", "total",
              unit="分", source="composite", derived_by="wenming.composite.month.month_scores",
              help="网格巡查 40 + 主题活动 25 + 志愿服务 25 + 红黑榜 10（默认权重），另加管理员的手工加减分；"
                   "每一分都可在“我的社区”追到规则和条目。"),
    Indicator("composite_mean", "综合考核均分", "composite", "num2", "街道内各社区综合考核总分的平均",
              "composite_mean", unit="分", source="composite", derived_by="wenming.reports.district.composite_by_street",
              help="该街道各社区当月综合考核总分的平均；各街道按各自当月执行的规则评分，同综合考核页。"),
    # -- 督办 (wenming/supervision; issue 18) --------------------------------------------------------
    Indicator("supervision_open", "在办督办", "supervision", "int", "统计时刻已下发、尚未核实办结的督办单",
              "sv_open", moment=PERIOD_END, unit="件", source="supervision/by_community",
              help="在统计时刻已下发、尚未由街道核实通过（办结）的督办单，含待整改和待核实；不限下发时间。",
              higher_is_better=False),
    Indicator("supervision_overdue", "逾期督办", "supervision", "int", "在办督办中已过办结期限的",
              "sv_overdue", moment=PERIOD_END, unit="件", source="supervision/by_community",
              help="在统计时刻尚未办结、且已过办结期限（期限当天 23:59 之后）的督办单。", higher_is_better=False),
    Indicator("supervision_done", "办结督办", "supervision", "int", "期内经街道核实通过（办结）的督办单",
              "sv_done", unit="件", source="supervision/by_community",
              help="核实通过（办结）时间在所选期间内、截至统计时刻的督办单数。"),
    Indicator("supervision_done_rate", "督办办结率", "supervision", "pct1", "应办结督办中已核实办结的",
              "sv_done_due", "sv_due", of="应办结的督办：办结期限落在期内（截至统计时刻已到期）、或在期内办结的督办单",
              excludes="期限未到、也未办结的督办", source="supervision/by_community",
              help="督办办结率 = 已办结 ÷ 应办结。应办结：办结期限落在期内且截至统计时刻已到期、或在期内办结的督办单；"
                   "已办结：截至统计时刻经街道核实通过。社区回复后待核实的不算办结。"),
    Indicator("supervision_on_time_rate", "按期办结率", "supervision", "pct1", "应办结督办中在办结期限内（含期限当天）办结的",
              "sv_on_time", "sv_due", of="应办结的督办（同督办办结率）", excludes="期限未到、也未办结的督办",
              source="supervision/by_community",
              help="按期办结率 = 按期办结 ÷ 应办结。按期：街道核实通过的时间不晚于该督办自己的办结期限（期限当天内都算按期）；"
                   "被退回后再办结的，按最终通过的时间计。"),
]
# -- 群众满意 (issue 20; docs/rules.md §群众满意) ----------------------------------------------------
SURVEY_SAMPLE_RULE = "survey.sample_min"
INDICATORS += [
    Indicator("respondents", "受访人数", "satisfaction", "int", "期内（按调查日期）的有效问卷", "respondents",
              unit="人", source="satisfaction/by_community",
              help="期内（按调查日期）报送的问卷份数，每份一位受访者；问卷匿名，不含姓名、电话、住址。"),
    Indicator("aware_rate", "知晓率", "satisfaction", "pct1", "回答“知晓”创建工作的受访者", "aware", "respondents",
              of="期内受访者", small_sample=True, sample_rule=SURVEY_SAMPLE_RULE, interval=True,
              source="satisfaction/by_community",
              help="知晓率 = 知晓创建工作的受访者 ÷ 受访者，同时给出 95% 区间（Wilson）。"),
    Indicator("support_rate", "支持率", "satisfaction", "pct1", "回答“支持”创建工作的受访者", "supportive",
              "respondents", of="期内受访者", small_sample=True, sample_rule=SURVEY_SAMPLE_RULE, interval=True,
              source="satisfaction/by_community",
              help="支持率 = 支持创建工作的受访者 ÷ 受访者，同时给出 95% 区间（Wilson）。"),
    Indicator("satisfaction_rate", "满意率", "satisfaction", "pct1", "回答“满意”或“基本满意”的受访者", "satisfied",
              "respondents", of="期内受访者", small_sample=True, sample_rule=SURVEY_SAMPLE_RULE, interval=True,
              source="satisfaction/by_community",
              help="满意率 =（满意 + 基本满意）÷ 受访者，同时给出 95% 区间（Wilson）："
                   "区间越窄，数越可信。"),
    Indicator("followup_rate", "回访率", "satisfaction", "pct1",
              "期内整改的问题中，整改后到统计时刻有回访记录（联系上或未联系上）的", "followed", "rectified_in",
              of="期内整改、统计时刻仍为已整改的问题", excludes="无效问题；整改后又重新打开的问题",
              small_sample=True, source="satisfaction/by_community",
              help="回访率 = 期内整改的问题中已回访的 ÷ 期内整改的问题（整改生效时间在期内、统计时刻仍为已整改或已销号，"
                   "同整改时长的“期内整改”）。回访须在该次整改之后、统计时刻之前，联系上或未联系上都算回访过；"
                   "月末整改的问题常在次月回访，按季度看更稳。"),
    Indicator("followup_satisfaction_rate", "回访满意率", "satisfaction", "pct1",
              "期内联系上的回访中，回答“满意”或“基本满意”的问题", "followup_satisfied", "reached",
              of="期内（按回访时间）联系上回访对象的问题", excludes="未联系上的回访",
              small_sample=True, source="satisfaction/by_community",
              help="回访满意率 =（满意 + 基本满意）÷ 期内联系上的回访，按问题计：同一问题期内多次回访取最后一次联系上的结果。"
                   "不满意的回访列入“群众满意”页的回访清单，本身不重新打开问题。"),
]
# -- end 群众满意 -------------------------------------------------------------------------------------
BY_KEY = {i.key: i for i in INDICATORS}
AREAS = {"patrol": "网格巡查", "activity": "主题活动", "volunteer": "志愿服务", "honor": "红黑榜",
         "satisfaction": "群众满意", "composite": "综合考核",
         "supervision": "督办"}


def get(key: str) -> Indicator:
    return BY_KEY[key]


def sample_min(rules: dict | None = None, rule: str = SAMPLE_RULE) -> float:
    """The 样本不足 threshold: the rule in force, else its default (one source: rules.py)."""
    if rules and rules.get(rule) is not None:
        return float(rules[rule])
    return float(RULE_DEFAULTS[rule][0])


def _num(v) -> float | None:
    return None if formats.missing(v) else float(v)


def value(key: str, row) -> float | None:
    """The indicator's value from a row of its source query (a dict, Series or namedtuple);
    a rate with nothing to divide by is None."""
    ind = BY_KEY[key]
    get_ = (lambda c: getattr(row, c, None)) if not hasattr(row, "get") else row.get
    num = _num(get_(ind.numerator))
    if ind.denominator is None:
        return num
    den = _num(get_(ind.denominator))
    if num is None or den is None or den <= 0:
        return None
    return num / den * ind.scale


def is_small(key: str, row, rules: dict | None = None) -> bool:
    """Whether the value rests on fewer items than the 样本不足 threshold (only issue-based rates)."""
    ind = BY_KEY[key]
    if not ind.small_sample:
        return False
    get_ = (lambda c: getattr(row, c, None)) if not hasattr(row, "get") else row.get
    den = _num(get_(ind.denominator))
    return den is not None and den < sample_min(rules, ind.sample_rule)


def text(key: str, v) -> str:
    """The value as every surface shows it (94.3%, 12 件 is `text(...) + unit`)."""
    return formats.text(v, BY_KEY[key].fmt)


def rounded(key: str, v) -> float | None:
    """The value rounded as shown (exports write this, not the raw float)."""
    return formats.rounded(v, BY_KEY[key].fmt)


SHOWN_DIGITS = {"pct1": 1, "pct2": 2, "int": 0, "hours0": 0, "days0": 0, "num1": 1, "hours1": 1, "score1": 1,
                "num2": 2}


def digits(key: str) -> int:
    """Decimal places of the number a table or an export writes (a rate in %: pct2 → 2)."""
    return SHOWN_DIGITS[BY_KEY[key].fmt]


def shown(key: str, v) -> float | None:
    """The value as the number a table or an xlsx export writes, rounded as `text` reads: a rate in
    per cent (6.50 for 6.50%), anything else in its own unit."""
    r = rounded(key, v)
    if r is None:
        return None
    if BY_KEY[key].fmt in ("pct1", "pct2"):
        return formats.half_up(r * 100, digits(key))
    return r


def change(key: str, now, before) -> str | None:
    """now − before as the indicator reads (+1.3 个百分点, -2,630): the difference of the values,
    rounded 四舍五入 in the indicator's format, so every surface says the same change; None when
    either side is missing."""
    if formats.missing(now) or formats.missing(before):
        return None
    return formats.change(float(now) - float(before), BY_KEY[key].fmt)


def with_values(frame: pd.DataFrame, keys, rules: dict | None = None) -> pd.DataFrame:
    """The frame plus one column per indicator key (None where undefined) and `<key>_small` for
    those with a small-sample rule, and `small_sample` (any of them)."""
    out = frame.copy()
    flags = []
    for key in keys:
        ind = BY_KEY[key]
        if ind.numerator not in out or (ind.denominator and ind.denominator not in out):
            continue
        if ind.denominator is None:
            out[key] = pd.to_numeric(out[ind.numerator], errors="coerce")
        else:
            out[key] = pd.Series([value(key, r) for r in out[[ind.numerator, ind.denominator]].to_dict("records")],
                                 index=out.index, dtype=object)
        if ind.small_sample:
            out[f"{key}_small"] = [is_small(key, r, rules) for r in out[[ind.denominator]].to_dict("records")]
            flags.append(f"{key}_small")
    out["small_sample"] = out[flags].any(axis=1) if flags else False
    return out


# -- the moment ----------------------------------------------------------------------------------
moment = timeutil.moment


def as_of(period_end: datetime, now: datetime) -> datetime:
    """The one as-of rule: a period is measured at its end (the first moment after it), a period
    still running at `moment(now)` (filters, the screen, the 区 view and the composite all measure so)."""
    return min(period_end, moment(now))


# -- the definitions page and docs ---------------------------------------------------------------
def definition_rows(rules: dict | None = None) -> list[dict]:
    """One row per indicator in Chinese, for the 指标口径 page, the 通报's appendix and docs/."""
    n = sample_min(rules)
    rows = []
    for ind in INDICATORS:
        rows.append({
            "key": ind.key, "area": AREAS[ind.area], "name": ind.name,
            "formula": (f"{ind.counts} ÷ {ind.of}" + (" × 100" if ind.scale == 100 else "")) if ind.is_rate
            else ind.counts,
            "excludes": ind.excludes or "—",
            "moment": "所选期间的期末（进行中的期间为现在）" if ind.moment == PERIOD_END else "现在",
            "sample": (f"受访少于 {sample_min(rules, ind.sample_rule):g} 人时标“样本不足”，并给出 95% 区间（Wilson）；"
                       "计入综合考核时按街道平均收缩") if ind.interval else
                      f"少于 {n:g} 条时标“样本不足”，计入综合考核时按街道平均收缩" if ind.small_sample else "—",
            "format": {"pct1": "百分比，一位小数", "pct2": "百分比，两位小数", "int": "整数", "num1": "一位小数",
                       "num2": "两位小数", "hours0": "整数小时", "hours1": "一位小数（小时）",
                       "score1": "一位小数（分）", "days0": "整数（天）"}[ind.fmt],
            "help": ind.help,
        })
    return rows


def markdown(rules: dict | None = None) -> str:
    """docs/indicators.md: the registry in Chinese (python -m wenming docs writes it; a test keeps it current)."""
    lines = ["# 指标口径", "",
             "本文件由 `wenming/metrics.py`（指标登记表）生成，请勿手工修改：`python -m wenming docs`。",
             "每个指标在所有页面、总览、大屏、区级对比、月度通报和导出文件中都按这里的定义计算和显示。", ""]
    for area in AREAS.values():
        rows = [r for r in definition_rows(rules) if r["area"] == area]
        if not rows:
            continue
        lines += [f"## {area}", ""]
        for r in rows:
            lines += [f"### {r['name']}（`{r['key']}`）", "", r["help"], "",
                      f"- 口径：{r['formula']}", f"- 不计入：{r['excludes']}", f"- 统计时刻：{r['moment']}",
                      f"- 小样本：{r['sample']}", f"- 显示：{r['format']}", ""]
    return "\n".join(lines)
