"""Interface language: a small in-code table, ``tr(key) -> zh or en``.

Qt's .ts/.qm tooling (lupdate, lrelease, Linguist) is heavy for two languages and a few
hundred strings; a dict keeps the strings next to each other and testable. The language is
chosen from QSettings ``ui/language`` or the system locale (``init_language``); changing it
at run time rebuilds the main window's pages.
"""
from __future__ import annotations

from gui.i18n_models import MODEL_TEXTS
from gui.settings import setting

LANGS = ("zh", "en")
_lang = "en"

_T: dict[str, tuple[str, str]] = {
    # app and main window
    "app_title": ("ReviewLens 评论洞察", "ReviewLens"),
    "offline": ("离线运行：数据不会离开这台电脑", "Offline: no data leaves this computer"),
    "menu_file": ("文件(&F)", "&File"),
    "menu_tools": ("工具(&T)", "&Tools"),
    "menu_help": ("帮助(&H)", "&Help"),
    "new_project": ("新建项目…", "New project…"),
    "open_project": ("打开项目…", "Open project…"),
    "import_file": ("导入评论表格…", "Import reviews…"),
    "export_report": ("导出 Excel 报告…", "Export Excel report…"),
    "quit": ("退出", "Quit"),
    "train_model": ("训练模型…", "Train a model…"),
    "model_manager": ("模型管理…", "Models…"),
    "settings": ("设置…", "Settings…"),
    "tasks_lexicon": ("自定义任务与方面词…", "Custom tasks and aspect terms…"),
    "reanalyse": ("重新分析", "Re-analyse"),
    "about": ("关于", "About"),
    "about_text": ("ReviewLens {v}\n离线评论洞察工具。所有分析都在本机完成。",
                   "ReviewLens {v}\nOffline review insights. All analysis runs on this computer."),
    "user_guide": ("使用说明…", "User guide…"),
    "tab_start": ("开始", "Start"),
    "tab_dashboard": ("概览", "Dashboard"),
    "tab_reviews": ("评论", "Reviews"),
    "tab_label": ("标注", "Labelling"),
    "no_project": ("未打开项目", "No project open"),
    "project_status": ("项目：{name} · {counts}", "Project: {name} · {counts}"),
    "stored_n": ("{n} 条评论", "{n} reviews"),
    "error": ("出错了", "Something went wrong"),
    "crash_text": ("ReviewLens 遇到意外错误。详细信息已保存到：\n{path}",
                   "ReviewLens hit an unexpected error. Details were saved to:\n{path}"),
    "unexpected": ("意外错误（{kind}）：详情见 {path}", "Unexpected error ({kind}): details in {path}"),
    "busy_cancel": ("取消", "Cancel"),
    "working": ("处理中…", "Working…"),
    "done": ("完成", "Done"),
    "project_filter": ("ReviewLens 项目 (*.rlproj)", "ReviewLens project (*.rlproj)"),
    "sheet_filter": ("评论表格 (*.xlsx *.xls *.csv *.tsv *.txt)", "Review spreadsheets (*.xlsx *.xls *.csv *.tsv *.txt)"),
    "need_project": ("请先新建或打开一个项目。", "Create or open a project first."),
    "need_analysis": ("请先导入并分析评论。", "Import and analyse reviews first."),
    "analysing": ("正在分析…", "Analysing…"),
    "loading": ("正在载入…", "Loading…"),
    # start page
    "start_title": ("欢迎使用 ReviewLens", "Welcome to ReviewLens"),
    "start_hint": ("新建项目后导入淘宝、京东、拼多多、亚马逊等平台导出的评论表格。\n也可以直接把表格文件拖到窗口里。",
                   "Create a project, then import a review export from Taobao, JD, Pinduoduo, Amazon…\n"
                   "You can also drop a spreadsheet onto this window."),
    "recent": ("最近的项目", "Recent projects"),
    "recent_empty": ("（暂无）", "(none yet)"),
    # import wizard
    "import_title": ("导入评论", "Import reviews"),
    "pick_file": ("选择文件", "Choose a file"),
    "pick_file_sub": ("选择评论表格，以及包含评论的工作表。", "Choose the review export and the sheet that holds the reviews."),
    "file": ("文件", "File"),
    "browse": ("浏览…", "Browse…"),
    "sheet": ("工作表", "Sheet"),
    "auto": ("自动", "Automatic"),
    "columns_title": ("核对列", "Check the columns"),
    "columns_sub": ("已自动识别各列（括号内为把握度）。如有不对请修改。",
                    "Columns were detected automatically (confidence in brackets). Change any that are wrong."),
    "preview": ("预览（前 20 行）", "Preview (first 20 rows)"),
    "role_text": ("评论内容", "Review text"),
    "role_rating": ("评分", "Rating"),
    "role_date": ("日期", "Date"),
    "role_product": ("商品", "Product"),
    "role_sku": ("SKU/规格", "SKU / variant"),
    "role_followup": ("追评", "Follow-up"),
    "role_reply": ("商家回复", "Seller reply"),
    "none_col": ("（无）", "(none)"),
    "title_row": ("第 1 行视为标题行，表头在第 2 行。", "Row 1 is treated as a title row; the header is row 2."),
    "title_rows": ("第 1–{n} 行视为标题行，表头在第 {h} 行。", "Rows 1–{n} are treated as title rows; the header is row {h}."),
    "counts": ("共 {rows} 行：空白 {empty}，重复 {dup}，默认好评等占位 {ph}",
               "{rows} rows: {empty} empty, {dup} duplicates, {ph} placeholders"),
    "counting": ("正在统计…", "Counting…"),
    "analyse_title": ("分析", "Analyse"),
    "analyse_sub": ("读取全部评论、存入项目并分析。可随时取消。", "Read every review, store it in the project and analyse it. You can cancel at any time."),
    "start_analysis": ("开始分析", "Analyse"),
    "eta": ("剩余约 {s}", "about {s} left"),
    "overall": ("总进度 {p}%", "{p} % overall"),
    "cancelled": ("已取消", "Cancelled"),
    "confirm_cancel_import": ("正在导入和分析。要停止吗？已读取的评论不会保存。",
                              "The import is still running. Stop it? Nothing of it will be saved."),
    "confirm_quit_busy": ("还有分析、导入或训练在进行。仍要退出吗？进行中的工作会被取消。",
                          "An analysis, import or training is still running. Quit anyway? It will be cancelled."),
    "analysed_n": ("完成：{counts}", "Done: {counts}"),
    # dashboard
    "kpi_reviews": ("评论（含已跳过）", "Reviews (incl. skipped)"),
    "kpi_pos": ("正面（占已分析）", "Positive (of analysed)"),
    "kpi_neu": ("中性（占已分析）", "Neutral (of analysed)"),
    "kpi_neg": ("负面（占已分析）", "Negative (of analysed)"),
    "kpi_rating": ("平均评分", "Average rating"),
    "kpi_mismatch": ("评分与内容不符", "Rating/text mismatches"),
    "kpi_tip": ("{label}：{value}（点击查看对应评论）", "{label}: {value} (click to see these reviews)"),
    "sentiment_split": ("情感分布", "Sentiment split"),
    "aspects_chart": ("各方面的提及（正面 / 中性 / 负面）", "Aspect mentions (positive / neutral / negative)"),
    "count_summary": ("{n} 条评论 · 已分析 {a} · 已跳过 {s}", "{n} reviews · {a} analysed · {s} skipped"),
    "bar_tip_share": ("{label} · {seg}：{n}（{share}，点击筛选）", "{label} · {seg}: {n} ({share}; click to filter)"),
    "neg_note": ("负面 {share}", "{share} neg."),
    "stored_tip": ("项目文件中保存了 {n} 条不同的评论（相同内容只存一次，空白行不存）。",
                   "The project file stores {n} distinct reviews (identical texts once, empty rows not at all)."),
    "trend": ("负面趋势", "Negative trend"),
    "by_week": ("按周", "Weekly"),
    "by_month": ("按月", "Monthly"),
    "products": ("商品对比", "Products"),
    "fix_list": ("优先改进", "What to fix first"),
    "fix_item": ("{rank}. {name}：{n} 条评论受影响（{share}）{extra}", "{rank}. {name}: hurts {n} reviews ({share}){extra}"),
    "fix_low": ("，{n} 条低分", ", {n} low ratings"),
    "fix_refund": ("，{n} 条要求退换", ", {n} refund/return requests"),
    "fix_rising": ("，↑ 上升", ", ↑ rising"),
    "fix_falling": ("，↓ 下降", ", ↓ falling"),
    "fix_flat": ("，→ 持平", ", → flat"),
    "fix_products": ("主要商品：{p}", "Products most affected: {p}"),
    "fix_tip": ("点击查看这 {n} 条评论", "Click to see these {n} reviews"),
    "fix_none": ("没有发现需要改进的具体问题", "No concrete problem found"),
    # the report's words (core/report/cells.py), not the platforms' 好评/差评 (star ratings)
    "positive": ("正面", "positive"),
    "neutral": ("中性", "neutral"),
    "negative": ("负面", "negative"),
    "point_tip": ("{label}：{n} 条评论，负面 {share}（点击筛选）", "{label}: {n} reviews, {share} negative (click to filter)"),
    "no_data": ("暂无数据", "No data"),
    # browser
    "search": ("搜索评论…", "Search reviews…"),
    "any": ("全部", "Any"),
    "f_sentiment": ("情感", "Sentiment"),
    "f_aspect": ("方面", "Aspect"),
    "f_intent": ("意图", "Intent"),
    "f_product": ("商品", "Product"),
    "f_rating": ("评分", "Rating"),
    "f_topic": ("话题", "Topic"),
    "f_polarity": ("方面情感", "Aspect polarity"),
    "f_source": ("来源文件", "Source file"),
    "f_analysed": ("仅已分析", "Analysed only"),
    "search_chip": ("搜索", "Search"),
    "remove_filter": ("移除此筛选", "Remove this filter"),
    "f_from": ("从", "From"),
    "f_to": ("到", "To"),
    "f_mismatch": ("仅评分不符", "Mismatches only"),
    "clear_filters": ("清除筛选", "Clear filters"),
    "export_list": ("导出列表…", "Export list…"),
    "mask_short": ("隐藏个人信息", "Mask personal data"),
    "list_written": ("已导出 {n} 条到 {p}", "Exported {n} reviews to {p}"),
    "shown": ("显示 {n} / {total} 条", "{n} of {total} reviews"),
    "col_row": ("行", "Row"),
    "col_sentiment": ("情感", "Sentiment"),
    "col_conf": ("把握度", "Confidence"),
    "col_rating": ("评分", "Rating"),
    "col_product": ("商品", "Product"),
    "col_date": ("日期", "Date"),
    "col_aspects": ("方面", "Aspects"),
    "col_intents": ("意图", "Intents"),
    "col_mismatch": ("不符", "Mismatch"),
    "col_text": ("评论", "Review"),
    "clauses": ("分句结果", "Clause-level results"),
    "skipped": ("已跳过：{why}", "Skipped: {why}"),
    # labelling
    "sentiment": ("情感", "Sentiment"),
    "label": ("标签", "Label"),
    "intents": ("意图", "Intents"),
    "aspects": ("方面情感", "Aspect polarity"),
    "aspect_now": ("方面：{aspect}（本条评论第 {i} / {n} 个）", "Aspect: {aspect} ({i} of {n} in this review)"),
    "aspect_pos": ("评论 {i} / {n}", "Review {i} of {n}"),
    "aspect_help": ("1–3：当前方面的情感（负面/中性/正面）\n←/→：上一个/下一个方面\n↑/↓：上一条/下一条评论\n"
                    "Z：撤销\nS：跳过\n?：显示本说明",
                    "1–3: polarity of the current aspect (negative / neutral / positive)\n←/→: previous / next aspect\n"
                    "↑/↓: previous / next review\nZ: undo\nS: skip\n?: show this sheet"),
    "task": ("任务", "Task"),
    "start_labeling": ("开始标注", "Start labelling"),
    "model_guess": ("模型判断：{label}（把握度 {conf}）", "Model's guess: {label} ({conf} sure)"),
    "no_guess": ("（此任务暂无模型判断）", "(no model guess for this task)"),
    "queue_pos": ("第 {i} / {n} 条", "{i} of {n}"),
    "queue_empty": ("队列为空：点“开始标注”取一批评论。", "The queue is empty: press Start labelling to fetch a batch."),
    "queue_done": ("这一批已标完。", "This batch is done."),
    "labeled_as": ("已标注：{v}", "Labelled: {v}"),
    "enough": ("每类 {n} 条即可重新训练", "{n} per class is enough to retrain"),
    "shortcuts": ("快捷键", "Keyboard shortcuts"),
    "shortcut_text": ("1–9：选择标签\n←/→：上一条/下一条\nZ：撤销\nS：跳过\n?：显示本说明",
                      "1–9: choose a label\n←/→: previous / next\nZ: undo\nS: skip\n?: show this sheet"),
    "undo": ("撤销 (Z)", "Undo (Z)"),
    "skip": ("跳过 (S)", "Skip (S)"),
    "help_keys": ("快捷键 (?)", "Shortcuts (?)"),
    "my_labels": ("我的标注…", "My labels…"),
    "col_source": ("来源", "Source"),
    "col_when": ("标注时间", "Labelled at"),
    "src_owner": ("手动标注", "labelled here"),
    "src_import": ("导入", "imported"),
    "change_to": ("改为", "Change to"),
    "change_label": ("修改", "Change"),
    "labels_n": ("{n} 条标注", "{n} labels"),
    "confirm_delete_label": ("删除标注“{v}”？", "Delete the label “{v}”?"),
    # training
    "train_title": ("训练模型", "Train a model"),
    "choose_task": ("选择任务", "Choose the task"),
    "choose_task_sub": ("用你的标注训练一个新模型。", "Train a new model from your labels."),
    "balance": ("标注数量与类别平衡", "Labels and class balance"),
    "too_few": ("这些类别的标注少于 {n} 条：{c}。可以训练并查看新模型，但每个已标注的类别都达到 {n} 条后才能启用。",
                "Fewer than {n} labels for: {c}. The new model can be trained and inspected, but activated only "
                "once every labelled class has {n}."),
    "none_for": ("还没有这些类别的标注：{c}。", "No labels yet for: {c}."),
    "cannot_train": ("至少需要两个类别各有 2 条标注。", "At least two classes need 2 labels each."),
    "balance_ok": ("数量足够。", "Enough labels."),
    "mode": ("训练方式", "Training mode"),
    "quick": ("快速（几秒到几分钟，只训练分类层）", "Quick (seconds to minutes, trains the classifier head)"),
    "full": ("完整（较慢，微调整个模型）", "Full (slower, fine-tunes the whole model)"),
    "training": ("训练中", "Training"),
    "results": ("结果", "Results"),
    "results_sub": ("新模型与当前模型在同一批保留评论上的对比。", "New vs current model on the same held-out reviews."),
    "metric": ("指标", "Metric"),
    "new_model": ("新模型", "New model"),
    "current_model": ("当前模型", "Current model"),
    "accuracy": ("准确率", "Accuracy"),
    "macro_f1": ("宏平均 F1", "Macro-F1"),
    "per_class": ("各类别 F1", "Per-class F1"),
    "confusion": ("混淆矩阵（行=真实，列=预测）", "Confusion matrix (rows = true, columns = predicted)"),
    "verdict_better": ("新模型更好：宏平均 F1 {new} 对 {cur}（同一批 {n} 条保留评论）。",
                       "The new model is better: macro-F1 {new} vs {cur} on the same {n} held-out reviews."),
    "verdict_same": ("新模型与当前模型差不多：宏平均 F1 {new} 对 {cur}（{n} 条评论）。多标注一些再试。",
                     "About as good as the current model: macro-F1 {new} vs {cur} ({n} reviews). Label more."),
    "verdict_worse": ("新模型更差：宏平均 F1 {new} 对 {cur}（{n} 条评论）。建议保留当前模型。",
                      "The new model is worse: macro-F1 {new} vs {cur} ({n} reviews). Keep the current one."),
    "verdict_first": ("此任务的第一个模型：准确率 {acc}，宏平均 F1 {new}（{n} 条保留评论）。",
                      "First model for this task: accuracy {acc}, macro-F1 {new} on {n} held-out reviews."),
    "activate": ("启用新模型", "Activate"),
    "discard": ("放弃", "Discard"),
    "activate_anyway": ("没有证据表明新模型比当前模型更好。仍要启用吗？",
                        "The new model has not been shown to be better than the current one. Activate it anyway?"),
    "activated": ("已为本项目启用 {v}", "Activated {v} for this project"),
    "discarded": ("已放弃新模型", "New model discarded"),
    "no_training": ("此版本没有训练模块（core/training 尚未提供）。", "Retraining is not available in this build (core/training is missing)."),
    # model manager
    "models_title": ("模型管理", "Models"),
    "col_version": ("版本", "Version"),
    "col_created": ("创建时间", "Created"),
    "col_task": ("任务", "Task"),
    "col_data": ("数据量", "Data"),
    "col_metrics": ("指标", "Metrics"),
    "col_active": ("使用中", "Active"),
    "bundled": ("内置默认模型", "Bundled default"),
    "rollback": ("回滚", "Roll back"),
    "delete": ("删除", "Delete"),
    "export_folder": ("导出到文件夹…", "Export to folder…"),
    "import_folder": ("从文件夹导入…", "Import folder…"),
    "confirm_delete": ("删除模型 {v}？", "Delete model {v}?"),
    "rollback_none": ("正在使用内置默认模型，没有可以回滚到的更早版本。",
                      "The bundled default model is in use: there is no earlier version to roll back to."),
    "rolled_back": ("已回滚到 {v}", "Rolled back to {v}"),
    "close": ("关闭", "Close"),
    # export
    "export_title": ("导出 Excel 报告", "Export Excel report"),
    "report_lang": ("报告语言", "Report language"),
    "mask": ("隐藏手机号、地址等个人信息", "Mask phone numbers, addresses and other personal data"),
    "sheets": ("工作表", "Sheets"),
    "save_as": ("保存为", "Save as"),
    "export": ("导出", "Export"),
    "open_file": ("打开报告", "Open report"),
    "show_folder": ("打开所在文件夹", "Show folder"),
    "written": ("已保存：{p}", "Saved: {p}"),
    "confirm_overwrite": ("“{p}”已存在。要替换它吗？", "“{p}” already exists. Replace it?"),
    # settings
    "settings_title": ("设置", "Settings"),
    "ui_lang": ("界面语言", "Interface language"),
    "device": ("计算设备", "Device"),
    "device_auto": ("自动", "Automatic"),
    "device_cpu": ("CPU", "CPU"),
    "device_gpu": ("GPU (CUDA)", "GPU (CUDA)"),
    "in_use": ("当前使用：{d}", "In use: {d}"),
    "not_loaded": ("尚未载入模型", "no model loaded yet"),
    "threads": ("CPU 线程数", "CPU threads"),
    "threads_auto": ("自动", "Automatic"),
    "mask_default": ("导出时默认隐藏个人信息", "Mask personal data in reports by default"),
    "projects_dir": ("项目文件夹", "Projects folder"),
    "models_dir": ("模型文件夹", "Models folder"),
    "restart_note": ("语言更改会立即生效；快速模式从下一次分析起生效。",
                     "Language changes apply immediately; fast mode from the next analysis."),
    # tasks/lexicon
    "tasks_title": ("自定义任务与方面词", "Custom tasks and aspect terms"),
    "new_task": ("新任务", "New task"),
    "task_name": ("名称", "Name"),
    "task_name_hint": ("例如：尺码是否合适", "e.g. Fit & size"),
    "task_key": ("保存为：{k}", "Stored as: {k}"),
    "task_name_needed": ("请填写任务名称。", "Type a name for the task."),
    "task_labels": ("标签（逗号分隔）", "Labels (comma-separated)"),
    "multi": ("可多选", "Several labels per review"),
    "add_task": ("添加任务", "Add task"),
    "task_added": ("已添加任务 {n}", "Added task {n}"),
    "lexicon": ("方面词库", "Aspect lexicon"),
    "aspect": ("方面", "Aspect"),
    "term": ("词语", "Term"),
    "language": ("语言", "Language"),
    "add_term": ("添加词语", "Add term"),
    "term_added": ("已把“{t}”加入 {a}", "Added '{t}' to {a}"),
    "reapply": ("重新分析以应用", "Re-analyse to apply"),
}
_T.update(MODEL_TEXTS)


# intents (core.analysis.intents.INTENTS) by their keys
_INTENTS: dict[str, tuple[str, str]] = {
    "complaint": ("投诉", "Complaint"),
    "refund_return": ("退换货", "Refund / return"),
    "question": ("咨询", "Question"),
    "suggestion": ("建议", "Suggestion"),
    "praise": ("表扬", "Praise"),
    "repurchase": ("回购", "Repurchase"),
    "logistics_problem": ("物流问题", "Delivery problem"),
}
BUILTIN_TASKS = ("sentiment", "aspects", "intents")
POLARITIES = ("positive", "neutral", "negative")


def set_language(lang: str) -> None:
    global _lang
    _lang = lang if lang in LANGS else "en"
    from gui.qt_translations import install_qt_translations

    install_qt_translations(_lang)


def task_name(name: str) -> str:
    """A task's name: the built-in ones translated, a custom one as its owner typed it (core
    stores only the key, so the typed name is kept in the settings: ``tasks/<key>/name``)."""
    if name in BUILTIN_TASKS:
        return tr(name)
    return str(setting(f"tasks/{name}/name", "") or name)


def intent_name(key: str) -> str:
    pair = _INTENTS.get(key)
    return key if pair is None else pair[0 if _lang == "zh" else 1]


def intents_text(value: object, sep: str = ", ") -> str:
    """A results cell of intents ("complaint;question") in words."""
    return sep.join(intent_name(k) for k in str(value or "").split(";") if k)


def aspect_name(key: str, names: dict | None = None) -> str:
    """An aspect's name in the interface language: from ``names`` (Insights.aspect_names)
    when given, else from the aspect lexicon, else the key."""
    found = (names or {}).get(key, {}).get(_lang)
    if found:
        return found
    return _lexicon_names().get(key, {}).get(_lang) or key


def _lexicon_names() -> dict:
    global _LEXICON_NAMES
    if _LEXICON_NAMES is None:
        try:
            from core.analysis import load_lexicon

            _LEXICON_NAMES = dict(load_lexicon().names)
        except Exception:  # noqa: BLE001 - a broken user lexicon must not break every label
            _LEXICON_NAMES = {}
    return _LEXICON_NAMES


_LEXICON_NAMES: dict | None = None


def label_name(task: str, value: str, names: dict | None = None) -> str:
    """A label of ``task`` in words: polarities translated, "aspect:polarity" as both names,
    intents by name; a custom task's labels are the owner's own words, shown as typed."""
    if value in POLARITIES and task in ("sentiment", "aspects"):
        return tr(value)
    if task == "aspects" and ":" in value:
        aspect, _, polarity = value.rpartition(":")
        return f"{aspect_name(aspect, names)}{'：' if _lang == 'zh' else ': '}{tr(polarity)}"
    if task == "intents":
        return intent_name(value)
    if task == "sentiment":
        return tr(value)
    return value


def language() -> str:
    return _lang


def tr(key: str, **fmt: object) -> str:
    """The text for ``key`` in the current language (the key itself when unknown)."""
    pair = _T.get(key)
    text = key if pair is None else pair[0 if _lang == "zh" else 1]
    return text.format(**fmt) if fmt else text


def system_language() -> str:
    from PySide6.QtCore import QLocale

    return "zh" if QLocale.system().language() == QLocale.Language.Chinese else "en"


def init_language() -> str:
    """Pick the language from settings, else the system locale; returns it."""
    lang = setting("ui/language", "") or system_language()
    set_language(str(lang))
    return _lang


def keys() -> list[str]:
    return list(_T)
