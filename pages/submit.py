"""数据报送: upload files, see every problem, download templates, the log and the 报送情况 board."""
import json
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from wenming import ingest
from wenming.core import auth
from wenming.core import config
from wenming.reports import submit as submit_model
from wenming.ingest.kinds import KINDS
from wenming.ingest.problems import column_cell
from wenming.ops import templates
from wenming.ui import page, state, tables, uploads, widgets
from wenming.honor.metrics import md_escape

db, user = page.begin("submit")
scope = user.scope()
now = db.now()
may_upload = user.role in ("admin", "community")

st.title("数据报送")
st.caption("各社区按模板报送台账；每个文件整体接收或整体拒收，拒收时列出每一处问题。原始文件一律归档。")

# only the open tab runs and is sent (the 报送情况 board and the log are the heavy ones); the tab is
# kept in the URL, so a link can open 报送情况
tab_upload, tab_board, tab_log, tab_templates = st.tabs(["上传文件", "报送情况", "报送记录", "模板下载"],
                                                        key="submit_tab", bind="query-params")

with tab_upload:
    if tab_upload.open is not False:
        if not may_upload:
            st.info("街道领导账号只读，不能上传。数据由社区或街道管理员报送。", icon=":material/lock:")
        else:
            if user.role == "community":
                st.caption(f"您只能报送 **{md_escape(user.place)}** 的数据（服务时长按志愿者所属社区计）。")
            max_mb = config.get_int("max_upload_mb")
            # Streamlit's own dropzone speaks English ("Drag and drop", "Limit … per file", its type and
            # size refusals): every type is let through and checked here, its limit set above ours
            # (.streamlit/config.toml), and its words replaced by ours
            st.html(uploads.DROPZONE_CSS)
            with st.form("upload", clear_on_submit=True):
                files = st.file_uploader("选择文件（.xlsx、.xls、.ods、.csv、Unicode 文本 .txt 或边界 .geojson，可多选）",
                                         type=None, accept_multiple_files=True)
                st.caption(uploads.hint(max_mb))
                c1, c2 = st.columns(2)
                kind = c1.selectbox("数据种类", [None, *KINDS, "边界"], format_func=lambda k: "按表头自动判断" if k is None else k)
                coords = c2.selectbox("坐标系（文件中没有坐标系列时使用）", [None, "GCJ02", "BD09", "WGS84"],
                                      format_func=lambda c: {None: "以文件为准", "GCJ02": "GCJ-02（高德、腾讯）",
                                                             "BD09": "BD-09（百度）", "WGS84": "WGS-84（GPS、天地图）"}[c])
                submitted = st.form_submit_button("开始导入", type="primary", icon=":material/upload:")
            if submitted and files:
                results = []
                progress = st.progress(0.0, text="正在导入……")
                for i, upload in enumerate(files, start=1):
                    refusal = uploads.refusal(upload.name, upload.size, max_mb)
                    if refusal is not None:  # not read at all: the wrong type, or too big
                        auth.audit(db, user.username, "导入", file=upload.name, outcome="rejected", reason=refusal.message)
                        results.append(refusal)
                        progress.progress(i / len(files), text=f"已处理 {i}/{len(files)}：{upload.name}")
                        continue
                    with tempfile.TemporaryDirectory() as tmp:
                        path = Path(tmp) / Path(upload.name).name
                        path.write_bytes(upload.getbuffer())
                        result = ingest.import_file(db, path, kind=kind, coords=coords, user=user.username, scope=scope)
                    auth.audit(db, user.username, "导入", file=upload.name, outcome=result.outcome,
                               submission=result.submission_id)
                    results.append(result)
                    progress.progress(i / len(files), text=f"已处理 {i}/{len(files)}：{upload.name}")
                st.session_state["upload_results"] = results
            for n, result in enumerate(st.session_state.get("upload_results", [])):
                box = {"accepted": st.success, "unchanged": st.info, "rejected": st.error}[result.outcome]
                box(f"**{result.file_name}**：{result.message}")
                if result.problems:
                    table = pd.DataFrame([{"级别": p.level, "工作表": p.sheet, "行": p.row,
                                           "列": column_cell(p.column, p.letter), "值": p.value, "问题": p.reason}
                                          for p in result.problems])
                    st.dataframe(table, hide_index=True, width="stretch",
                                 column_config={"行": st.column_config.NumberColumn(format="%d")})
                    widgets.download_xlsx(db, "下载问题清单（xlsx）", table, f"问题清单_{Path(result.file_name).stem}.xlsx",
                                          key=f"problems_{n}", sheet="问题清单")

with tab_board:
    if tab_board.open is not False:
        with state.guarded("报送情况"):
            board = submit_model.board_now(db, scope, now=now)
            street_names = dict(zip(board["street_code"], board["street_name"]))
            if len(street_names) > 1:
                pick = st.selectbox("街道", [None, *street_names], key="submit_street", width=280,
                                    format_func=lambda c: "全部街道" if c is None else street_names[c])
                if pick is not None:
                    board = board[board["street_code"] == pick]
            several = board["street_code"].nunique() > 1  # 社区 names repeat across 街道: say which
            late = submit_model.late_list(board, with_street=several)
            c1, c2, c3 = st.columns(3)
            widgets.kpi(c1, "应报项目", f"{len(board)}", help="社区数 × 报送种类（巡查问题、巡查记录、主题活动、服务时长）")
            widgets.kpi(c2, "按时", f"{(board['status'] == '按时').sum()}")
            widgets.kpi(c3, "逾期或未报送", f"{len(late)}", inverse=True)
            st.markdown("##### 催报清单")
            if late.empty:
                st.success("所有社区均已按时报送。")
            else:
                tables.paged_dataframe(late, key="submit_late", hide_index=True, width="stretch",
                                       column_config={"最近报送": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
            st.markdown("##### 各社区报送情况")
            tables.paged_dataframe(submit_model.board_wide(board, with_street=several), key="submit_board",
                                   hide_index=True, width="stretch")
            st.caption("时限：巡查记录每日 16:00 前报送；主题活动结束后 7 天内报送；巡查问题、服务时长每月 5 日前报送上月台账。")

with tab_log:
    if tab_log.open is not False:
        with state.guarded("报送记录"):
            widgets.show_flash("submit_withdraw")
            log = submit_model.log(db, scope)
            if log.empty:
                widgets.empty_note("还没有任何报送")
            else:
                shown = log.rename(columns={"submission_id": "编号", "imported_at": "导入时间", "file_name": "文件",
                                            "kind": "种类", "community_name": "社区", "submitted_by": "报送人",
                                            "row_count": "行数", "inserted": "新增", "updated": "更新",
                                            "outcome_label": "结果", "problem_count": "问题数", "withdraw_reason": "撤回原因"})
                tables.paged_dataframe(shown[["编号", "导入时间", "文件", "种类", "社区", "报送人", "行数", "新增", "更新", "结果",
                                              "问题数", "撤回原因"]], key="submit_log", hide_index=True, width="stretch",
                                       column_config={"导入时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
                rejected = log[log["outcome"] == "rejected"]
                if not rejected.empty:
                    box = st.expander("查看拒收文件的问题", key="submit_rejected_open", on_change="rerun")
                    if box.open:  # built only once opened
                        with box:
                            pick = st.selectbox("拒收的报送", rejected["submission_id"],
                                                format_func=lambda i: f"#{i} {rejected.set_index('submission_id').loc[i, 'file_name']}")
                            problems = json.loads(rejected.set_index("submission_id").loc[pick, "problems"] or "[]")
                            st.dataframe(pd.DataFrame([{"级别": p.get("level"), "工作表": p.get("sheet"), "行": p.get("row"),
                                                        "列": column_cell(p.get("column") or "", p.get("letter") or ""),
                                                        "值": p.get("value"), "问题": p.get("reason")} for p in problems]),
                                         hide_index=True, width="stretch")
                if user.role == "admin":
                    accepted = log[(log["outcome"] == "accepted") & log["withdrawn_at"].isna()]
                    box = st.expander("撤回一次报送（管理员）", icon=":material/undo:", key="submit_withdraw_open",
                                      on_change="rerun")
                    if box.open:  # built only once opened
                        with box:
                            st.caption("撤回后，该文件带来的版本不再计入，记录回到此前的状态；报送记录保留撤回人和原因。")
                            with st.form("withdraw"):
                                pick = st.selectbox("报送", accepted["submission_id"],
                                                    format_func=lambda i: f"#{i} {accepted.set_index('submission_id').loc[i, 'file_name']}")
                                reason = st.text_input("撤回原因（必填）")
                                if st.form_submit_button("确认撤回", type="primary"):
                                    try:
                                        name = ingest.withdraw(db, int(pick), user=user.username, reason=reason)
                                        auth.audit(db, user.username, "撤回报送", submission=int(pick), reason=reason)
                                    except ValueError as exc:
                                        st.error(str(exc))
                                    else:  # the log above is drawn again with 已撤回 and the reason
                                        widgets.flash("submit_withdraw", f"已撤回 #{pick} {md_escape(name)}")

with tab_templates:
    if tab_templates.open is not False:
        with state.guarded("模板下载"):
            streets = submit_model.streets(db, scope)
            if streets.empty:
                st.info("还没有导入名册：请先下载名册模板，填好后在“上传文件”中导入；其他模板按名册生成。")
                choices = []
            else:
                choices = list(zip(streets["street_code"], streets["street_name"]))
            code = None
            if len(choices) > 1:
                code = st.selectbox("街道", choices, format_func=lambda c: f"{c[1]}（{c[0]}）", key="tpl_street")[0]
            elif choices:
                code = choices[0][0]
            key = f"templates_{code}_{db.version}"  # regenerated after an import changes the roster or rules
            if key not in st.session_state:
                ctx = templates.street_context(db, code) if code else templates.generic_context()
                st.session_state[key] = (ctx.label, templates.templates(ctx))
            label, files = st.session_state[key]
            st.write(f"每种数据一个模板，按**{label}**的名册和规则生成：第一行为表头（带 * 的为必填列），"
                     "带下拉箭头的列从列表中选择（问题类别、状态、来源、坐标系、榜单、对象类型及本街道的社区、网格）；"
                     "“示例”工作表是一行示例，“填写说明”解释每一列和允许的取值。")
            cols = st.columns(4)
            for i, (name, data) in enumerate(files.items()):
                kind_name = name.removesuffix("模板.xlsx").split("_")[-1]
                cols[i % 4].download_button(f"{kind_name}模板", data, file_name=name, key=f"tpl_{kind_name}",
                                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                            icon=":material/description:", width="stretch",
                                            on_click=lambda n=name: auth.audit(db, user.username, "下载模板", file=n))
        st.caption("边界文件为 GeoJSON FeatureCollection：每个要素的 properties 含 层级（街道/社区/网格）、编码、名称、上级编码；"
                   "社区另含 常住人口、户数，网格另含 网格员。坐标为 WGS-84 经纬度（或导入时指定坐标系）。")
