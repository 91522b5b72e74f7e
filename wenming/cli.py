"""python -m wenming import | demo | users | bench | bulletin | restore | export-parquet | serve-inbox

Exit codes: 0 success, 1 a file was rejected (import) or the command failed, 2 usage error.
"""
from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from wenming import config


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with a Chinese hint
        self.print_usage(sys.stderr)
        print(f"用法错误：{message}", file=sys.stderr)
        sys.exit(2)


def _db_path(args) -> Path:
    return Path(args.db) if getattr(args, "db", None) else config.db_path()


def cmd_import(args) -> int:
    from wenming import inbox
    results = inbox.import_files([Path(f) for f in args.files], db_path=_db_path(args), kind=args.kind,
                                 coords=args.coords, user=args.user)
    rejected = False
    for r in results:
        print(f"{r['file_name']}：{r['message']}")
        for p in r["problems"]:
            where = " ".join(x for x in [f"工作表「{p['sheet']}」" if p.get("sheet") else "",
                                         f"第 {p['row']} 行" if p.get("row") is not None else "",
                                         f"「{p['column']}」列" if p.get("column") else ""] if x)
            value = f"值「{p['value']}」" if p.get("value") else ""
            print(f"  [{p['level']}] {where} {value} {p['reason']}".replace("  ", " "))
        rejected |= r["outcome"] == "rejected"
    return 1 if rejected else 0


def cmd_demo(args) -> int:
    from wenming import demo
    path = _db_path(args)
    today = date.fromisoformat(args.today) if args.today else None
    print(f"正在生成演示数据库 {path}（规模 {args.scale}，种子 {args.seed}）……")
    stats = demo.build(path, scale=args.scale, seed=args.seed, today=today)
    print("完成：" + "，".join(f"{k} {v}" for k, v in stats.items()))
    return 0


def cmd_users(args) -> int:
    from wenming import auth
    from wenming.db import Database
    db = Database(_db_path(args))
    if args.action == "add":
        password = sys.stdin.readline().rstrip("\n") if not sys.stdin.isatty() else __import__("getpass").getpass("密码：")
        try:
            user = auth.add_user(db, args.name, password, role=args.role, street_code=args.street,
                                 community_code=args.community, by="cli")
        except ValueError as exc:
            print(f"未创建：{exc}", file=sys.stderr)
            return 1
        print(f"已创建账号 {user.username}（{user.role_label}{'，' + user.place if user.place else ''}）")
        return 0
    for u in auth.list_users(db).itertuples():
        print(f"{u.username}\t{u.role}\t{u.street_code or ''}\t{u.community_code or ''}\t{'停用' if u.disabled else '启用'}")
    return 0


def cmd_bench(args) -> int:
    from wenming import bench
    return bench.main(args)


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

    p = sub.add_parser("users", help="账号管理")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("name", nargs="?")
    p.add_argument("--role", choices=["admin", "district", "leader", "community", "screen"])
    p.add_argument("--street")
    p.add_argument("--community")
    p.add_argument("--db")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("bench", help="基准测试：每个页面的服务器耗时与发送字节")
    p.add_argument("--scales", default="1,100", help="逗号分隔的规模，如 1,10,100")
    p.add_argument("--out", default=str(config.ROOT / "bench" / "results.md"))
    p.add_argument("--quick", action="store_true", help="只测规模 1，用于冒烟")
    p.set_defaults(func=cmd_bench)

    args = parser.parse_args(argv)
    if args.command == "users" and args.action == "add" and (not args.name or not args.role):
        parser.error("users add 需要账号名和 --role")
    if args.command == "demo" and args.today:
        try:
            date.fromisoformat(args.today)
        except ValueError:
            parser.error("--today 应为 YYYY-MM-DD")
    from wenming.db import DatabaseUnavailable
    try:
        return args.func(args)
    except DatabaseUnavailable as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
