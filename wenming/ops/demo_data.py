"""Generate one fictional 街道's canonical records: shapes, roster, issues, patrols, activities,
volunteers, service hours and 红黑榜 entries, with seasons, strong and weak 社区, hot spots and
late reporting. Deterministic for a seed. demo.py turns these into submission files."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping

from wenming.core import rules
from wenming.core.timeutil import add_months, month_start

COMMUNITY_NAMES = ["东苑", "西溪", "南湖", "北园", "和园", "青枫", "翠柳", "文昌", "桂花", "明月", "朝晖",
                   "锦绣", "新河", "春晖", "紫荆"]
STREET_NAMES = ["和风", "明德", "清波", "望湖", "长庆", "潮鸣", "天水", "武林", "朝阳", "石桥"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈")
COMPOUND = ["欧阳", "司马", "上官", "诸葛"]
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文志海燕鹏辉晓婷雪梅宇浩然子轩欣怡佳琪")
TEAMS = ["党员志愿者", "青年志愿者", "巾帼志愿者", "银龄志愿者", "文明劝导队"]
SERVICE_CONTENT = ["垃圾分类督导", "文明劝导", "敬老助老", "环境清洁", "交通劝导", "政策宣传", "关爱儿童", "治安巡逻"]
ACTIVITY_TYPES = ["文艺", "宣传", "讲座", "比赛", "评选", "走访"]
PLACES = ["社区活动室", "社区广场", "文化家园", "党群服务中心", "小区中心花园"]
CATEGORY_WEIGHTS = {
    "暴露垃圾": 14, "卫生死角": 8, "楼道堆物": 10, "乱晾晒": 4, "乱堆乱占": 7, "乱搭乱建": 1.5, "乱涂乱画": 3,
    "毁绿占绿": 2, "乱张贴/非法小广告": 9, "公益广告缺失破损": 2, "乱停乱放": 14, "乱摆摊点/占道经营": 6,
    "乱扯乱挂": 3, "路灯楼道灯不亮": 3, "井盖破损": 1.5, "路面破损": 2, "公共设施损坏": 3, "消防通道堵塞": 4,
    "电线乱拉乱接/飞线充电": 5, "消防器材缺失": 1.5, "饲养家禽/犬只管理": 2, "噪声扰民": 2, "其他": 2,
}
LIMIT = {minor: hours for items in rules.CATEGORIES.values() for minor, hours in items}
# summer brings more rubbish and 乱晾晒, winter fewer issues overall
SEASON = {1: 0.8, 2: 0.7, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.2, 7: 1.3, 8: 1.3, 9: 1.1, 10: 1.0, 11: 0.9, 12: 0.85}
RED_REASONS = {"个人": ["好人好事", "最美志愿者", "见义勇为"], "家庭": ["文明家庭", "最美家庭"],
               "楼院": ["文明楼院"], "商户": ["诚信示范店"], "单位": ["文明单位"]}
BLACK_REASONS = {"个人": ["乱停乱放曝光", "高空抛物", "不文明养犬"], "家庭": ["楼道堆物"],
                 "楼院": ["楼道堆物", "消防通道堵塞"], "商户": ["占道经营", "失信商户"], "单位": ["门前三包不落实"]}
SHOPS = ["鲜果坊", "好邻居便利店", "老王面馆", "阳光药房", "惠民超市", "小李修车铺", "四季花店", "天天洗衣"]
ESTATES = ["和园小区", "翠柳苑", "桂花新村", "明月花园", "青枫家园", "锦绣公寓"]


@dataclass
class Street:
    code: str
    name: str
    geometry: Polygon
    communities: pd.DataFrame  # community_code, community_name, residents, households, established_on, quality, geometry
    grids: pd.DataFrame  # grid_code, grid_name, community_code, grid_worker, geometry
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _name(rng: np.random.Generator) -> str:
    surname = COMPOUND[rng.integers(len(COMPOUND))] if rng.random() < 0.03 else SURNAMES[rng.integers(len(SURNAMES))]
    given = "".join(GIVEN[i] for i in rng.integers(len(GIVEN), size=1 if rng.random() < 0.3 else 2))
    return surname + given


def _random_points(geom, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points inside a polygon (rejection sampling on its box)."""
    minx, miny, maxx, maxy = geom.bounds
    out = np.empty((0, 2))
    prepared = shapely.prepared.prep(geom) if hasattr(shapely, "prepared") else None
    while len(out) < n:
        cand = np.column_stack([rng.uniform(minx, maxx, n * 2 + 8), rng.uniform(miny, maxy, n * 2 + 8)])
        inside = shapely.contains_xy(geom, cand[:, 0], cand[:, 1])
        out = np.vstack([out, cand[inside]])
    del prepared
    return out[:n]


def _partition(geom, n: int, rng: np.random.Generator) -> list:
    """Split a polygon into n cells that tile it (Voronoi of points inside, clipped)."""
    seeds = _random_points(geom, n, rng)
    for _ in range(3):  # Lloyd relaxation: rounder, more even cells
        cells = _voronoi(geom, seeds)
        seeds = np.array([[c.centroid.x, c.centroid.y] for c in cells])
    return _voronoi(geom, seeds)


def _voronoi(geom, seeds):
    regions = shapely.voronoi_polygons(MultiPoint([Point(x, y) for x, y in seeds]), extend_to=geom)
    cells = []
    for x, y in seeds:
        cell = next(r for r in regions.geoms if r.contains(Point(x, y)))
        clipped = cell.intersection(geom)
        if clipped.geom_type == "MultiPolygon":
            clipped = max(clipped.geoms, key=lambda g: g.area)
        cells.append(shapely.set_precision(clipped, 1e-7))
    return cells


def make_street(index: int, rng: np.random.Generator, today: date, county: str = "330105") -> Street:
    """The shapes and roster of one 街道; its communities' quality spreads from weak to strong."""
    cx = 120.150 + (index % 10) * 0.045
    cy = 30.270 + (index // 10) * 0.040
    angles = np.sort(rng.uniform(0, 2 * math.pi, 9))
    radius = rng.uniform(0.013, 0.017, 9)
    outline = Polygon([(cx + r * math.cos(a) * 1.15, cy + r * math.sin(a)) for a, r in zip(angles, radius)])
    outline = outline.convex_hull.buffer(0)
    code = f"{county}{99 - index % 90:03d}" if index < 90 else f"{int(county) + index // 90}{99 - index % 90:03d}"
    name = STREET_NAMES[index % len(STREET_NAMES)] + ("" if index < len(STREET_NAMES) else str(index // len(STREET_NAMES) + 1)) + "街道"
    n = int(rng.integers(12, 16))
    cells = _partition(outline, n, rng)
    cells.sort(key=lambda c: (-round(c.centroid.y, 3), c.centroid.x))
    quality = np.clip(rng.normal(0.75, 0.15, n), 0.4, 0.98)
    quality[rng.choice(n, 3, replace=False)] = rng.uniform(0.9, 0.98, 3)  # a few excellent
    weak = rng.choice(np.argsort(quality)[: n // 2], 3, replace=False)
    quality[weak] = rng.uniform(0.42, 0.55, 3)  # a few struggling
    communities, grids = [], []
    window_start = add_months(month_start(today), -13)
    for i, cell in enumerate(cells):
        ccode = f"{code}{i + 1:03d}"
        residents = int(rng.integers(3500, 9500))
        established = None
        if i == n - 1:  # the newest 社区 split off five months ago
            established = add_months(month_start(today), -5)
        communities.append(dict(community_code=ccode, community_name=COMMUNITY_NAMES[i % len(COMMUNITY_NAMES)] + "社区",
                                residents=residents, households=int(residents / rng.uniform(2.4, 2.9)),
                                established_on=established, quality=float(quality[i]), geometry=cell,
                                active_from=established or window_start))
        k = int(rng.integers(6, 11))
        for j, gcell in enumerate(_partition(cell, k, rng)):
            grids.append(dict(grid_code=f"{ccode}{j + 1:02d}", grid_name=f"{COMMUNITY_NAMES[i % len(COMMUNITY_NAMES)]}{j + 1}网格",
                              community_code=ccode, grid_worker=_name(rng), geometry=gcell))
    return Street(code, name, outline, pd.DataFrame(communities), pd.DataFrame(grids))


def generate(street: Street, rng: np.random.Generator, now: datetime) -> None:
    """Fill street.tables with canonical records up to `now`."""
    today = now.date()
    start = add_months(month_start(today), -13)
    street.tables["issues"] = _issues(street, rng, start, now)
    street.tables["patrols"] = _patrols(street, rng, start, today)
    street.tables["activities"] = _activities(street, rng, start, now)
    street.tables["volunteers"], street.tables["services"] = _volunteers(street, rng, start, now)
    street.tables["honor"] = _honor(street, rng, start, now)


def _issues(street: Street, rng, start: date, now: datetime) -> pd.DataFrame:
    days = pd.date_range(start, now.date() - timedelta(days=1), freq="D")
    cats = list(CATEGORY_WEIGHTS)
    weights = np.array(list(CATEGORY_WEIGHTS.values()))
    weights = weights / weights.sum()
    comm = street.communities.set_index("community_code")
    rows = []
    for g in street.grids.itertuples():
        c = comm.loc[g.community_code]
        hotspots = _random_points(g.geometry, 1, rng) if rng.random() < 0.35 else np.empty((0, 2))
        rate = 0.22 * (1.6 - c.quality)
        season = np.array([SEASON[d.month] for d in days])
        counts = rng.poisson(rate * season)
        active = np.array([d.date() >= c.active_from for d in days])
        counts[~active] = 0
        total = int(counts.sum())
        if not total:
            continue
        day_idx = np.repeat(np.arange(len(days)), counts)
        points = _random_points(g.geometry, total, rng)
        if len(hotspots):
            near = rng.random(total) < 0.25
            jitter = rng.normal(0, 0.00012, (int(near.sum()), 2))
            points[near] = hotspots[0] + jitter
        minutes = rng.integers(7 * 60, 19 * 60, total)
        rows.append(pd.DataFrame({
            "community_code": g.community_code, "grid_code": g.grid_code,
            "category": rng.choice(cats, total, p=weights), "lon": points[:, 0], "lat": points[:, 1],
            "found_at": days[day_idx] + pd.to_timedelta(minutes, unit="m"),
            "reporter": g.grid_worker, "quality": c.quality}))
    df = pd.concat(rows, ignore_index=True)
    df = df.sort_values("found_at", kind="stable").reset_index(drop=True)
    n = len(df)
    df["issue_no"] = df.groupby("community_code").cumcount().map(lambda i: f"XC{i + 1:06d}")
    df["issue_no"] = df["found_at"].dt.strftime("%Y%m") + "-" + df["issue_no"]
    limit = df["category"].map(LIMIT).to_numpy(float)
    slowness = np.where(df["quality"] > 0.85, 0.35, np.where(df["quality"] < 0.56, 1.6, 0.7))
    delay = limit * np.exp(rng.normal(np.log(slowness), 0.75, n))
    delay = np.maximum(delay, 0.3)
    df["rectified_at"] = (df["found_at"] + pd.to_timedelta(delay, unit="h")).dt.floor("min")
    df["closed_at"] = (df["rectified_at"] + pd.to_timedelta(rng.uniform(4, 72, n), unit="h")).dt.floor("min")
    late = rng.random(n) < np.where(df["quality"] < 0.56, 0.35, 0.04)
    report_delay = np.where(late, rng.uniform(26, 80, n), rng.uniform(0.2, 8, n))
    df["reported_at"] = (df["found_at"] + pd.to_timedelta(report_delay, unit="h")).dt.floor("min")
    roll = rng.random(n)
    df["final"] = np.where(roll < 0.015, "无效", np.where(roll < 0.035, "挂账", "ok"))
    df["reopened"] = (roll > 0.99)
    df["source"] = rng.choice(rules.ISSUE_SOURCES, n, p=[0.72, 0.12, 0.1, 0.05, 0.01])
    df["description"] = df["category"].str.replace("/", "、") + "，位于" + df["grid_code"].str[-2:] + "号网格"
    return df.drop(columns="quality")


def issue_state(df: pd.DataFrame, t: datetime) -> pd.DataFrame:
    """Each issue (found before t) as its 社区 would report it at moment t."""
    d = df[df["found_at"] < t].copy()
    rect = d["rectified_at"] <= t
    closed = d["closed_at"] <= t
    reopen_at = d["rectified_at"] + pd.Timedelta(days=6)
    rerect_at = reopen_at + pd.Timedelta(days=3)
    reopened_now = d["reopened"] & (reopen_at <= t) & (rerect_at > t)
    d["status"] = np.where(closed & ~d["reopened"], "已销号", np.where(rect, "已整改", np.where(
        d["found_at"] + pd.Timedelta(hours=2) < t, "整改中", "待整改")))
    d.loc[d["reopened"] & (rerect_at <= t), "status"] = "已整改"
    d.loc[reopened_now, "status"] = "待整改"
    d["rect_out"] = d["rectified_at"].where(d["status"].isin(["已整改", "已销号"]))
    d.loc[d["reopened"] & (rerect_at <= t), "rect_out"] = rerect_at
    d["closed_out"] = d["closed_at"].where(d["status"] == "已销号")
    special = d["final"] != "ok"
    decided = d["found_at"] + pd.Timedelta(days=2) <= t
    d.loc[special & decided, "status"] = d.loc[special & decided, "final"]
    d.loc[special & decided, ["rect_out", "closed_out"]] = pd.NaT
    return d


def _patrols(street: Street, rng, start: date, today: date) -> pd.DataFrame:
    days = pd.date_range(start, today - timedelta(days=1), freq="D")
    comm = street.communities.set_index("community_code")
    frames = []
    for g in street.grids.itertuples():
        c = comm.loc[g.community_code]
        p = 0.99 if c.quality > 0.85 else (0.84 if c.quality < 0.56 else 0.95)
        done = rng.random(len(days)) < p
        done &= np.array([d.date() >= c.active_from for d in days])
        if rng.random() < 0.12:  # a gap of several days in the last weeks
            gap_start = len(days) - int(rng.integers(6, 25))
            done[gap_start: gap_start + int(rng.integers(3, 6))] = False
        d = days[done]
        startmin = rng.integers(7 * 60 + 30, 9 * 60 + 30, len(d))
        length = rng.integers(60, 150, len(d))
        frames.append(pd.DataFrame({
            "community_code": g.community_code, "grid_code": g.grid_code, "patrol_date": d.date,
            "patroller": g.grid_worker,
            "started_at": d + pd.to_timedelta(startmin, unit="m"),
            "ended_at": d + pd.to_timedelta(startmin + length, unit="m")}))
    return pd.concat(frames, ignore_index=True)


def _activities(street: Street, rng, start: date, now: datetime) -> pd.DataFrame:
    rows = []
    month = start
    while month <= now.date():
        theme = rules.THEMES[month.month]
        short = theme.split("”")[0].strip('"“') if "”" in theme else theme.strip('"').split('"')[0]
        for c in street.communities.itertuples():
            if month < month_start(c.active_from):
                continue
            q = c.quality
            n_on = int(rng.choice([0, 1, 2, 3], p=[0.02, 0.38, 0.45, 0.15] if q > 0.8 else
                                  ([0.45, 0.45, 0.1, 0.0] if q < 0.56 else [0.12, 0.55, 0.28, 0.05])))
            n_off = int(rng.random() < 0.35)
            for k in range(n_on + n_off):
                last_day = (add_months(month, 1) - timedelta(days=1)).day
                day = month + timedelta(days=int(rng.integers(0, last_day)))
                if datetime.combine(day, datetime.min.time()) >= now - timedelta(days=1):
                    continue
                off = k >= n_on
                participants = int(c.residents * rng.uniform(0.006, 0.03 if q > 0.7 else 0.015))
                delay = rng.uniform(0.5, 5) if q > 0.6 else rng.uniform(2, 16)
                reported = datetime.combine(day, datetime.min.time()) + timedelta(days=delay, hours=9)
                reported = min(reported, now - timedelta(hours=1))
                title = (f"{short}{['专场', '主题活动', '进小区', '系列活动'][k % 4]}" if not off else
                         ["垃圾分类宣传", "健康义诊", "亲子手工", "邻里节"][int(rng.integers(4))])
                rows.append(dict(community_code=c.community_code, activity_no=f"HD{day:%Y%m}-{k + 1:02d}",
                                 activity_date=day, title=title, theme="自选" if off else None,
                                 activity_type=ACTIVITY_TYPES[int(rng.integers(len(ACTIVITY_TYPES)))],
                                 participants=participants, volunteer_count=int(rng.integers(2, 15)),
                                 place=PLACES[int(rng.integers(len(PLACES)))], reported_at=reported.replace(microsecond=0)))
        month = add_months(month, 1)
    return pd.DataFrame(rows)


def _volunteers(street: Street, rng, start: date, now: datetime) -> tuple[pd.DataFrame, pd.DataFrame]:
    vols, services = [], []
    seq = 0
    for c in street.communities.itertuples():
        share = 0.065 if c.quality > 0.85 else (0.028 if c.quality < 0.56 else 0.045)
        n = int(c.residents * share)
        for _ in range(n):
            seq += 1
            history_start = max(start - timedelta(days=365 * 5), c.active_from - timedelta(days=0 if c.established_on else 365 * 5))
            span = (now.date() - timedelta(days=2) - history_start).days
            registered = history_start + timedelta(days=int(rng.integers(0, max(span, 1))))
            if rng.random() < 0.7:  # most registered before the window
                registered = min(registered, start - timedelta(days=int(rng.integers(1, 700))))
                registered = max(registered, c.active_from if c.established_on else registered)
            level = rng.choice(["super", "core", "regular", "casual"], p=[0.02, 0.08, 0.3, 0.6])
            vols.append(dict(volunteer_no=f"V{c.community_code}{seq:05d}", name=_name(rng),
                             gender="女" if rng.random() < 0.62 else "男", birth_year=int(rng.integers(1948, 2005)),
                             phone="1" + str(int(rng.choice([3, 5, 7, 8, 9]))) + "".join(map(str, rng.integers(0, 10, 9))),
                             community_code=c.community_code, team=TEAMS[int(rng.integers(len(TEAMS)))],
                             registered_on=registered, level=level, quality=c.quality))
    vdf = pd.DataFrame(vols)
    rec = 0
    for v in vdf.itertuples():
        month = month_start(v.registered_on)
        while month <= now.date():
            in_window = month >= start
            if v.level == "super":
                k, hours = (int(rng.integers(8, 13)), (3, 6)) if in_window else (4, (8, 12))
            elif v.level == "core":
                k, hours = (int(rng.integers(4, 9)), (2, 4)) if in_window else (2, (5, 9))
            elif v.level == "regular":
                k, hours = (int(rng.integers(1, 3)), (1.5, 3)) if in_window else (int(rng.random() < 0.5), (2, 6))
            else:
                k, hours = (int(rng.random() < 0.35), (1, 3)) if in_window else (0, (1, 2))
            k = int(k * (0.6 + v.quality * 0.5))
            last_day = (add_months(month, 1) - timedelta(days=1)).day
            for _ in range(k):
                day = month + timedelta(days=int(rng.integers(0, last_day)))
                if day < v.registered_on or day >= now.date():
                    continue
                rec += 1
                services.append((f"FW{street.code}{rec:07d}", v.volunteer_no, v.community_code, day,
                                 round(float(rng.uniform(*hours)) * 2) / 2,
                                 SERVICE_CONTENT[int(rng.integers(len(SERVICE_CONTENT)))],
                                 None if rng.random() < (0.08 if v.quality > 0.6 else 0.3) else "社区工作者"))
            month = add_months(month, 1)
    sdf = pd.DataFrame(services, columns=["record_no", "volunteer_no", "community_code", "service_date", "hours",
                                          "content", "verifier"])
    # one volunteer whose week looks implausible, for the review list
    if len(sdf):
        target = vdf[vdf["level"] == "super"].head(1)
        if not target.empty:
            day = now.date() - timedelta(days=20)
            monday = day - timedelta(days=day.weekday())
            for i in range(6):
                rec += 1
                sdf.loc[len(sdf)] = [f"FW{street.code}{rec:07d}", target.iloc[0].volunteer_no,
                                     target.iloc[0].community_code, monday + timedelta(days=i), 11.5, "防汛值守", "社区工作者"]
    return vdf.drop(columns=["level", "quality"]), sdf


def _honor(street: Street, rng, start: date, now: datetime) -> pd.DataFrame:
    rows = []
    month = start
    codes = list(street.communities["community_code"])
    quality = dict(zip(street.communities["community_code"], street.communities["quality"]))
    active = dict(zip(street.communities["community_code"], street.communities["active_from"]))
    while month <= now.date():
        published = month + timedelta(days=int(rng.integers(23, 27)))
        if published >= now.date():
            month = add_months(month, 1)
            continue
        for board, count in (("红榜", int(rng.integers(5, 9))), ("黑榜", int(rng.integers(3, 6)))):
            weights = np.array([quality[c] if board == "红榜" else (1.05 - quality[c]) for c in codes]) ** 2
            weights = np.array([w if active[c] <= published else 0 for c, w in zip(codes, weights)])
            chosen = rng.choice(codes, count, p=weights / weights.sum())
            for k, community in enumerate(chosen):
                kind = rng.choice(rules.HONOR_OBJECT_TYPES, p=[0.45, 0.2, 0.15, 0.15, 0.05])
                reasons = RED_REASONS if board == "红榜" else BLACK_REASONS
                category = reasons[kind][int(rng.integers(len(reasons[kind])))]
                estate = ESTATES[int(rng.integers(len(ESTATES)))]
                name = {"个人": _name(rng),
                        "家庭": f"{_name(rng)}家庭（{estate}{int(rng.integers(1, 20))}幢{int(rng.integers(1, 5))}单元{int(rng.integers(1, 19))}0{int(rng.integers(1, 4))}室）",
                        "楼院": f"{estate}{int(rng.integers(1, 20))}幢",
                        "商户": SHOPS[int(rng.integers(len(SHOPS)))],
                        "单位": ["区图书馆分馆", "社区卫生服务站", "第二幼儿园", "物业服务中心"][int(rng.integers(4))]}[kind]
                deadline = published + timedelta(days=30) if board == "黑榜" else None
                fixed = None
                if board == "黑榜" and rng.random() < 0.75:
                    fixed = published + timedelta(days=int(rng.integers(5, 40)))
                    if fixed >= now.date():
                        fixed = None
                rows.append(dict(community_code=community, entry_no=f"HB{month:%Y%m}-{board[0]}{k + 1:02d}",
                                 period=month, board=board, object_type=kind, object_name=name,
                                 reason_category=category, reason=f"{category}（{month.month}月）",
                                 published_on=published, rectify_deadline=deadline, fixed_on=fixed))
        month = add_months(month, 1)
    return pd.DataFrame(rows)


def honor_state(df: pd.DataFrame, t: date) -> pd.DataFrame:
    """Entries published by t, with the status their 社区 would report at t."""
    d = df[df["published_on"] <= t].copy()
    fixed = d["fixed_on"].notna() & (d["fixed_on"].map(lambda x: x is not None and x <= t))
    d["status"] = np.where(fixed, "已整改销号",
                           np.where((d["board"] == "黑榜") & (d["published_on"] + timedelta(days=7) <= t), "整改中", "在榜"))
    d["removed_on"] = d["fixed_on"].where(fixed)
    d["removed_note"] = np.where(fixed, "经复查已整改到位，予以销号", None)
    return d


def geojson(street: Street) -> dict:
    """The 街道, its 社区 and 网格 as a 边界 FeatureCollection."""
    features = [dict(type="Feature", geometry=mapping(street.geometry),
                     properties={"层级": "街道", "编码": street.code, "名称": street.name})]
    for c in street.communities.itertuples():
        features.append(dict(type="Feature", geometry=mapping(c.geometry), properties={
            "层级": "社区", "编码": c.community_code, "名称": c.community_name, "上级编码": street.code,
            "常住人口": c.residents, "户数": c.households}))
    for g in street.grids.itertuples():
        features.append(dict(type="Feature", geometry=mapping(g.geometry), properties={
            "层级": "网格", "编码": g.grid_code, "名称": g.grid_name, "上级编码": g.community_code,
            "网格员": g.grid_worker}))
    return dict(type="FeatureCollection", features=features)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


# -- 群众满意 (issue 20): surveys and 回访, from their own seeded generator -------------------------
# Drawn after every other stream and from a separate generator (seed + SATISFACTION_SEED), so the
# other demo numbers are exactly as before. A few well-ranked 社区 have unhappy residents: their
# own reports look good, their residents disagree (the /satisfaction page's 自评与民评 note).
SATISFACTION_SEED = 20_020
SURVEY_METHOD_WEIGHTS = {"入户": 0.5, "电话": 0.2, "线上": 0.2, "街头": 0.1}


def disagreeing_communities(street: Street, rng: np.random.Generator) -> list[str]:
    """Two of the four best-reporting 社区 whose residents are markedly less satisfied."""
    best = street.communities.sort_values("quality", ascending=False)["community_code"].head(4).tolist()
    return sorted(rng.choice(best, 2, replace=False).tolist())


def survey_rounds(start: date, now: datetime) -> list[tuple[date, date]]:
    """One survey round a quarter, in its middle month from the 5th to the 20th, that began before now."""
    rounds = []
    m = month_start(start)
    while m <= now.date():
        if m.month % 3 == 2:
            first, last = m + timedelta(days=4), m + timedelta(days=19)
            if first < now.date():
                rounds.append((first, min(last, now.date() - timedelta(days=1))))
        m = add_months(m, 1)
    return rounds


def surveys(street: Street, rng: np.random.Generator, rounds: list[tuple[date, date]],
            unhappy: list[str]) -> pd.DataFrame:
    """One row per anonymous respondent: 50–150 per 社区 per round; answers follow the 社区's quality,
    except in the `unhappy` 社区."""
    rows = []
    methods, weights = list(SURVEY_METHOD_WEIGHTS), np.array(list(SURVEY_METHOD_WEIGHTS.values()))
    for q, (first, last) in enumerate(rounds):
        span = max((last - first).days, 0)
        for c in street.communities.itertuples():
            if c.active_from > last:
                continue
            n = int(rng.integers(50, 151))
            quality = 0.45 if c.community_code in unhappy else float(c.quality)
            grids = street.grids[street.grids["community_code"] == c.community_code]["grid_name"].tolist()
            p_full = 0.15 + 0.6 * quality
            p_basic = 0.2
            answer = rng.random(n)
            rows.append(pd.DataFrame({
                "survey_no": [f"WJ{first:%Y%m}-{c.community_code[-3:]}-{i + 1:03d}" for i in range(n)],
                "community_code": c.community_code, "community_name": c.community_name,
                "survey_date": [first + timedelta(days=int(d)) for d in rng.integers(0, span + 1, n)],
                "aware": np.where(rng.random(n) < 0.6 + 0.35 * quality, "是", "否"),
                "supportive": np.where(rng.random(n) < 0.75 + 0.22 * quality, "是", "否"),
                "satisfaction": np.where(answer < p_full, "满意", np.where(answer < p_full + p_basic, "基本满意", "不满意")),
                "grid": [grids[i] if grids and r < 0.8 else None
                         for i, r in zip(rng.integers(0, max(len(grids), 1), n), rng.random(n))],
                "age_group": rng.choice(rules.SURVEY_AGE_GROUPS, n, p=[0.05, 0.3, 0.35, 0.3]),
                "method": rng.choice(methods, n, p=weights / weights.sum()),
                "round": q}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def followups(rectified: pd.DataFrame, quality: dict[str, float], rng: np.random.Generator, now: datetime,
              unhappy: list[str]) -> pd.DataFrame:
    """回访 of rectified issues (`rectified`: community_code, issue_no, rectified_at): most within a
    week of the rectification; better 社区 follow up more and please more."""
    if rectified.empty:
        return pd.DataFrame()
    df = rectified.copy()
    q = df["community_code"].map(quality).fillna(0.7).to_numpy(float)
    q_answer = np.where(df["community_code"].isin(unhappy), 0.4, q)
    n = len(df)
    chosen = rng.random(n) < 0.25 + 0.6 * q
    # in office hours (9:00–19:00) on one of the seven days after the rectification
    days = pd.to_timedelta(rng.integers(1, 8, n), unit="D")
    clock = pd.to_timedelta(rng.uniform(9 * 60, 19 * 60, n), unit="min")
    df["followed_at"] = (pd.to_datetime(df["rectified_at"]).dt.floor("D") + days + clock).dt.floor("min")
    roll = rng.random(n)
    satisfied = 0.35 + 0.6 * q_answer
    df["result"] = np.where(roll < 0.12, "未联系上", np.where(
        roll < 0.12 + 0.88 * satisfied * 0.7, "满意", np.where(roll < 0.12 + 0.88 * satisfied, "基本满意", "不满意")))
    df["method"] = rng.choice(rules.FOLLOWUP_METHODS[:3], n, p=[0.75, 0.2, 0.05])
    keep = chosen & (df["followed_at"] < pd.Timestamp(now - timedelta(hours=1))).to_numpy()
    return df[keep].reset_index(drop=True)
# -- end 群众满意 ---------------------------------------------------------------------------------
