"""Interface texts about models (training results, the model manager, the dashboard's model
line, fast mode), merged into ``gui.i18n``'s table; kept here so i18n.py stays readable."""
from __future__ import annotations

MODEL_TEXTS: dict[str, tuple[str, str]] = {
    # training results
    "verdict_unsure": ("证据不足，无法说明新模型更好：宏平均 F1 {new} 对 {cur}（{n} 条评论）。多标注一些评论再训练。",
                       "Not enough evidence that the new model is better: macro-F1 {new} vs {cur} ({n} reviews). "
                       "Label more reviews, then train again."),
    "need_more": ("还需再标注 {what}评论，才能启用这个模型。",
                  "Label {what} reviews before this model can be activated."),
    "need_more_part": ("{n} 条“{c}”", "{n} more '{c}'"),
    "and": ("和 ", " and "),
    "interval": ("宏平均 F1 之差 {d}（90% 区间 {lo} 至 {hi}），基于 {n} 条两个模型都没有训练过的评论。",
                 "Macro-F1 difference {d} (90 % interval {lo} to {hi}) on {n} reviews neither model trained on."),
    "no_interval": ("比较基于 {n} 条评论，没有区间（评论太少或没有当前模型可比）。",
                    "Compared on {n} reviews; no interval (too few reviews, or no current model to compare with)."),
    "figure": ("宏平均 F1 {f1}（n = {n}）", "Macro-F1 {f1} (n = {n})"),
    "figure_no_n": ("宏平均 F1 {f1}", "Macro-F1 {f1}"),
    "reanalyse_now": ("现在用新模型重新分析本项目的评论吗？", "Re-analyse the project's reviews with the new model now?"),
    # import wizard (core.importing.reader's notes)
    "date_note": ("日期列“{c}”：{n} 个非空单元格中只有 {ok} 个是日期，其余留空。请选择存放评价日期的列。",
                  "Date column '{c}': only {ok} of {n} filled cells are dates; the others are left empty: choose "
                  "the column that holds the review dates."),
    # model manager
    "models_title_project": ("模型管理 — {p}", "Models — {p}"),
    "models_no_project": ("未打开项目：这里只列出已保存的模型。模型属于项目，打开项目后才能为它启用或回滚模型。",
                          "No project open: stored versions are listed. Models belong to a project: open one to "
                          "activate or roll back its models."),
    "models_for_project": ("“本项目使用”一列标出本项目（{p}）正在使用的模型；其他项目各有自己的选择。",
                           "'Active here' marks the models this project ({p}) uses; other projects keep their own."),
    "use_for_project": ("用于本项目", "Use for this project"),
    "need_project_tip": ("模型属于项目：请先打开一个项目。", "Models belong to a project: open one first."),
    "rollback_none_task": ("本项目的“{t}”没有更早的模型可以回滚。", "This project has no earlier '{t}' model to roll back to."),
    "col_active_here": ("本项目使用", "Active here"),
    # dashboard and settings
    "model_line": ("模型：{v}（{o}）", "Model: {v} ({o})"),
    "origin_bundled": ("内置模型", "bundled"),
    "origin_project": ("为本项目训练", "trained for this project"),
    "fast_note": ("快速模式", "fast mode"),
    "fast_mode": ("快速模式（内置模型的小型网络：快几倍，准确率略低几个百分点）",
                  "Fast mode (the bundled model's small network: several times faster, a few points less accurate)"),
}
