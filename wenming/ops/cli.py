"""python -m wenming import | demo | users | bench | bulletin | restore | export-parquet | serve-inbox

Exit codes: 0 success, 1 a file was rejected (import) or the command failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from wenming.core import config


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with a Chinese hint
        self.print_usage(sys.stderr)
        print(f"用法错误：{_chinese_usage(message)}", file=sys.stderr)
        sys.exit(2)


_USAGE_PHRASES = [  # argparse's English messages -> Chinese
    (r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)", r"参数 \1 的取值 \2 无效，可选：\3"),
    (r"the following arguments are required: (.+)", r"缺少必需的参数：\1"),
    (r"unrecognized arguments: (.+)", r"无法识别的参数：\1"),
    (r"argument (\S+): expected one argument", r"参数 \1 需要一个值"),
    (r"argument (\S+): invalid (\w+) value: (.+)", r"参数 \1 的值 \3 无效"),
]


def _chinese_usage(message: str) -> str:
    import re
    for pattern, replacement in _USAGE_PHRASES:
        if re.fullmatch(pattern, message):
            return re.sub(pattern, replacement, message)
    return message


def _db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else config.db_path()


def cmd_import(args) -> int:
    from wenming.ingest import inbox
    from wenming.ingest.problems import column_text
    results = inbox.import_files([Path(f) for f in args.files], db_path=_db_path(args), kind=args.kind,
                                 coords=args.coords, user=args.user)
    rejected = False
    for r in results:
        print(f"{r['file_name']}：{r['message']}")
        for p in r["problems"]:
            where = " ".join(x for x in [f"工作表「{p['sheet']}」" if p.get("sheet") else "",
                                         f"第 {p['row']} 行" if p.get("row") is not None else "",
                                         column_text(p.get("column") or "", p.get("letter") or "")] if x)
            value = f"值「{p['value']}」" if p.get("value") else ""
            print(f"  [{p['level']}] {where} {value} {p['reason']}".replace("  ", " "))
        rejected |= r["outcome"] == "rejected"
    return 1 if rejected else 0


def cmd_demo(args) -> int:
    from wenming.ops import demo
    path = _db_path(args)
    today = date.fromisoformat(args.today) if args.today else None
    print(f"正在生成演示数据库 {path}（规模 {args.scale}，种子 {args.seed}）……")
    stats = demo.build(path, scale=args.scale, seed=args.seed, today=today)
    print("完成：" + "，".join(f"{k} {v}" for k, v in stats.items()))
    return 0


def _read_password() -> str:
    """The password from standard input (one line), or typed at a terminal without echo."""
    if sys.stdin is None:
        return ""
    if sys.stdin.isatty():
        return __import__("getpass").getpass("密码：")
    return sys.stdin.readline().rstrip("\r\n")


def cmd_users(args) -> int:
    from wenming.core import auth
    from wenming.core.db import Database
    db = Database(_db_path(args))
    try:
        if args.action == "add":
            try:
                user = auth.add_user(db, args.name, _read_password(), role=args.role, street_code=args.street,
                                     community_code=args.community, by="cli")
            except ValueError as exc:
                print(f"未创建：{exc}", file=sys.stderr)
                return 1
            print(f"已创建账号 {user.username}（{user.role_label}{'，' + user.place if user.place else ''}）")
            return 0
        if args.action in ("disable", "enable"):
            try:
                auth.set_disabled(db, args.name, args.action == "disable", by="cli")
            except ValueError as exc:
                print(f"未{'停用' if args.action == 'disable' else '启用'}：{exc}", file=sys.stderr)
                return 1
            print(f"已{'停用账号 ' + args.name + '，其登录已全部结束' if args.action == 'disable' else '启用账号 ' + args.name}")
            return 0
        if args.action == "reset":
            try:
                auth.reset_password(db, args.name, _read_password(), by="cli")
            except ValueError as exc:
                print(f"未重置：{exc}", file=sys.stderr)
                return 1
            print(f"已重置 {args.name} 的密码（并解除锁定、结束其所有登录）")
            return 0
        for u in auth.list_users(db).itertuples():
            print(f"{u.username}\t{u.role}\t{u.street_code or ''}\t{u.community_code or ''}\t{'停用' if u.disabled else '启用'}")
        return 0
    finally:
        db.close()


def cmd_bulletin(args) -> int:
    from wenming.reports import bulletin
    from wenming.core.db import Database
    from wenming.core.timeutil import month_of
    month = month_of(args.month)
    if month is None:
        print("用法错误：--month 应为 2025-10 这样的月份", file=sys.stderr)
        return 2
    out = Path(args.out)
    kind = out.suffix.lower().lstrip(".")
    if kind not in bulletin.FORMATS:
        print("用法错误：--out 的扩展名应为 .docx、.xlsx、.html 或 .pdf", file=sys.stderr)
        return 2
    db = Database(_db_path(args))
    streets = db.named("system/streets")["street_code"].tolist()
    street = args.street or (streets[0] if len(streets) == 1 else None)
    if street not in streets:
        print(f"错误：{'请用 --street 指定街道编码' if street is None else '未知街道编码 ' + street}"
              f"（可选：{'、'.join(streets[:20])}）", file=sys.stderr)
        return 1
    from wenming.reports.bulletin_print import PdfError
    b = bulletin.build(db, street, month)
    try:
        data = bulletin.render(b, kind)
    except PdfError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    except OSError as exc:
        print(f"错误：无法写入 {out}（{exc.strerror or exc}）", file=sys.stderr)
        return 1
    mark = f"；暂定稿：早于 {b.close_at:%Y-%m-%d} 取数截止" if b.provisional else ""
    print(f"已生成 {b.title}（数据截至 {b.known_at:%Y-%m-%d %H:%M}{mark}）：{out}")
    return 0


def cmd_bench(args) -> int:
    from wenming.ops import bench
    return bench.main(args)


def cmd_backup(args) -> int:
    from wenming.ops import backup
    try:
        made = backup.open_and_backup(_db_path(args))
    except backup.BackupError as exc:
        print(f"未备份：{exc}", file=sys.stderr)
        return 1
    kept = len(backup.list_backups(_db_path(args)))
    print(f"已备份到 {made}（保留最近 {config.get_int('backup_count')} 份，现有 {kept} 份）")
    return 0


def cmd_restore(args) -> int:
    from wenming.ops import backup
    path = _db_path(args)
    found = backup.list_backups(path)
    if args.list or not args.backup:
        if not found:
            print(f"{backup.backup_dir(path)} 中没有 {path.name} 的备份")
            return 0 if args.list else 1
        print(f"{path.name} 的备份（最新在前）：")
        for b in found:
            print(f"  {b.label}")
        if not args.list:
            print("恢复某一份：python -m wenming restore 文件名", file=sys.stderr)
            return 1
        return 0
    try:
        kept = backup.restore(path, args.backup)
    except backup.BackupError as exc:
        print(f"未恢复：{exc}", file=sys.stderr)
        return 1
    print(f"已用备份 {args.backup} 恢复 {path}" + (f"；原文件保留为 {kept}" if kept else ""))
    return 0


def cmd_export_parquet(args) -> int:
    from wenming.ops import parquet
    from wenming.core.db import Database
    db = Database(_db_path(args), read_only=True)
    try:
        counts = parquet.export(db, Path(args.dir))
    finally:
        db.close()
    print(f"已导出到 {args.dir}（按 street_code=街道编码/month=年-月 分区的 Parquet）：")
    for table, n in counts.items():
        print(f"  {table}\t{n}")
    return 0


def cmd_docs(args) -> int:
    from wenming import metrics
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(metrics.markdown(), encoding="utf-8")
    print(f"已写入 {out}（{len(metrics.INDICATORS)} 个指标）")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m wenming", description="文明创建督导看板：导入、演示数据、账号与基准测试")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("import", help="导入报送文件（每个文件单独接收或拒收）")
    p.add_argument("files", nargs="+")
    p.add_argument("--db")
    p.add_argument("--kind", help="数据种类；不填则按表头自动判断")
    p.add_argument("--coords", help="文件中没有坐标系列时使用的坐标系：WGS84、GCJ02 或 BD09")
    p.add_argument("--user", default="cli")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("demo", help="生成演示街道数据库")
    p.add_argument("--db")
    p.add_argument("--scale", type=int, default=1)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--today", help="演示数据的“今天”，YYYY-MM-DD")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("users", help="账号管理：add 新建、list 列出、disable 停用、enable 启用、reset 重置密码（密码从标准输入读入）")
    p.add_argument("action", choices=["add", "list", "disable", "enable", "reset"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["admin", "district", "leader", "community", "screen"])
    p.add_argument("--street")
    p.add_argument("--community")
    p.add_argument("--db")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("bulletin", help="生成月度通报（.docx、.xlsx、可打印的 .html 或 .pdf）")
    p.add_argument("--month", required=True, help="月份，如 2025-10")
    p.add_argument("--street", help="街道编码；库中只有一个街道时可省略")
    p.add_argument("--out", required=True, help="输出文件，扩展名决定格式")
    p.add_argument("--db")
    p.set_defaults(func=cmd_bulletin)

    p = sub.add_parser("bench", help="基准测试：每个页面的服务器耗时与发送字节，以及在浏览器中到空闲的时间")
    p.add_argument("--scales", default="1,100", help="逗号分隔的规模，如 1,100")
    p.add_argument("--browser", action=argparse.BooleanOptionalAction, default=True,
                   help="也在无头 Chromium 中测量每个页面（默认测量；--no-browser 只测服务器端）")
    p.add_argument("--visits", type=int, default=3, help="浏览器“热”访问的次数，取中位数（默认 3）")
    p.add_argument("--out", default=str(config.ROOT / "bench" / "results.md"))
    p.add_argument("--quick", action="store_true", help="只测规模 1，用于冒烟")
    p.add_argument("--pages", help="只测这些页面（逗号分隔的 URL 路径，如 patrol,ranking）")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("backup", help="立即备份数据库到数据库旁的 backups/（看板运行时每天自动备份）")
    p.add_argument("--db")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="从 backups/ 中的备份恢复数据库（看板须先停止）；--list 列出备份")
    p.add_argument("backup", nargs="?", help="备份文件名、路径或时间戳（如 20261122-093000）")
    p.add_argument("--db")
    p.add_argument("--list", action="store_true", help="只列出备份")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser("export-parquet", help="把数据导出为按街道和月份分区的 Parquet（供分布式查询引擎使用）")
    p.add_argument("dir")
    p.add_argument("--db")
    p.set_defaults(func=cmd_export_parquet)

    p = sub.add_parser("docs", help="由指标登记表重新生成 docs/indicators.md（指标口径）")
    p.add_argument("--out", default=str(config.ROOT / "docs" / "indicators.md"))
    p.set_defaults(func=cmd_docs)

    args = parser.parse_args(argv)
    if args.command == "users" and args.action == "add" and (not args.name or not args.role):
        parser.error("users add 需要账号名和 --role")
    if args.command == "users" and args.action in ("disable", "enable", "reset") and not args.name:
        parser.error(f"users {args.action} 需要账号名")
    if args.command == "demo" and args.today:
        try:
            date.fromisoformat(args.today)
        except ValueError:
            parser.error("--today 应为 YYYY-MM-DD")
    import duckdb
    from wenming.core.db import DatabaseUnavailable
    try:
        return args.func(args)
    except DatabaseUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except duckdb.Error as exc:  # a damaged file found mid-command: a Chinese message, not a traceback
        from wenming.core.db import looks_damaged
        what = "数据库文件可能已损坏或不完整，请从备份恢复（python -m wenming restore）" if looks_damaged(exc) \
            else "数据库操作失败"
        print(f"错误：{what}（{type(exc).__name__}）", file=sys.stderr)
        return 1
