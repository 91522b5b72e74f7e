"""Default scoring rules, categories and theme calendar (docs/rules.md).

These are only the defaults: the live rules are rows in the database (`rule_values`,
`category_rules`, `theme_calendar`), versioned by the month they take effect and edited on
/admin. `db.init_schema` seeds them from here the first time.
"""

# 大类 -> [(小类, default 处置时限 in hours)]
CATEGORIES: dict[str, list[tuple[str, int]]] = {
    "市容环境": [("暴露垃圾", 4), ("卫生死角", 24), ("楼道堆物", 48), ("乱晾晒", 24),
             ("乱堆乱占", 24), ("乱搭乱建", 480), ("乱涂乱画", 48), ("毁绿占绿", 120)],
    "宣传广告": [("乱张贴/非法小广告", 24), ("公益广告缺失破损", 72)],
    "街面秩序": [("乱停乱放", 4), ("乱摆摊点/占道经营", 4), ("乱扯乱挂", 24)],
    "设施管理": [("路灯楼道灯不亮", 72), ("井盖破损", 24), ("路面破损", 120), ("公共设施损坏", 120)],
    "消防安全": [("消防通道堵塞", 4), ("电线乱拉乱接/飞线充电", 24), ("消防器材缺失", 72)],
    "其他": [("饲养家禽/犬只管理", 72), ("噪声扰民", 24), ("其他", 72)],
}

ISSUE_STATUSES = ["待整改", "整改中", "已整改", "已销号", "挂账", "无效"]
RECTIFIED_STATUSES = ["已整改", "已销号"]
ISSUE_SOURCES = ["网格巡查", "居民反映", "12345热线", "督查检查", "其他"]

THEMES = {
    1: '"春之馨"文艺调演', 2: '"读书月"活动', 3: '"法律伴你行"宣传活动',
    4: '"敬老爱老家庭"创建活动', 5: '"禁黄赌毒"宣传活动', 6: '"夏之声"文艺活动',
    7: '"邻里和睦"创建活动', 8: '"爱我家园"演讲比赛', 9: '"大家唱卡拉OK"比赛',
    10: '"秋之果"文艺活动', 11: '"棋牌比赛"活动', 12: '"冬之星"各类评选活动',
}

# 群众满意 (docs/formats.md §问卷, §回访; docs/rules.md §群众满意)
SURVEY_YES_NO = ["是", "否"]
SURVEY_SATISFACTION = ["满意", "基本满意", "不满意"]
SURVEY_SATISFIED = ["满意", "基本满意"]  # counted as satisfied in 满意率 and 回访满意率
SURVEY_METHODS = ["入户", "电话", "线上", "街头"]
SURVEY_AGE_GROUPS = ["18岁以下", "18-39岁", "40-59岁", "60岁及以上"]
FOLLOWUP_RESULTS = ["满意", "基本满意", "不满意", "未联系上"]
FOLLOWUP_METHODS = ["电话", "上门", "短信", "线上", "其他"]

HONOR_OBJECT_TYPES = ["个人", "家庭", "楼院", "商户", "单位"]
HONOR_BOARDS = ["红榜", "黑榜"]
HONOR_STATUSES = ["在榜", "整改中", "已整改销号", "已到期"]

# name -> (default value, Chinese label shown to users, unit/help)
RULE_DEFAULTS: dict[str, tuple[float, str]] = {
    # 网格巡查
    "patrol.sample_min": (10, "样本不足的门槛（条）"),
    "patrol.report_within_hours": (24, "上报及时：发现后多少小时内报送"),
    "patrol.hotspot_cell_m": (50, "复发点位网格边长（米）"),
    "patrol.hotspot_min_issues": (3, "复发点位：30 天内至少几条问题"),
    "patrol.hotspot_days": (30, "复发点位统计天数"),
    "patrol.gap_days": (3, "连续几天无巡查记录算漏巡"),
    # 主题活动 (monthly 100 points)
    "activity.done_points": (40, "完成：当月至少一次主题活动"),
    "activity.participation_points": (30, "参与：每千名居民参与人次"),
    "activity.participation_full_permille": (20, "参与满分对应的千人参与人次"),
    "activity.richness_points_each": (10, "丰富：每次活动得分"),
    "activity.richness_max_count": (2, "丰富：最多计几次"),
    "activity.timely_points": (10, "及时：7 天内报送的比例 × 分值"),
    "activity.timely_days": (7, "及时报送天数"),
    # 志愿服务
    "volunteer.star1": (100, "一星志愿者累计时长（小时）"),
    "volunteer.star2": (300, "二星志愿者累计时长（小时）"),
    "volunteer.star3": (600, "三星志愿者累计时长（小时）"),
    "volunteer.star4": (1000, "四星志愿者累计时长（小时）"),
    "volunteer.star5": (1500, "五星志愿者累计时长（小时）"),
    "volunteer.registration_target": (0.05, "注册率目标（占常住人口）"),
    "volunteer.active_days": (90, "活跃志愿者：近多少天内服务过"),
    "volunteer.weekly_hours_flag": (60, "一周服务时长超过多少小时提示核查"),
    "volunteer.hours_per_100_full": (20, "每百名居民月服务时长满分线（小时）"),
    # 红黑榜
    "honor.expiry_months": (3, "上榜后几个月自动到期"),
    "honor.rectify_days": (30, "黑榜默认整改期限（天）"),
    "honor.board_size": (3, "社区红黑榜每月上榜个数 N"),
    # 综合考核 weights and rule lines
    "composite.patrol.on_time": (20, "网格巡查：按期整改率 × 分值"),
    "composite.patrol.rectified": (5, "网格巡查：整改率 × 分值"),
    "composite.patrol.coverage": (10, "网格巡查：巡查覆盖率 × 分值"),
    "composite.patrol.timely": (5, "网格巡查：上报及时率 × 分值"),
    "composite.patrol.rework": (0, "网格巡查：（1 − 返工率）× 分值（默认 0，不计入）"),
    "composite.activity.factor": (0.25, "主题活动：月度活动得分 × 系数"),
    "composite.volunteer.registration": (10, "志愿服务：注册率/目标（封顶 1）× 分值"),
    "composite.volunteer.hours": (10, "志愿服务：每百人月时长/满分线（封顶 1）× 分值"),
    "composite.volunteer.active": (5, "志愿服务：活跃志愿者占比 × 分值"),
    "composite.honor.base": (6, "红黑榜：基础分"),
    "composite.honor.red_each": (1, "红黑榜：每条当月红榜加分"),
    "composite.honor.black_each": (2, "红黑榜：每条在榜/整改中黑榜扣分"),
    "composite.honor.max": (10, "红黑榜：分值上限"),
    "composite.shrink_items": (10, "小样本收缩：按街道均值补足的条数"),
    # 群众满意 (docs/rules.md §群众满意): off (weight 0) until a 街道 turns it on from a month on
    "survey.sample_min": (30, "问卷样本不足的门槛（受访人数）"),
    "survey.window_months": (3, "综合考核取近几个月（含当月）的问卷"),
    "composite.satisfaction.survey": (0, "群众满意：问卷满意率 × 分值（0 为不计入）"),
    "composite.satisfaction.followup": (0, "群众满意：回访率 × 分值（0 为不计入）"),
}

# Submission deadlines per kind for the 报送情况 board.
SUBMISSION_DEADLINES = {
    "巡查记录": "每日 16:00 前报送当日巡查记录",
    "主题活动": "活动结束后 7 天内报送",
    "巡查问题": "每月 5 日前报送上月台账",
    "服务时长": "每月 5 日前报送上月台账",
    "志愿者": "每月 5 日前报送上月台账",
    "红黑榜": "每月 5 日前报送上月台账",
    "问卷": "每季度调查结束后 10 日内报送",
    "回访": "整改后 7 日内回访并报送",
}


def load(db, street_code: str, month) -> dict[str, float]:
    """Every rule's value in force for a 街道 in a month (a 街道's own rule beats the default)."""
    frame = db.named("system/rule_values", street=street_code, month=month)
    values = {name: default for name, (default, _) in RULE_DEFAULTS.items()}
    values.update(dict(zip(frame["name"], frame["value"].astype(float))))
    return values


def load_many(db, street_codes, month) -> dict[str, dict[str, float]]:
    """`load` for several 街道 at once (one query): street_code -> every rule's value in force."""
    codes = list(dict.fromkeys(street_codes))
    if not codes:
        return {}
    frame = db.named("system/rule_values_streets", streets=codes, month=month)
    out = {code: {name: default for name, (default, _) in RULE_DEFAULTS.items()} for code in codes}
    for code, name, value in zip(frame["street_code"], frame["name"], frame["value"].astype(float)):
        out[code][name] = value
    return out


def default(name: str) -> float:
    """A rule's default value (what counts until an admin sets another on /admin)."""
    return RULE_DEFAULTS[name][0]


def with_defaults(values: dict) -> dict[str, float]:
    """Rule values as read from the database, every rule missing there filled from its default."""
    out = {name: default for name, (default, _) in RULE_DEFAULTS.items()}
    out.update({k: float(v) for k, v in values.items() if v is not None and v == v})
    return out
